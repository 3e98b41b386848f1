"""Checks of a finished render against TikTok's limits and our targets, from a probe of the file.

PyAV reads the container (duration, codecs, size, frame rate, sound); ffmpeg's `ebur128` and
`silencedetect` listen to the sound track. Black stretches come from `blackdetect` run on each
segment's frames while they are encoded (the result holds those segments' packets unchanged,
joined by stream copy, so a re-render checks only what it encoded), and the caption area from
rendering the caption layer alone. Each failed check carries a reason code.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import av

from apps.media.render import reasons
from apps.media.render.audio import TARGET_LUFS
from apps.media.render.ffmpeg import run

_INTEGRATED = re.compile(r"Integrated loudness:\s*I:\s*(-?[\d.]+|-inf)\s*LUFS", re.IGNORECASE)
_TRUE_PEAK = re.compile(r"True peak:\s*Peak:\s*(-?[\d.]+|-inf)\s*dBFS", re.IGNORECASE)
_SILENCE_START = re.compile(r"silence_start:\s*(-?[\d.]+)")
_SILENCE_END = re.compile(r"silence_end:\s*([\d.]+)\s*\|\s*silence_duration:\s*([\d.]+)")


@dataclass(frozen=True)
class Limits:
    min_seconds: float = 3.0
    max_seconds: float = 600.0  # TikTok's upload limit; a project may set a lower one
    min_width: int = 720
    min_fps: float = 23.0
    max_fps: float = 60.0
    target_lufs: float = TARGET_LUFS
    lufs_tolerance: float = 1.0
    max_black_s: float = 0.5
    max_silence_s: float = 1.5
    max_megabytes: float = 4096.0


@dataclass
class Probe:
    duration: float
    width: int
    height: int
    fps: float
    frames: int
    video_codec: str
    audio_codec: str | None
    sample_rate: int | None
    size_bytes: int
    integrated_lufs: float | None = None
    true_peak_db: float | None = None
    silences: list[tuple[float, float]] = field(default_factory=list)


def probe(path: Path) -> Probe:
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        audio = container.streams.audio[0] if container.streams.audio else None
        duration = float(container.duration or 0) / av.time_base
        fps = float(video.average_rate or video.guessed_rate or 0)
        result = Probe(
            duration=duration,
            width=video.codec_context.width,
            height=video.codec_context.height,
            fps=fps,
            frames=video.frames,
            video_codec=video.codec_context.name,
            audio_codec=audio.codec_context.name if audio else None,
            sample_rate=audio.codec_context.sample_rate if audio else None,
            size_bytes=os.path.getsize(path),
        )
    if result.audio_codec:
        listened = run(
            [
                "-i",
                str(path),
                "-map",
                "0:a:0",
                "-af",
                "ebur128=peak=true,silencedetect=n=-40dB:d=0.5",
                "-f",
                "null",
                "-",
            ]
        )
        text = listened.stderr.decode(errors="replace")
        integrated, peak = _INTEGRATED.findall(text), _TRUE_PEAK.findall(text)
        result.integrated_lufs = float(integrated[-1]) if integrated and integrated[-1] != "-inf" else None
        result.true_peak_db = float(peak[-1]) if peak and peak[-1] != "-inf" else None
        starts = [float(value) for value in _SILENCE_START.findall(text)]
        ends = [(float(end), float(length)) for end, length in _SILENCE_END.findall(text)]
        for index, start in enumerate(starts):
            end = ends[index][0] if index < len(ends) else result.duration
            result.silences.append((max(0.0, start), end))
    return result


def _check(name: str, ok: bool, value, code=None, **params) -> dict:
    return {
        "check": name,
        "ok": bool(ok),
        "value": value,
        "reason": None if ok or code is None else code.reason(value=value, **params).as_dict(),
    }


def evaluate(
    found: Probe,
    limits: Limits,
    *,
    voice_span: tuple[float, float],
    black: list[tuple[float, float]],
    caption_box: tuple[int, int, int, int] | None,
    safe_box: tuple[int, int, int, int],
) -> dict:
    """The QA report: `{"passed": bool, "checks": [...], "failed": [codes]}`."""
    checks = []
    seconds = round(found.duration, 2)
    checks.append(
        _check(
            "duration",
            limits.min_seconds <= found.duration <= limits.max_seconds,
            seconds,
            reasons.QA_DURATION,
            min=limits.min_seconds,
            max=limits.max_seconds,
        )
    )
    ratio = found.width / found.height if found.height else 0
    checks.append(_check("aspect", abs(ratio - 9 / 16) < 0.01, f"{found.width}×{found.height}", reasons.QA_ASPECT))
    checks.append(
        _check("resolution", found.width >= limits.min_width, found.width, reasons.QA_RESOLUTION, min=limits.min_width)
    )
    checks.append(
        _check(
            "fps",
            limits.min_fps <= found.fps <= limits.max_fps,
            round(found.fps, 3),
            reasons.QA_FPS,
            min=limits.min_fps,
            max=limits.max_fps,
        )
    )
    checks.append(_check("video_codec", found.video_codec == "h264", found.video_codec, reasons.QA_VIDEO_CODEC))
    checks.append(_check("audio", found.audio_codec is not None, found.audio_codec or "", reasons.QA_NO_AUDIO))
    if found.audio_codec is not None:
        checks.append(_check("audio_codec", found.audio_codec == "aac", found.audio_codec, reasons.QA_AUDIO_CODEC))
        lufs = found.integrated_lufs
        checks.append(
            _check(
                "loudness",
                lufs is not None and abs(lufs - limits.target_lufs) <= limits.lufs_tolerance,
                lufs if lufs is not None else "-inf",
                reasons.QA_LOUDNESS,
                target=limits.target_lufs,
                tolerance=limits.lufs_tolerance,
            )
        )
        start, end = voice_span
        inside = [(max(a, start), min(b, end)) for a, b in found.silences if min(b, end) > max(a, start)]
        longest = max(inside, key=lambda span: span[1] - span[0], default=(0.0, 0.0))
        gap = round(longest[1] - longest[0], 2)
        checks.append(
            _check(
                "silence",
                gap <= limits.max_silence_s,
                gap,
                reasons.QA_SILENCE,
                at=round(longest[0], 2),
                max=limits.max_silence_s,
            )
        )
    longest_black = max(black, key=lambda span: span[1] - span[0], default=(0.0, 0.0))
    black_s = round(longest_black[1] - longest_black[0], 2)
    checks.append(
        _check(
            "black",
            black_s <= limits.max_black_s,
            black_s,
            reasons.QA_BLACK,
            at=round(longest_black[0], 2),
            max=limits.max_black_s,
        )
    )
    inside_zone = caption_box is None or (
        caption_box[0] >= safe_box[0]
        and caption_box[1] >= safe_box[1]
        and caption_box[2] <= safe_box[2]
        and caption_box[3] <= safe_box[3]
    )
    checks.append(
        _check(
            "captions_safe_zone", inside_zone, list(caption_box) if caption_box else None, reasons.QA_CAPTIONS_SAFE_ZONE
        )
    )
    megabytes = round(found.size_bytes / 1024 / 1024, 2)
    checks.append(
        _check(
            "file_size", megabytes <= limits.max_megabytes, megabytes, reasons.QA_FILE_SIZE, max=limits.max_megabytes
        )
    )
    failed = [check["reason"]["code"] for check in checks if not check["ok"] and check["reason"]]
    return {"passed": not failed, "checks": checks, "failed": failed}


def merge_black(stretches: list[tuple[float, float]], tolerance: float = 0.05) -> list[tuple[float, float]]:
    """Join black intervals that touch across a segment boundary."""
    merged: list[list[float]] = []
    for start, end in sorted(stretches):
        if merged and start <= merged[-1][1] + tolerance:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]
