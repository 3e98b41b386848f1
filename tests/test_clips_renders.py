"""The done-when of generated clips: 20 renders at 270×480 with 30 % injected provider faults.

Each post has one scene with a video prompt, routed to Veo (every other post's to Kling); one
post lacks its prompt (a recorded fallback by construction). At least 18 renders must come out
with every requested clip or a recorded fallback and pass QA; the others must fail cleanly with
a reason. Video seconds charged for clips equal the seconds of the clips received (the ledger).
"""

import time
from datetime import date, timedelta

import pytest

from apps.billing.models import UsageKind, UsageLedger
from apps.media import actions
from apps.media.clips.actions import do_save_video_settings, do_set_scene_source
from apps.media.clips.models import ClipStatus, GeneratedClip, VideoSource
from apps.media.models import Render, RenderStatus
from apps.sandbox.faults import clear_faults, set_faults
from apps.sandbox.models import SandboxCall
from tests.support.clips import VOICE, add_keys, point_at_sandbox, prompts, short_script
from tests.support.posts import make_plan, make_post, make_project
from tests.support.renders import on_plan, small_renders

pytest_plugins = ["tests.media_fixtures"]
RENDERS = 20
VEO_FAULTS = {"429": 0.04, "429_no_hint": 0.04, "500": 0.04, "503": 0.03, "timeout": 0.02, "safety": 0.05,
              "stuck": 0.03, "download_once": 0.05}  # fmt: skip
KLING_FAULTS = {"429": 0.05, "429_no_hint": 0.04, "500": 0.03, "504": 0.03, "safety": 0.05, "failed": 0.03,
                "stuck": 0.02, "download_once": 0.05}  # fmt: skip


def wait_for_renders(ids, timeout: float = 420.0) -> list[Render]:
    deadline = time.monotonic() + timeout
    while True:
        renders = list(Render.objects.unscoped().filter(id__in=ids))
        if all(render.status in (RenderStatus.DONE, RenderStatus.FAILED) for render in renders):
            return renders
        if time.monotonic() > deadline:
            pytest.fail(f"renders still running: {[r.status for r in renders]}")
        time.sleep(0.2)


def test_twenty_renders_with_thirty_percent_faults(org, owner, settings, live_server, media_root, tmp_path, worker):
    assert sum(VEO_FAULTS.values()) == pytest.approx(0.30) == sum(KLING_FAULTS.values())
    small_renders(settings, tmp_path)
    point_at_sandbox(settings, live_server)
    settings.VF_CLIP_MAX_WAIT_SECONDS = 3  # a stuck operation is given up (and falls back) after this
    settings.VF_RENDER_CLIP_WAIT_SECONDS = 1  # how soon a waiting render looks again
    on_plan(org)
    add_keys(org)
    project = make_project(org)
    do_save_video_settings(project, default_source="veo", veo_model="veo-3.1-fast-generate-preview",
                           kling_model="kling-v1-6", kling_mode="std")  # fmt: skip
    plan = make_plan(project)
    posts = []
    for n in range(RENDERS):
        texts = [f"Post {n}: coffee beans roasting, steam, warm light"] if n else []
        post = make_post(plan, date(2026, 3, 1) + timedelta(days=n // 3), n % 3 + 1, hook=f"Kaffee-Tipp {n}",
                         script=short_script("Kaffee", 1, 3, VOICE * 2), video_prompt=prompts(*texts))  # fmt: skip
        if n % 2:
            do_set_scene_source(post, 1, VideoSource.KLING)
        posts.append(post)
    set_faults("veo", rates=VEO_FAULTS, retry_after=0.2, seed=14)
    set_faults("kling", rates=KLING_FAULTS, retry_after=0.2, seed=41)
    try:
        renders = wait_for_renders([actions.do_request_render(post, actor=owner).id for post in posts])
    finally:
        clear_faults("veo")
        clear_faults("kling")

    good, failed = [], []
    for render in renders:
        generated = [s for s in render.scene_sources if s.get("source") in ("veo", "kling")]
        complete = len(generated) == 1 and all(
            (s.get("status") == "done" and s.get("asset") and not s.get("fallback"))
            or (s.get("fallback") in ("library", "card") and s.get("reason"))
            for s in generated
        )
        if render.status == RenderStatus.DONE and render.qa_passed and complete:
            good.append(render)
        else:
            failed.append(render)
    assert len(good) >= 18, [(r.status, r.failure, r.qa_report.get("failed"), r.scene_sources) for r in failed]
    assert all(render.status == RenderStatus.FAILED and render.failure for render in failed)

    clips = list(GeneratedClip.objects.for_org(org))
    statuses = {status: sum(1 for c in clips if c.status == status) for status in ClipStatus.values}
    assert statuses["pending"] == statuses["running"] == 0
    injected = SandboxCall.objects.exclude(fault="").filter(service__in=("veo", "kling")).count()
    assert injected > 0 and statuses["done"] > 0
    # Metering: the clips' ledger rows are exactly the seconds received; blocked or failed clips cost nothing.
    entries = {e.idempotency_key: e.quantity for e in UsageLedger.objects.for_org(org).filter(
        kind=UsageKind.VIDEO_SECONDS, idempotency_key__startswith="clip:")}  # fmt: skip
    received = {f"clip:{c.id}": c.seconds_received for c in clips if c.status == ClipStatus.DONE}
    assert entries == received
    assert sum(entries.values()) == sum(received.values()) > 0
    fallbacks = [s for r in good for s in r.scene_sources if s.get("fallback")]
    assert all(r.contains_generated_media for r in good if any(s.get("status") == "done" for s in r.scene_sources))
    assert {"code": "clips.no_prompt", "params": {}} in [s["reason"] for s in fallbacks]
    assert all(s["reason"]["code"].startswith("clips.") for s in fallbacks)
    print(f"\nrenders ok {len(good)}/{RENDERS}; clips {statuses}; faults injected {injected}; "
          f"fallbacks {len(fallbacks)}; clip seconds charged {sum(entries.values())}")  # fmt: skip
