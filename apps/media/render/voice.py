"""Voices: a text-to-speech provider interface, the offline espeak-ng voice, and the per-sentence cache.

Speech is synthesised one sentence at a time, so each sentence's start and end on the timeline
are exact; word timings inside a sentence come from the provider's alignment when it has one
(ElevenLabs) and are estimated otherwise (see `timing`).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from apps.media.render.ffmpeg import atomic_path, run
from apps.media.render.spec import digest_of

SAMPLE_RATE = 48_000
SILENCE_THRESHOLD = 10 ** (-45 / 20)  # -45 dBFS
KEEP_BEFORE_S = 0.03
KEEP_AFTER_S = 0.06

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'»«”“)]*\s+|\n+")


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Synthesis:
    """What a provider returns: an audio file in any format ffmpeg reads, and word timings if known."""

    audio_path: Path
    words: list[Word] | None = None


class Voice(Protocol):
    """A provider may set `parallel` (default 1): how many sentences it may synthesise at once."""

    def key(self, language: str) -> str:
        """Identifies voice + settings: a change means the speech must be made again."""

    def synthesize(self, text: str, language: str, workdir: Path) -> Synthesis: ...


class VoiceUnavailable(RuntimeError):
    pass


class EspeakVoice:
    """Debian's espeak-ng: offline, German and English, robotic but free."""

    VOICES = {"de": "de", "en": "en-us"}
    parallel = 2  # sentences spoken at once (a process each; nothing shared)

    def __init__(self, words_per_minute: int = 165, pitch: int = 50):
        self.words_per_minute = words_per_minute
        self.pitch = pitch

    def voice_name(self, language: str) -> str:
        return self.VOICES.get(language.split("-")[0].lower(), language)

    def key(self, language: str) -> str:
        return f"espeak-ng:{self.voice_name(language)}:{self.words_per_minute}:{self.pitch}"

    def synthesize(self, text: str, language: str, workdir: Path) -> Synthesis:
        exe = shutil.which("espeak-ng")
        if exe is None:
            raise VoiceUnavailable("espeak-ng is not installed (make system-deps installs it)")
        out = Path(tempfile.mkstemp(suffix=".wav", dir=workdir)[1])
        subprocess.run(
            [
                exe,
                "-v",
                self.voice_name(language),
                "-s",
                str(self.words_per_minute),
                "-p",
                str(self.pitch),
                "-w",
                out.name,  # relative: espeak-ng silently truncates a -w path longer than 199 bytes
                "--",
                text,
            ],
            cwd=out.parent,
            check=True,
            capture_output=True,
            timeout=60,
        )
        return Synthesis(out)


def split_sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text or "") if part and part.strip()]


@dataclass(frozen=True)
class Sentence:
    """One spoken sentence: trimmed 48 kHz mono samples and word timings (from its start)."""

    text: str
    samples: np.ndarray
    words: list[Word] | None  # from the provider's alignment; None = estimate
    digest: str

    @property
    def duration(self) -> float:
        return len(self.samples) / SAMPLE_RATE


def decode_mono(path: Path) -> np.ndarray:
    """Any audio file → float32 mono samples at 48 kHz."""
    result = run(["-i", str(path), "-f", "f32le", "-ac", "1", "-ar", str(SAMPLE_RATE), "-"], stdout=subprocess.PIPE)
    return np.frombuffer(result.stdout, dtype=np.float32).copy()


def trim(samples: np.ndarray) -> tuple[np.ndarray, float]:
    """Cut leading and trailing silence (keeping a breath); returns the samples and the seconds cut in front."""
    loud = np.flatnonzero(np.abs(samples) > SILENCE_THRESHOLD)
    if loud.size == 0:
        return samples[:0], 0.0
    start = max(0, loud[0] - int(KEEP_BEFORE_S * SAMPLE_RATE))
    end = min(len(samples), loud[-1] + int(KEEP_AFTER_S * SAMPLE_RATE))
    return samples[start:end], start / SAMPLE_RATE


def write_wav(path: Path, samples: np.ndarray, channels: int = 1) -> None:
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    part = atomic_path(path)
    with wave.open(str(part), "wb") as handle:
        handle.setnchannels(channels)
        handle.setsampwidth(2)
        handle.setframerate(SAMPLE_RATE)
        handle.writeframes(pcm.tobytes())
    part.replace(path)


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as handle:
        data = handle.readframes(handle.getnframes())
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32767


def speak(voice: Voice, text: str, language: str, cache_dir: Path) -> Sentence:
    """The sentence's speech, from the cache when the same voice said the same text before."""
    digest = digest_of(["sentence", voice.key(language), text])
    cache_dir.mkdir(parents=True, exist_ok=True)
    wav_path, meta_path = cache_dir / f"{digest}.wav", cache_dir / f"{digest}.json"
    if wav_path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        words = [Word(*item) for item in meta["words"]] if meta["words"] is not None else None
        return Sentence(text, read_wav(wav_path), words, digest)
    with tempfile.TemporaryDirectory(dir=cache_dir) as scratch:
        synthesis = voice.synthesize(text, language, Path(scratch))
        samples, cut = trim(decode_mono(synthesis.audio_path))
    words = None
    if synthesis.words is not None:
        duration = len(samples) / SAMPLE_RATE
        words = [
            Word(w.text, min(max(0.0, w.start - cut), duration), min(max(0.0, w.end - cut), duration))
            for w in synthesis.words
        ]
    write_wav(wav_path, samples)
    meta_part = atomic_path(meta_path)
    meta_part.write_text(json.dumps({"words": [[w.text, w.start, w.end] for w in words] if words else None}))
    meta_part.replace(meta_path)
    return Sentence(text, read_wav(wav_path), words, digest)
