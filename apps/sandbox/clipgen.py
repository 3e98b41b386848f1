"""What the Veo and Kling stand-ins share: generations in Redis that move on with the clock, and real MP4s.

    configure("veo", processing_seconds=1)     # tests, benches; reset("veo") forgets everything
    creates("kling")                           # how many generations the stand-in started

A generation is pending until `submitted_seconds + processing_seconds` of clock time have passed
since it was created (Kling reports "submitted" for the first part), then done, unless its fault
says otherwise ("stuck": never done; "safety": done without a video; "failed": done with an error).
Its file is made on download with ffmpeg: a moving test pattern with the prompt's first words,
the requested aspect ratio and duration, at a small size (`SIZES`) so tests stay fast.
"""

from __future__ import annotations

import json
import secrets
import tempfile
import time
from pathlib import Path

from apps.core import clock
from apps.media.render.ffmpeg import run
from apps.media.render.spec import DEFAULT_FONT
from viralforge.redis import get_redis, key

KEEP_SECONDS = 2 * 24 * 3600  # real-time TTL: only for cleaning up
# hang_seconds: how long the "timeout" fault keeps a request waiting (real time) before it answers 504.
DEFAULTS = {"submitted_seconds": 1.0, "processing_seconds": 3.0, "hang_seconds": 2.0}
SIZES = {"9:16": (180, 320), "16:9": (320, 180), "1:1": (240, 240)}
FPS = 24
WORDS = 5


def _k(service: str, *parts: str) -> str:
    return key("sandbox", service, *parts)


def configure(service: str, **values: float) -> dict:
    unknown = set(values) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"unknown sandbox setting(s): {', '.join(sorted(unknown))}")
    config = config_of(service) | {name: float(value) for name, value in values.items()}
    get_redis().set(_k(service, "config"), json.dumps(config), ex=KEEP_SECONDS)
    return config


def config_of(service: str) -> dict:
    raw = get_redis().get(_k(service, "config"))
    return DEFAULTS | (json.loads(raw) if raw else {})


def reset(service: str) -> None:
    redis = get_redis()
    names = list(redis.scan_iter(_k(service, "*")))
    if names:
        redis.delete(*names)


def create(service: str, params: dict, fault: str = "") -> dict:
    task = {
        "id": secrets.token_hex(8),
        "created_at": clock.timestamp(),
        "params": params,
        "fault": fault,
        "downloads": 0,
    }
    redis = get_redis()
    redis.set(_k(service, "task", task["id"]), json.dumps(task), ex=KEEP_SECONDS)
    redis.incr(_k(service, "creates"))
    return task


def get(service: str, task_id: str) -> dict | None:
    raw = get_redis().get(_k(service, "task", task_id))
    return json.loads(raw) if raw else None


def save(service: str, task: dict) -> None:
    get_redis().set(_k(service, "task", task["id"]), json.dumps(task), ex=KEEP_SECONDS)


def creates(service: str) -> int:
    return int(get_redis().get(_k(service, "creates")) or 0)


def stage(service: str, task: dict) -> str:
    """"submitted", "processing" or "done" (by clock time; a "stuck" task never gets done)."""
    config = config_of(service)
    age = clock.timestamp() - task["created_at"]
    if age < config["submitted_seconds"]:
        return "submitted"
    if task.get("fault") == "stuck" or age < config["submitted_seconds"] + config["processing_seconds"]:
        return "processing"
    return "done"


def error_fault(service: str, fault, errors: dict) -> tuple[int, object, str, float | None] | None:
    """An error fault's (status, code, message, Retry-After) from the stand-in's `errors`, else None.
    The "timeout" fault first keeps the request waiting (`hang_seconds`, real time)."""
    if fault.kind not in errors:
        return None
    if fault.kind == "timeout":
        time.sleep(config_of(service)["hang_seconds"])
    status, code, message = errors[fault.kind]
    return status, code, message, fault.retry_after if fault.kind == "429" else None


def take_download(service: str, task_id: str) -> dict | None:
    """The done task (with a video) whose file is fetched now, its download counted; None if there is none."""
    task = get(service, task_id)
    if task is None or task["fault"] in ("safety", "failed") or stage(service, task) != "done":
        return None
    task["downloads"] += 1
    save(service, task)
    return task


def download_fails(task: dict) -> bool:
    """The "download_once" fault: the first download of the file fails."""
    return task["fault"] == "download_once" and task["downloads"] == 1


def clip_of(task: dict) -> bytes:
    params = task["params"]
    return make_clip(params["prompt"], params["aspect_ratio"], params["seconds"])


def first_words(prompt: str, count: int = WORDS) -> str:
    return " ".join(prompt.split()[:count]) or "clip"


def make_clip(prompt: str, aspect_ratio: str, seconds: float) -> bytes:
    """A real H.264 MP4: a moving test pattern with the prompt's first words bobbing across it."""
    width, height = SIZES.get(aspect_ratio, SIZES["9:16"])
    with tempfile.TemporaryDirectory(prefix="vf-sandbox-clip-") as folder:
        text, out = Path(folder) / "text.txt", Path(folder) / "clip.mp4"
        text.write_text(first_words(prompt))
        drawtext = (
            f"drawtext=fontfile={DEFAULT_FONT}:textfile={text}:fontcolor=white:fontsize={max(10, width // 14)}"
            ":box=1:boxcolor=black@0.5:boxborderw=4:x=(w-text_w)/2:y=(h-text_h)/2+h/6*sin(t*2)"
        )
        run(
            [
                "-y", "-f", "lavfi", "-i", f"testsrc2=s={width}x{height}:r={FPS}:d={seconds:g}", "-vf", drawtext,
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(out),
            ]
        )  # fmt: skip
        return out.read_bytes()
