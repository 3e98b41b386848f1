"""`manage.py seed_demo` fills the demo project's current month (from today on) with an offline plan, once."""

import time
from io import StringIO

from django.core.management import call_command

from apps.ai.models import AIDecision
from apps.billing.plans import ensure_seed_plans
from apps.media.models import Render, RenderStatus
from apps.orgs.models import Organization
from apps.planning.models import ContentPlan, PlanStatus
from apps.planning.slots import month_slots
from apps.posts.models import PostItem, PostStatus
from apps.projects.models import Project
from tests.support.policy_corpus import default_rule_set
from tests.support.renders import reload, small_renders, wait_for_render
from viralforge.demo import DEMO_ORG_SLUG


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_fills_the_current_month_once(transactional_db, worker, settings, tmp_path):
    small_renders(settings, tmp_path)
    settings.MEDIA_ROOT = tmp_path / "media"
    ensure_seed_plans()  # a transactional test flushes the data migrations' rows
    default_rule_set()
    started = time.monotonic()
    output = seed()
    assert time.monotonic() - started < 60  # ~5 s on a quiet machine; shared CI machines are noisy
    org = Organization.objects.get(slug=DEMO_ORG_SLUG)
    project = Project.objects.for_org(org).get()
    assert project.topics and project.content_pillars  # the demo brand kit
    month = project.today().replace(day=1)
    [plan] = ContentPlan.objects.for_org(org).filter(project=project)
    assert (plan.month, plan.status, plan.offline) == (month, PlanStatus.READY, True)
    posts = PostItem.objects.for_org(org).filter(plan=plan)
    # The current month from today on (issue 16, item 5): no posts in the past.
    today = project.today()
    assert posts.count() == len(month_slots(month, today)) == 3 * len({s.date for s in month_slots(month, today)})
    assert min(posts.values_list("date", flat=True)) == today
    assert f"Demo plan for {month:%Y-%m}: {posts.count()} posts (generated)." in output
    decisions = AIDecision.objects.for_org(org).count()
    assert decisions and not AIDecision.objects.for_org(org).exclude(provider="offline").exists()

    # The first three posts are approved and their videos queued; the worker renders them.
    assert "Demo videos: 3 queued for the media worker." in output
    first = list(posts.order_by("date", "slot")[:3])
    renders = [wait_for_render(Render.objects.for_org(org).get(post=post).id, RenderStatus.DONE) for post in first]
    assert all(render.qa_passed and render.video_id for render in renders)
    assert [reload(post).status for post in first] == [PostStatus.APPROVED] * 3
    # Two of them go to the sandbox TikTok with the owner's consent (in 15 minutes, in a day): the
    # calendar cards say "scheduled".
    assert "Demo publishing: 2 posts scheduled to the sandbox TikTok." in output
    assert [reload(post).publish_state for post in first] == ["scheduled", "scheduled", ""]

    again = seed()  # idempotent: nothing is generated again
    assert "(already there)" in again and "Demo videos: already there." in again
    assert "Demo publishing: already there." in again
    assert Render.objects.for_org(org).count() == 3
    assert ContentPlan.objects.for_org(org).count() == 1
    assert PostItem.objects.for_org(org).count() == posts.count()
    assert AIDecision.objects.for_org(org).count() == decisions
