"""ElevenLabs voice (../shared/contracts/tts.md): POST /v1/text-to-speech/{voice_id}/with-timestamps.

The key comes from the caller (apps.credentials' `resolve_credential` on the Django side) and
the characters of every request go through `meter(characters)`, a context manager the caller
supplies (the billing quota API there). 429 and 5xx are retried with backoff; an invalid key,
a used-up character quota and a missing voice stop at once (`ElevenLabsError.retryable` False).
"""

from __future__ import annotations

import base64
import contextlib
import random
import tempfile
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from apps.core import clock
from apps.media.render.voice import Synthesis, Word

DEFAULT_BASE_URL = "https://api.elevenlabs.io"
RETRY_STATUSES = {429, 500, 502, 503, 504}


class ElevenLabsError(RuntimeError):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(f"ElevenLabs {status} {code}: {message}")
        self.status, self.code, self.message = status, code, message

    @property
    def retryable(self) -> bool:
        return self.status in RETRY_STATUSES and self.code != "quota_exceeded"


def words_from_alignment(alignment: dict) -> list[Word]:
    """Group the character timings between spaces: a word runs from its first character's start to its last's end."""
    chars = alignment.get("characters") or []
    starts = alignment.get("character_start_times_seconds") or []
    ends = alignment.get("character_end_times_seconds") or []
    words, text, start, end = [], "", None, 0.0
    for char, char_start, char_end in zip(chars, starts, ends, strict=False):
        if char.isspace():
            if text:
                words.append(Word(text, start, end))
            text, start = "", None
            continue
        if start is None:
            start = float(char_start)
        text += char
        end = float(char_end)
    if text:
        words.append(Word(text, start, end))
    return words


def _error_of(response: httpx.Response) -> ElevenLabsError:
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = None
    if isinstance(detail, dict):
        return ElevenLabsError(response.status_code, str(detail.get("status", "")), str(detail.get("message", "")))
    if isinstance(detail, list):  # 422 validation errors
        message = "; ".join(str(item.get("msg", "")) for item in detail if isinstance(item, dict))
        return ElevenLabsError(response.status_code, "validation_error", message)
    return ElevenLabsError(response.status_code, "http_error", response.text[:200])


class ElevenLabsVoice:
    """A `Voice` for the renderer; `synthesize` returns MP3 (or PCM) plus word timings from the alignment."""

    def __init__(
        self,
        *,
        api_key: str,
        voice_id: str,
        base_url: str = DEFAULT_BASE_URL,
        model_id: str = "eleven_multilingual_v2",
        output_format: str = "mp3_44100_128",
        meter: Callable[[int], Any] | None = None,
        max_attempts: int = 4,
        max_backoff: float = 8.0,
        timeout: float = 60.0,
        http: httpx.Client | None = None,
    ):
        self.voice_id, self.model_id, self.output_format = voice_id, model_id, output_format
        self.meter = meter or (lambda characters: contextlib.nullcontext())
        self.max_attempts, self.max_backoff = max_attempts, max_backoff
        self._http = http or httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout)
        self._headers = {"xi-api-key": api_key, "Content-Type": "application/json"}

    def key(self, language: str) -> str:
        return f"elevenlabs:{self.voice_id}:{self.model_id}:{language}"

    def request(self, text: str, language: str) -> dict:
        body = {"text": text, "model_id": self.model_id, "language_code": language.split("-")[0]}
        url = f"/v1/text-to-speech/{self.voice_id}/with-timestamps"
        for attempt in range(1, self.max_attempts + 1):
            try:
                response = self._http.post(
                    url, params={"output_format": self.output_format}, json=body, headers=self._headers
                )
            except httpx.TransportError as exc:
                if attempt == self.max_attempts:
                    raise ElevenLabsError(0, "network", str(exc)) from exc
            else:
                if response.status_code == 200:
                    return response.json()
                error = _error_of(response)
                if not error.retryable or attempt == self.max_attempts:
                    raise error
                retry_after = response.headers.get("Retry-After")
                if retry_after:
                    clock.sleep(min(float(retry_after), self.max_backoff))
                    continue
            clock.sleep(min(self.max_backoff, 0.2 * 2**attempt) * (0.5 + random.random() / 2))
        raise AssertionError("unreachable")

    def synthesize(self, text: str, language: str, workdir: Path) -> Synthesis:
        with self.meter(len(text)) as use:
            data = self.request(text, language)
            if use is not None and hasattr(use, "actual"):
                use.actual = len(text)
        suffix = ".mp3" if self.output_format.startswith("mp3") else ".pcm"
        path = Path(tempfile.mkstemp(suffix=suffix, dir=workdir)[1])
        audio = base64.b64decode(data["audio_base64"])
        if suffix == ".pcm":  # raw s16le: give it a WAV header so ffmpeg knows the rate
            path = path.with_suffix(".wav")
            _write_pcm_wav(path, audio, int(self.output_format.split("_")[1]))
        else:
            path.write_bytes(audio)
        alignment = data.get("alignment") or data.get("normalized_alignment") or {}
        return Synthesis(path, words_from_alignment(alignment) or None)


def _write_pcm_wav(path: Path, pcm: bytes, rate: int) -> None:
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(pcm)
