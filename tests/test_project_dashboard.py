"""The project dashboard: this month's counts by status, the next posts due, the month's plan."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.core import clock
from apps.planning.models import ContentPlan, PlanStatus
from apps.posts.models import PostItem, PostStatus
from tests.support.projects import make_project, purl

# 2026-03-10 12:30 in Berlin: slot 1 (09:00) has passed today, slots 2 and 3 are still due.
NOW = datetime(2026, 3, 10, 11, 30, tzinfo=UTC)
MARCH = date(2026, 3, 1)


@pytest.fixture(autouse=True)
def frozen_now():
    with clock.freeze(NOW):
        yield


@pytest.fixture
def project(org):
    return make_project(org)


def make_plan(project, month=MARCH, status=PlanStatus.READY, version=1, offline=False) -> ContentPlan:
    return ContentPlan.objects.create(
        organization=project.organization, project=project, month=month, status=status, version=version, offline=offline
    )


def make_posts(plan, specs) -> list[PostItem]:
    """specs: (date, slot, status, locked) tuples."""
    return PostItem.objects.bulk_create(
        PostItem(
            organization=plan.organization,
            project=plan.project,
            plan=plan,
            date=day,
            slot=slot,
            format="tutorial",
            hook=f"Hook {day:%m-%d} #{slot}",
            status=status,
            locked=locked,
        )
        for day, slot, status, locked in specs
    )


def fill(plan, count: int) -> None:
    """`count` posts from the first of the plan's month, three per day."""
    make_posts(
        plan,
        [
            (plan.month + timedelta(days=i // 3), i % 3 + 1, list(PostStatus.values)[i % 4], i % 5 == 0)
            for i in range(count)
        ],
    )


def test_counts_this_months_posts_of_the_current_plan_only(client_for, org, viewer, project):
    old = make_plan(project, status=PlanStatus.SUPERSEDED, version=1)
    make_posts(old, [(date(2026, 3, 12), 1, PostStatus.APPROVED, True)])  # replaced: not counted
    plan = make_plan(project, version=2, offline=True)
    make_posts(
        plan,
        [
            (date(2026, 3, 1), 1, PostStatus.DRAFT, False),
            (date(2026, 3, 1), 2, PostStatus.DRAFT, True),
            (date(2026, 3, 2), 1, PostStatus.NEEDS_REVIEW, False),
            (date(2026, 3, 2), 2, PostStatus.NEEDS_APPROVAL, False),
            (date(2026, 3, 2), 3, PostStatus.NEEDS_APPROVAL, False),
            (date(2026, 3, 31), 3, PostStatus.APPROVED, True),
        ],
    )
    april = make_plan(project, month=date(2026, 4, 1))
    make_posts(april, [(date(2026, 4, 1), 1, PostStatus.APPROVED, True)])  # next month: not counted

    response = client_for(viewer).get(purl("project_dashboard", org, project))
    assert response.status_code == 200
    context = response.context
    assert context["counts"] == {
        "total": 6,
        "locked": 2,
        "draft": 2,
        "needs_review": 1,
        "needs_approval": 2,
        "approved": 1,
    }
    assert [(value, count) for value, _label, count in context["status_counts"]] == [
        ("draft", 2),
        ("needs_review", 1),
        ("needs_approval", 2),
        ("approved", 1),
    ]
    html = response.content.decode()
    assert context["plan"] == plan
    assert "version 2" in html and "offline draft" in html and "Ready" in html
    assert "6 posts this month." in html


def test_next_posts_start_with_the_slots_still_due_today(client_for, org, viewer, project):
    plan = make_plan(project)
    make_posts(
        plan,
        [
            (date(2026, 3, 9), 3, PostStatus.APPROVED, False),  # yesterday
            (date(2026, 3, 10), 1, PostStatus.APPROVED, False),  # today 09:00: passed
            (date(2026, 3, 10), 2, PostStatus.DRAFT, False),
            (date(2026, 3, 10), 3, PostStatus.NEEDS_REVIEW, False),
            (date(2026, 3, 11), 1, PostStatus.APPROVED, True),
            (date(2026, 3, 11), 2, PostStatus.DRAFT, False),
            (date(2026, 3, 11), 3, PostStatus.DRAFT, False),
            (date(2026, 3, 12), 1, PostStatus.DRAFT, False),  # the sixth: not shown
        ],
    )
    response = client_for(viewer).get(purl("project_dashboard", org, project))
    upcoming = [(p.date.day, p.slot, p.slot_time) for p in response.context["upcoming"]]
    assert upcoming == [(10, 2, "13:00"), (10, 3, "19:00"), (11, 1, "09:00"), (11, 2, "13:00"), (11, 3, "19:00")]
    html = response.content.decode()
    assert "Hook 03-10 #2" in html and "Hook 03-10 #1" not in html and "Hook 03-12 #1" not in html
    assert "Needs review" in html and "locked" in html


def test_month_and_today_follow_the_projects_time_zone(client_for, org, viewer):
    """At 02:00 UTC on 1 April it is already April in Berlin but still 31 March in New York."""
    clock.advance(datetime(2026, 4, 1, 2, 0, tzinfo=UTC) - NOW)
    berlin = make_project(org, slug="berlin", time_zone="Europe/Berlin")
    new_york = make_project(org, slug="new-york", time_zone="America/New_York")
    client = client_for(viewer)
    assert client.get(purl("project_dashboard", org, berlin)).context["month"] == date(2026, 4, 1)
    context = client.get(purl("project_dashboard", org, new_york)).context
    assert context["month"] == MARCH and context["today"] == date(2026, 3, 31)


def test_without_a_plan_the_dashboard_says_so(client_for, org, viewer, project):
    failed = make_plan(project, status=PlanStatus.FAILED)
    ContentPlan.objects.for_org(org).filter(pk=failed.pk).update(error="The provider timed out.")
    html = client_for(viewer).get(purl("project_dashboard", org, project)).content.decode()
    assert "The provider timed out." in html and "Failed" in html
    assert "No posts are due." in html and "0 posts this month." in html


def test_calendar_link_points_at_this_month(client_for, org, viewer, project):
    html = client_for(viewer).get(purl("project_dashboard", org, project)).content.decode()
    assert f'href="/o/{org.slug}/p/{project.slug}/calendar/2026-03/"' in html


def test_query_count_does_not_grow_with_the_posts(client_for, org, viewer, project, django_assert_max_num_queries):
    clock.advance(datetime(2026, 3, 1, 0, 30, tzinfo=UTC) - NOW)  # before the first slot
    client = client_for(viewer)
    url = purl("project_dashboard", org, project)
    plan = make_plan(project)
    fill(plan, 3)
    client.get(url)  # warm up (session, caches)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(url).context["upcoming"]) == 3
    PostItem.objects.for_org(org).filter(plan=plan).delete()
    fill(plan, 90)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.context["counts"]["total"] == 90 and len(response.context["upcoming"]) == 5
    assert len(few.captured_queries) <= 12


def test_editors_get_generate_and_the_next_posts_are_links(client_for, org, editor, viewer, project):
    """Issue 16 (8): the dashboard has the month plan's Generate area for editors (not for viewers), its next
    posts open the post, and a viewer is told their access is read-only."""
    plan = make_plan(project)
    (post,) = make_posts(plan, [(date(2026, 3, 11), 1, PostStatus.DRAFT, False)])
    html = client_for(editor).get(purl("project_dashboard", org, project)).content.decode()
    status_url = reverse("plan_status", args=[org.slug, project.slug, "2026-03"])
    assert f'hx-get="{status_url}"' in html and 'id="plan-cta"' in html
    assert f'href="{reverse("post_detail", args=[org.slug, project.slug, post.id])}"' in html
    assert 'id="read-only-note"' not in html
    html = client_for(viewer).get(purl("project_dashboard", org, project)).content.decode()
    assert 'id="plan-cta"' not in html and 'id="read-only-note"' in html and "read-only access" in html
    assert f'href="{reverse("post_detail", args=[org.slug, project.slug, post.id])}"' in html
    # Without a plan, an editor sees the Generate button at once (before the state loads).
    empty = make_project(org, slug="empty")
    html = client_for(editor).get(purl("project_dashboard", org, empty)).content.decode()
    assert 'id="plan-generate"' in html
