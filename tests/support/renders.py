"""Helpers of the render-job tests (no tests here): small render settings, a 3-scene post, waiting for a render."""

import time

import pytest

from apps.billing.models import Plan
from apps.billing.plans import ensure_seed_plans
from apps.billing.services import get_subscription
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
    """A finished render row without a file (pages and access checks; real renders are in test_render_jobs)."""
    from apps.media.models import RenderStatus

    report = {"passed": True, "failed": [], "checks": QA_FAILED_REPORT["checks"][:1]} if qa_passed else QA_FAILED_REPORT
    return Render.objects.create(
        organization_id=post.organization_id, project_id=post.project_id, post=post, status=RenderStatus.DONE,
        qa_passed=qa_passed, qa_report=report, duration_s=6.2, width=270, height=480, fps=30,
    )  # fmt: skip
