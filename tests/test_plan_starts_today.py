"""Issue 16, item 5: a plan of the current month starts today (no posts in the past) unless the user
ticks "Also plan the days already past this month"; a later month is planned whole; the posts quota
counts the posts really planned, and a regeneration leaves the past posts alone."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from apps.billing.models import Reservation, UsageAggregate, UsageKind
from apps.billing.testing import subscribe
from apps.core import clock
from apps.planning.models import PlanStatus
from apps.posts import plan_runs
from apps.posts.models import PostItem, PostStatus
from tests.support.posts import make_plan, make_project

pytestmark = pytest.mark.django_db(transaction=True)

HTMX = {"HTTP_HX_REQUEST": "true"}
JUNE = date(2027, 6, 1)  # 30 days: 90 slots, 63 of them from the 10th on
TENTH = datetime(2027, 6, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def june_tenth():
    with clock.freeze(TENTH):
        yield


def _generate(client, org, project, month="2027-06", **data):
    return client.post(reverse("plan_generate", args=[org.slug, project.slug, month]), data, **HTMX)


def _status(client, org, project, month="2027-06") -> str:
    return client.get(reverse("plan_status", args=[org.slug, project.slug, month]), **HTMX).content.decode()


def _run(plan, *, regenerate=False):
    plan.refresh_from_db()
    job = plan.job_run
    first_day = job.payload.get("first_day") or ""
    return plan_runs.run_month_plan(
        plan.id,
        job_run_id=job.id,
        regenerate=regenerate,
        first_day=date.fromisoformat(first_day) if first_day else None,
    )


def _charged(org, month) -> int:
    row = UsageAggregate.objects.for_org(org).filter(kind=UsageKind.POSTS, month=month, project=None).first()
    return (row.used + row.reserved) if row else 0


def test_a_plan_made_on_the_tenth_starts_on_the_tenth_and_charges_its_posts(june_tenth, client_for, org, editor):
    subscribe(org, posts_per_month=100)
    project = make_project(org)
    client = client_for(editor)
    status = _status(client, org, project)
    assert "The AI drafts 63 posts" in status and 'name="include_past"' in status
    assert _generate(client, org, project).status_code == 200
    reservation = Reservation.objects.for_org(org).get(kind=UsageKind.POSTS)
    assert reservation.quantity == 63

    ready = _run(project.plans.get())
    posts = PostItem.objects.for_org(org).filter(plan=ready)
    assert posts.count() == 63
    assert min(posts.values_list("date", flat=True)) == date(2027, 6, 10)
    assert _charged(org, JUNE) == posts.count()


def test_the_past_days_are_planned_when_asked(june_tenth, client_for, org, editor):
    project = make_project(org)
    assert _generate(client_for(editor), org, project, include_past="on").status_code == 200
    plan = project.plans.get()
    assert Reservation.objects.for_org(org).get(kind=UsageKind.POSTS).quantity == 90
    assert plan.job_run.payload["first_day"] == ""
    work = plan_runs.claim_plan_work(plan.id, plan.job_run_id)
    assert len(work.slots) == 90 and work.slots[0].date == JUNE


def test_a_later_month_is_planned_whole(june_tenth, client_for, org, editor):
    project = make_project(org)
    client = client_for(editor)
    status = _status(client, org, project, "2027-07")
    assert "The AI drafts 93 posts" in status and 'name="include_past"' not in status
    assert _generate(client, org, project, "2027-07").status_code == 200
    plan = project.plans.get()
    assert Reservation.objects.for_org(org).get(kind=UsageKind.POSTS).quantity == 93
    work = plan_runs.claim_plan_work(plan.id, plan.job_run_id)
    assert len(work.slots) == 93 and work.slots[0].date == date(2027, 7, 1)


def test_regenerating_the_current_month_keeps_the_past_and_the_reviewed_posts(june_tenth, client_for, org, editor):
    project = make_project(org)
    plan = make_plan(project, month=JUNE, posts=90, status=PlanStatus.READY)
    approved = plan.posts.get(date=date(2027, 6, 12), slot=2)
    approved.status = PostStatus.APPROVED
    approved.save()
    past = {(p.date, p.slot): p.hook for p in plan.posts.filter(date__lt=date(2027, 6, 10))}
    assert len(past) == 27
    client = client_for(editor)
    assert "62 posts will be replaced by new drafts and 28 kept" in _status(client, org, project)
    assert _generate(client, org, project).status_code == 200
    assert not Reservation.objects.for_org(org).filter(kind=UsageKind.POSTS).exists()  # replaces, adds none

    ready = _run(plan, regenerate=True)
    new = {(p.date, p.slot): p for p in PostItem.objects.for_org(org).filter(plan=ready)}
    assert len(new) == 90
    assert {key: new[key].hook for key in past} == past
    assert new[(approved.date, approved.slot)].status == PostStatus.APPROVED


def test_also_replace_counts_only_the_reviewed_posts_from_today_on(june_tenth, client_for, org, editor):
    project = make_project(org)
    plan = make_plan(project, month=JUNE, posts=90, status=PlanStatus.READY)
    plan.posts.filter(date__in=[date(2027, 6, 3), date(2027, 6, 12)], slot=1).update(status=PostStatus.APPROVED)
    plan.posts.filter(date=date(2027, 6, 20), slot=1).update(status=PostStatus.APPROVED, locked=True)
    status = _status(client_for(editor), org, project)
    # The approved post of the 3rd stays anyway (it is past) and the 20th's is locked: one is left to replace.
    assert "Also replace the 1 approved or edited post" in status


def test_a_regeneration_with_nothing_to_draft_says_what_keeps_the_posts(june_tenth, client_for, org, editor):
    project = make_project(org)
    plan = make_plan(project, month=JUNE, posts=90, status=PlanStatus.READY)
    plan.posts.filter(date__gte=date(2027, 6, 10)).update(status=PostStatus.APPROVED)
    client = client_for(editor)
    refused = _generate(client, org, project)
    assert refused.status_code == 409
    text = refused.content.decode()
    assert "Every post of June 2027 from today on is locked, approved or edited" in text
    assert "Also replace" in text

    plan.posts.filter(date__gte=date(2027, 6, 10)).update(locked=True)
    refused = _generate(client, org, project, replace_reviewed="on")
    assert "Every post of June 2027 from today on is locked, so there is nothing to regenerate." in (
        refused.content.decode()
    )
    assert not Reservation.objects.for_org(org).filter(kind=UsageKind.POSTS).exists()
