"""Helpers of the generated-clip tests: the sandbox Veo/Kling behind the live server, keys, posts with prompts."""

import time
from datetime import date

import pytest

from apps.credentials.actions import do_add_credential
from apps.media.clips.models import GeneratedClip
from apps.sandbox import clipgen
from apps.sandbox import kling as kling_stand_in  # noqa: F401  (registers its fault kinds)
from apps.sandbox import veo as veo_stand_in  # noqa: F401
from apps.sandbox.faults import clear_faults
from tests.support.posts import make_plan, make_post, make_project

VEO_KEY = "sbx-veo-key-4b1d9e7f2a6c"
KLING_ACCESS, KLING_SECRET = "sbx-kling-access", "sbx-kling-secret-0123456789"
FAST = {"VF_CLIP_POLL_SECONDS": 0.1, "VF_CLIP_POLL_MAX_SECONDS": 0.3, "VF_CLIP_TIMEOUT_SECONDS": 10}


def point_at_sandbox(settings, live_server, **timing) -> None:
    settings.VF_VEO_BASE_URL = live_server.url + "/sandbox/veo"
    settings.VF_KLING_BASE_URL = live_server.url + "/sandbox/kling"
    for name, value in FAST.items():
        setattr(settings, name, value)
    for service in ("veo", "kling"):
        clear_faults(service)
        clipgen.reset(service)
        quick = {"submitted_seconds": 0.2, "processing_seconds": 0.5, "hang_seconds": 0.5}
        clipgen.configure(service, **(quick | timing))


def add_keys(org) -> None:
    do_add_credential(org, provider="veo", secret=VEO_KEY)
    do_add_credential(org, provider="kling", secret=KLING_SECRET, identifier=KLING_ACCESS)


def prompts(*texts: str, seconds: int = 2) -> dict:
    return {
        "aspect_ratio": "9:16",
        "style": "warm",
        "prompts": [
            {"scene_index": i + 1, "prompt": text, "negative_prompt": "logos", "camera": "", "style": "",
             "duration_seconds": seconds}
            for i, text in enumerate(texts)
        ],
    }  # fmt: skip


VOICE = "frisch gerösteter Kaffee schmeckt einfach besser."


def short_script(hook: str, scenes: int = 2, seconds: float = 1.5, voice: str = VOICE) -> dict:
    return {
        "title": hook,
        "language": "de",
        "scenes": [
            {"index": i + 1, "voiceover": f"Teil {i + 1}: {voice}",
             "on_screen_text": f"Schritt {i + 1}", "visual": "",
             "duration_seconds": seconds}
            for i in range(scenes)
        ],
        "cta": "",
        "total_duration_seconds": scenes * seconds,
    }  # fmt: skip


def make_clip_post(org, *texts: str, project=None, day=date(2026, 3, 2), slot=1, scenes=None):
    project = project or make_project(org)
    plan = project.plans.first() or make_plan(project)
    return make_post(
        plan, day, slot, hook=f"Hook {day:%d}-{slot}", script=short_script("Hook", scenes or len(texts)),
        video_prompt=prompts(*texts),
    )  # fmt: skip


def wait_for_clips(ids, timeout: float = 30.0) -> list[GeneratedClip]:
    deadline = time.monotonic() + timeout
    while True:
        clips = list(GeneratedClip.objects.unscoped().filter(id__in=list(ids)).order_by("created_at"))
        if all(clip.finished for clip in clips):
            return clips
        if time.monotonic() > deadline:
            pytest.fail(f"clips not finished: {[(c.provider, c.status, c.operation, c.attempts) for c in clips]}")
        time.sleep(0.05)
