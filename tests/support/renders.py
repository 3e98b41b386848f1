"""Helpers of the render-job tests (no tests here): small render settings, a 3-scene post, waiting for a render."""

import io
import tempfile
import time
from pathlib import Path

import pytest
from PIL import Image

from apps.billing.models import Plan
from apps.billing.plans import ensure_seed_plans
from apps.billing.services import get_subscription
from apps.core import clock
from apps.media.models import Render
from apps.posts.models import PostItem

W, H = 270, 480

SCENES = (
    ("Frisch gerösteter Kaffee schmeckt besser. Das merkst du sofort.", "Frisch schlägt alt", "Bohnen in der Mühle"),
    ("Wir rösten jeden Tag in kleinen Mengen.", "Kleine Mengen", "Röster bei der Arbeit"),
    ("Probier es heute aus!", "Heute probieren", "Tasse Espresso"),
)


def small_renders(settings, tmp_path) -> None:
    """Renders at 270×480 into a temporary cache folder (keeps `make test` fast)."""
    settings.VF_RENDER_SIZE = (W, H)
    settings.VF_RENDER_WORKDIR = str(tmp_path / "render-cache")


def three_scene_script(scenes=SCENES) -> dict:
    return {
        "title": "Warum dein Kaffee flach schmeckt",
        "language": "de",
        "scenes": [
            {"index": i + 1, "voiceover": voice, "on_screen_text": screen, "visual": visual, "duration_seconds": 3}
            for i, (voice, screen, visual) in enumerate(scenes)
        ],
    }


def on_plan(org, slug: str = "agency") -> None:
    """The organization on a plan with room for re-renders (Free allows 2 per post)."""
    ensure_seed_plans()
    subscription = get_subscription(org)
    subscription.plan = Plan.objects.get(slug=slug)
    subscription.save(update_fields=["plan"])


def wait_for_render(render_id, *statuses: str, timeout: float = 90.0) -> Render:
    deadline = time.monotonic() + timeout
    while True:
        render = Render.objects.unscoped().select_related("video", "job_run").get(id=render_id)
        if render.status in statuses:
            return render
        if time.monotonic() > deadline:
            pytest.fail(f"render {render_id} stuck at {render.status}, wanted {statuses}")
        time.sleep(0.1)


def reload(post: PostItem) -> PostItem:
    return PostItem.objects.for_org(post.organization_id).get(id=post.id)


QA_FAILED_REPORT = {
    "passed": False,
    "failed": ["render.qa.loudness"],
    "checks": [
        {"check": "duration", "ok": True, "value": 6.2, "reason": None},
        {"check": "loudness", "ok": False, "value": -19.5,
         "reason": {"code": "render.qa.loudness", "params": {"value": -19.5, "target": -14.0, "tolerance": 1.0}}},
    ],
}  # fmt: skip


def finished_render(post: PostItem, *, qa_passed: bool = True) -> Render:
    """A finished render with a small real MP4 and cover, made by ffmpeg without the engine (pages and access
    checks; real renders are in tests/test_render_jobs.py)."""
    from apps.media.actions import do_add_asset_file
    from apps.media.models import AssetKind, AssetSource, RenderStatus
    from tests.support.media import ffmpeg

    with tempfile.TemporaryDirectory() as folder:
        video = Path(folder) / "video.mp4"
        ffmpeg("-f", "lavfi", "-i", "testsrc=size=90x160:rate=30:duration=1", "-f", "lavfi", "-i",
               "sine=duration=1", "-shortest", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast",
               "-c:a", "aac", str(video))  # fmt: skip
        cover = io.BytesIO()
        Image.new("RGB", (90, 160), "#1E3A5F").save(cover, "JPEG")
        asset = do_add_asset_file(
            post.organization, video, filename="video.mp4", kind=AssetKind.RENDER, post=post,
            source=AssetSource.RENDER, preview=cover.getvalue(),
        )  # fmt: skip
    report = {"passed": True, "failed": [], "checks": QA_FAILED_REPORT["checks"][:1]} if qa_passed else QA_FAILED_REPORT
    return Render.objects.create(
        organization_id=post.organization_id, project_id=post.project_id, post=post, status=RenderStatus.DONE,
        qa_passed=qa_passed, qa_report=report, duration_s=1.0, width=90, height=160, fps=30, video=asset,
        video_key=asset.file.name, cover_key=asset.preview.name, video_cover_timestamp_ms=250, size_bytes=asset.size,
        finished_at=clock.now(),
    )  # fmt: skip
