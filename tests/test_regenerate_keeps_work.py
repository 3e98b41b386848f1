"""Issue 16, item 5: regenerating keeps approved and hand-edited posts (as if locked) unless the user
opts in to replacing them; the confirm text says how many are replaced and kept."""

from datetime import date

import pytest
from django.urls import reverse

from apps.planning.models import PlanStatus
from apps.posts import plan_runs
from apps.posts.models import PostItem, PostStatus
from tests.support.posts import make_plan, make_project

pytestmark = pytest.mark.django_db(transaction=True)

HTMX = {"HTTP_HX_REQUEST": "true"}
JUNE = date(2027, 6, 1)


def _plan_with_work(org):
    project = make_project(org)
    plan = make_plan(project, month=JUNE, posts=90, status=PlanStatus.READY)
    posts = list(plan.posts.order_by("date", "slot"))
    posts[0].locked = True
    posts[1].status = PostStatus.APPROVED
    posts[2].hook, posts[2].version = "Von Hand verbessert", 2
    for post in posts[:3]:
        post.save()
    return project, plan, posts


def _regenerate(client, org, project, **data):
    return client.post(reverse("plan_generate", args=[org.slug, project.slug, "2027-06"]), data, **HTMX)


def _run(plan):
    job = plan.job_run
    job.refresh_from_db()
    return plan_runs.run_month_plan(
        plan.id, job_run_id=job.id, regenerate=True, replace_reviewed=job.payload.get("replace_reviewed", False)
    )


def test_regenerate_keeps_approved_and_edited_posts_by_default(client_for, org, editor):
    project, plan, posts = _plan_with_work(org)
    client = client_for(editor)
    status = client.get(reverse("plan_status", args=[org.slug, project.slug, "2027-06"]), **HTMX).content.decode()
    assert "87 posts will be replaced by new drafts and 3 kept" in status
    assert 'name="replace_reviewed"' in status and "Also replace the 2 approved and edited posts" in status

    assert _regenerate(client, org, project).status_code == 200
    plan.refresh_from_db()
    ready = _run(plan)
    assert ready.version == 2 and ready.status == PlanStatus.READY
    new = {(post.date, post.slot): post for post in PostItem.objects.for_org(org).filter(plan=ready)}
    assert len(new) == 90
    assert new[(posts[1].date, posts[1].slot)].status == PostStatus.APPROVED
    assert new[(posts[1].date, posts[1].slot)].hook == posts[1].hook
    assert new[(posts[2].date, posts[2].slot)].hook == "Von Hand verbessert"
    assert new[(posts[0].date, posts[0].slot)].locked


def test_regenerate_replaces_approved_and_edited_posts_when_asked(client_for, org, editor):
    project, plan, posts = _plan_with_work(org)
    assert _regenerate(client_for(editor), org, project, replace_reviewed="on").status_code == 200
    plan.refresh_from_db()
    assert plan.job_run.payload["replace_reviewed"] is True
    # What the job drafts (without running the whole pipeline again): every slot but the locked one.
    work = plan_runs.claim_plan_work(plan.id, plan.job_run_id, regenerate=True, replace_reviewed=True)
    assert work.locked_ids == [posts[0].id] and len(work.slots) == 89
