"""ElevenLabs stand-in, following ../shared/contracts/tts.md: real speech (espeak-ng) with character timings.

Endpoints (under /sandbox/elevenlabs/):
  POST v1/text-to-speech/<voice_id>/with-timestamps  JSON {audio_base64, alignment, normalized_alignment}
  POST v1/text-to-speech/<voice_id>                  the audio bytes
  GET  v1/voices, GET v1/models

Keys (`xi-api-key`): anything non-empty, except keys containing "invalid" or "revoked" (401
invalid_api_key) and keys containing "empty" (402 quota_exceeded). Voices: `VOICES` below;
others → 404 voice_not_found. A body without `text` (or longer than 5,000 characters) or an
unknown `output_format` → 422 with `detail` as a list. Character timings: the speech (without
its leading and trailing silence) split over the characters, letters weighing more than spaces.
Faults (apps.sandbox.faults, service "elevenlabs", or the X-Sandbox-Fault header): "401",
"402" (quota_exceeded), "429" (too_many_concurrent_requests, with Retry-After), "500", "502",
"503", "invalid_json" (200 with a broken body); latency as for the other stand-ins.
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from apps.core import clock
from apps.media.render.ffmpeg import run
from apps.media.render.voice import SAMPLE_RATE, decode_mono, trim
from apps.sandbox.faults import HEADER as FAULT_HEADER
from apps.sandbox.faults import FaultConfigError, draw_fault
from apps.sandbox.http import json_body
from apps.sandbox.log import record_call

SERVICE = "elevenlabs"
VOICES = {
    "sandbox-anna": ("Anna (sandbox)", "de"),
    "sandbox-jack": ("Jack (sandbox)", "en-us"),
}
MODELS = ("eleven_multilingual_v2", "eleven_turbo_v2_5", "eleven_flash_v2_5")
MAX_CHARS = 5000
_PCM = re.compile(r"pcm_(16000|22050|24000|44100)$")
_MP3 = {"mp3_44100_128": (44100, "128k"), "mp3_22050_32": (22050, "32k"), "mp3_44100_64": (44100, "64k")}
FAULTS = {
    "401": (401, "invalid_api_key", "Invalid API key (sandbox fault)."),
    "402": (402, "quota_exceeded", "This request exceeds your quota (sandbox fault)."),
    "429": (429, "too_many_concurrent_requests", "Too many concurrent requests (sandbox fault)."),
    "500": (500, "internal_error", "Internal server error (sandbox fault)."),
    "502": (502, "bad_gateway", "Bad gateway (sandbox fault)."),
    "503": (503, "system_busy", "The system is busy (sandbox fault)."),
}


def _error(request, status: int, code: str, message: str, *, body=None, fault: str = "", headers=None):
    record_call(SERVICE, request, status, body=body, fault=fault)
    response = JsonResponse({"detail": {"status": code, "message": message}}, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _key_problem(request: HttpRequest) -> tuple[int, str, str] | None:
    key = request.headers.get("xi-api-key", "")
    if not key or "invalid" in key or "revoked" in key:
        return 401, "invalid_api_key", "Invalid API key."
    if "empty" in key:
        return 402, "quota_exceeded", "This request exceeds your quota."
    return None


def _speak(text: str, language: str) -> np.ndarray:
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise RuntimeError("espeak-ng is not installed (make system-deps)")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "speech.wav"
        subprocess.run([exe, "-v", language, "-w", str(out), "--", text], check=True, capture_output=True, timeout=60)
        return decode_mono(out)


def alignment_of(text: str, start: float, end: float) -> dict:
    """Every character of `text` with a start and end time between `start` and `end` (seconds)."""
    weights = [0.35 if c.isspace() else 0.6 if not c.isalnum() else 1.0 for c in text]
    total = sum(weights) or 1.0
    starts, ends, cursor = [], [], start
    for weight in weights:
        length = (end - start) * weight / total
        starts.append(round(cursor, 3))
        cursor += length
        ends.append(round(cursor, 3))
    return {"characters": list(text), "character_start_times_seconds": starts, "character_end_times_seconds": ends}


def _encode(samples: np.ndarray, output_format: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.f32"
        source.write_bytes(samples.astype("<f4").tobytes())
        pcm = _PCM.match(output_format)
        if pcm:
            args = ["-f", "s16le", "-ac", "1", "-ar", pcm.group(1)]
        else:
            rate, bitrate = _MP3[output_format]
            args = ["-f", "mp3", "-c:a", "libmp3lame", "-ac", "1", "-ar", str(rate), "-b:a", bitrate]
        result = run(
            ["-f", "f32le", "-ar", str(SAMPLE_RATE), "-ac", "1", "-i", str(source), *args, "-"],
            stdout=subprocess.PIPE,
        )
        return result.stdout


def _synthesis(request: HttpRequest, voice_id: str):
    """(body, audio bytes, alignment, content type) or an error response."""
    try:
        fault = draw_fault(SERVICE, request.headers.get(FAULT_HEADER))
    except FaultConfigError as exc:
        return _error(request, 400, "sandbox_fault", str(exc))
    body = json_body(request, empty={})
    if fault.latency_ms:
        clock.sleep(fault.latency_ms / 1000)
    if fault.kind in FAULTS:
        status, code, message = FAULTS[fault.kind]
        headers = {"Retry-After": f"{fault.retry_after:g}"} if status == 429 else None
        return _error(request, status, code, message, body=body, fault=fault.kind, headers=headers)
    problem = _key_problem(request)
    if problem:
        return _error(request, *problem, body=body)
    if voice_id not in VOICES:
        return _error(
            request, 404, "voice_not_found", f"A voice with the voice_id {voice_id} was not found.", body=body
        )
    output_format = request.GET.get("output_format", "mp3_44100_128")
    errors = []
    if not isinstance(body, dict):
        errors.append({"loc": ["body"], "msg": "Expected a JSON object.", "type": "type_error"})
    elif not isinstance(body.get("text"), str) or not body["text"].strip():
        errors.append({"loc": ["body", "text"], "msg": "Field required.", "type": "value_error.missing"})
    elif len(body["text"]) > MAX_CHARS:
        errors.append({"loc": ["body", "text"], "msg": f"At most {MAX_CHARS} characters.", "type": "value_error"})
    if output_format not in _MP3 and not _PCM.match(output_format):
        errors.append({"loc": ["query", "output_format"], "msg": "Unsupported output format.", "type": "value_error"})
    if errors:
        record_call(SERVICE, request, 422, body=body)
        return JsonResponse({"detail": errors}, status=422)
    text = body["text"]
    samples = _speak(text, VOICES[voice_id][1])
    speech, cut = trim(samples)
    alignment = alignment_of(text, cut, cut + len(speech) / SAMPLE_RATE)
    record_call(SERVICE, request, 200, body=body, fault=fault.kind or "")
    if fault.kind == "invalid_json":
        return HttpResponse(b'{"audio_base64": "', content_type="application/json")
    content_type = "audio/mpeg" if output_format.startswith("mp3") else "audio/pcm"
    return body, _encode(samples, output_format), alignment, content_type


@csrf_exempt
@require_POST
def with_timestamps(request: HttpRequest, voice_id: str) -> HttpResponse:
    result = _synthesis(request, voice_id)
    if isinstance(result, HttpResponse):
        return result
    _body, audio, alignment, _type = result
    return JsonResponse(
        {"audio_base64": base64.b64encode(audio).decode(), "alignment": alignment, "normalized_alignment": alignment}
    )


@csrf_exempt
@require_POST
def speech(request: HttpRequest, voice_id: str) -> HttpResponse:
    result = _synthesis(request, voice_id)
    if isinstance(result, HttpResponse):
        return result
    _body, audio, _alignment, content_type = result
    return HttpResponse(audio, content_type=content_type)


@require_GET
def voices(request: HttpRequest) -> JsonResponse:
    problem = _key_problem(request)
    if problem:
        return _error(request, *problem)
    record_call(SERVICE, request, 200)
    return JsonResponse(
        {
            "voices": [
                {"voice_id": voice_id, "name": name, "labels": {"language": language.split("-")[0]}}
                for voice_id, (name, language) in VOICES.items()
            ]
        }
    )


@require_GET
def models(request: HttpRequest) -> JsonResponse:
    problem = _key_problem(request)
    if problem:
        return _error(request, *problem)
    record_call(SERVICE, request, 200)
    return JsonResponse([{"model_id": model_id, "can_do_text_to_speech": True} for model_id in MODELS], safe=False)
