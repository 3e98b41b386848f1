"""The project calendar: month grid, filters, navigation, speed (query count) and access."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.planning.models import PlanStatus
from apps.posts.models import PostStatus
from tests.support.accounts import make_member
from tests.support.posts import HX, MONTH, cal_url, make_plan, make_post, make_project


@pytest.fixture
def project(org):
    return make_project(org, slot_times=["08:30", "12:15", "18:45"])


def _html(response) -> str:
    return response.content.decode()


# --- the grid -----------------------------------------------------------------------------------


def test_month_grid_monday_first_with_three_slots_per_day(client_for, org, viewer, project):
    plan = make_plan(project, posts=9)
    post = plan.posts.get(date=MONTH, slot=2)
    response = client_for(viewer).get(cal_url(org, project))
    assert response.status_code == 200
    html = _html(response)
    # March 2026 starts on a Sunday: the first row is Mon 23 Feb .. Sun 1 Mar, six rows in all.
    assert html.count('class="cal-day is-outside"') == 6 + 5  # 23–28 Feb and 1–5 Apr
    assert html.count("<tr>") == 1 + 6
    assert html.index("Mon") < html.index("Sun")
    assert f'id="card-{post.id}"' in html
    assert f'href="/o/{org.slug}/p/{project.slug}/posts/{post.id}/"' in html
    assert "12:15" in html and "08:30" in html and "18:45" in html
    assert "72%" in html
    assert 'id="day-2026-03-31"' in html
    assert html.count('class="slot-card') == 9


def test_card_shows_lock_and_review_reason(client_for, org, editor, project):
    plan = make_plan(project)
    make_post(plan, MONTH, 1, locked=True)
    note = {"code": "posts.note", "params": {"text": "Heilversprechen / health claim"}}
    make_post(plan, MONTH, 2, status=PostStatus.NEEDS_REVIEW, review_reason=[note])
    html = _html(client_for(editor).get(cal_url(org, project)))
    assert "is-locked" in html and '<svg class="icon"' in html and "🔒" not in html
    assert "Heilversprechen / health claim" in html
    assert "badge-status-needs_review" in html


def test_only_the_current_plan_is_shown(client_for, org, viewer, project):
    old = make_plan(project, status=PlanStatus.SUPERSEDED)
    make_post(old, MONTH, 1, hook="Old version hook")
    current = make_plan(project, version=2)
    make_post(current, MONTH, 1, hook="Current version hook")
    html = _html(client_for(viewer).get(cal_url(org, project)))
    assert "Current version hook" in html
    assert "Old version hook" not in html


@pytest.mark.parametrize("status", [None, PlanStatus.GENERATING, PlanStatus.READY])
def test_the_month_plan_area_is_always_included(client_for, org, viewer, project, status):
    if status:
        make_plan(project, status=status)
    html = _html(client_for(viewer).get(cal_url(org, project)))
    assert 'id="plan-cta"' in html
    assert reverse("plan_status", args=[org.slug, project.slug, "2026-03"]) in html


def test_month_without_plan_shows_the_generate_call_to_action(client_for, org, viewer, project):
    make_plan(project, month=date(2026, 4, 1), posts=3)
    response = client_for(viewer).get(cal_url(org, project))
    assert response.status_code == 200
    html = _html(response)
    assert 'id="plan-cta"' in html
    assert 'class="slot-card' not in html
    assert html.count('class="slot-empty"') == 31 * 3


def test_posts_of_another_project_are_not_shown(client_for, org, viewer, project):
    other = make_project(org, slug="other", name="Other")
    make_post(make_plan(other), MONTH, 1, hook="Other project hook")
    make_plan(project)
    assert "Other project hook" not in _html(client_for(viewer).get(cal_url(org, project)))


# --- speed --------------------------------------------------------------------------------------


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_query_count_is_the_same_for_9_and_90_posts(client_for, org, editor, project, django_assert_num_queries):
    client = client_for(editor)
    small = make_project(org, slug="small", name="Small")
    make_plan(small, posts=9)
    make_plan(project, posts=90)
    client.get(cal_url(org, small))  # warm the session, caches and compiled rule sets
    nine = _count_queries(client, cal_url(org, small))
    assert nine <= 9
    with django_assert_num_queries(nine):
        response = client.get(cal_url(org, project))
    assert _html(response).count('class="slot-card') == 90
    # Filters and HTMX partials do not add queries either.
    with django_assert_num_queries(nine):
        client.get(cal_url(org, project, status="draft", format="POV"))
    assert _count_queries(client, cal_url(org, project)) == nine


def test_htmx_partial_needs_no_more_queries_than_the_page(client_for, org, editor, project):
    client = client_for(editor)
    make_plan(project, posts=90)
    client.get(cal_url(org, project))
    page = _count_queries(client, cal_url(org, project))
    with CaptureQueriesContext(connection) as queries:
        client.get(cal_url(org, project), **HX)
    assert len(queries) <= page


# --- filters and navigation ---------------------------------------------------------------------


def test_status_filter(client_for, org, viewer, project):
    plan = make_plan(project)
    approved = make_post(plan, MONTH, 1, status=PostStatus.APPROVED)
    draft = make_post(plan, MONTH, 2)
    html = _html(client_for(viewer).get(cal_url(org, project, status="approved")))
    assert f'id="card-{approved.id}"' in html
    assert f'id="card-{draft.id}"' not in html
    assert "1 of 2 posts shown" in html
    assert '<option value="approved" selected>' in html


def test_format_filter(client_for, org, viewer, project):
    plan = make_plan(project)
    pov = make_post(plan, MONTH, 1, format="POV")
    tutorial = make_post(plan, MONTH, 2, format="Tutorial")
    html = _html(client_for(viewer).get(cal_url(org, project, format="POV")))
    assert f'id="card-{pov.id}"' in html
    assert f'id="card-{tutorial.id}"' not in html
    assert '<option value="Tutorial">' in html  # the other formats stay selectable


def test_unknown_filter_values_show_everything(client_for, org, viewer, project):
    make_plan(project, posts=3)
    html = _html(client_for(viewer).get(cal_url(org, project, status="bogus")))
    assert html.count('class="slot-card') == 3


def test_no_match_message(client_for, org, viewer, project):
    make_plan(project, posts=3)
    html = _html(client_for(viewer).get(cal_url(org, project, status="approved")))
    assert "No posts match these filters." in html


def test_month_navigation_links_keep_filters(client_for, org, viewer, project):
    html = _html(client_for(viewer).get(cal_url(org, project, status="draft")))
    prev_url = cal_url(org, project, "2026-02", status="draft")
    next_url = cal_url(org, project, "2026-04", status="draft")
    assert f'href="{prev_url}"' in html and f'hx-get="{prev_url}"' in html
    assert f'href="{next_url}"' in html
    assert 'hx-push-url="true"' in html


def test_navigation_across_the_year(client_for, org, viewer, project):
    html = _html(client_for(viewer).get(cal_url(org, project, "2026-01")))
    assert cal_url(org, project, "2025-12") in html
    html = _html(client_for(viewer).get(cal_url(org, project, "2026-12")))
    assert cal_url(org, project, "2027-01") in html


def test_htmx_request_gets_the_grid_partial(client_for, org, viewer, project):
    make_plan(project, posts=3)
    response = client_for(viewer).get(cal_url(org, project, status="draft"), **HX)
    html = _html(response)
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="calendar"')
    assert "<html" not in html
    assert html.count('class="slot-card') == 3
    assert "HX-Request" in response["Vary"]


def test_history_restore_gets_the_full_page(client_for, org, viewer, project):
    response = client_for(viewer).get(cal_url(org, project), HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HX)
    assert "<html" in _html(response)


def test_current_month_redirect(client_for, org, viewer, project):
    response = client_for(viewer).get(reverse("project_calendar_today", args=[org.slug, project.slug]))
    assert response.status_code == 302
    assert "/calendar/20" in response["Location"]


# --- 404s, access -------------------------------------------------------------------------------


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "26-03", "2026-3", "march", "0000-01", "2026-03-01"])
def test_bad_month_is_404(client_for, org, viewer, project, month):
    assert client_for(viewer).get(cal_url(org, project, month)).status_code == 404


def test_unknown_project_is_404(client_for, org, viewer):
    assert client_for(viewer).get(cal_url(org, "no-such-project")).status_code == 404


@pytest.mark.parametrize("role", ["owner", "admin", "editor", "viewer"])
def test_every_member_may_view(client, org, project, role):
    user = make_member(org, f"{role}-cal@alpha.test", role)
    client.force_login(user)
    assert client.get(cal_url(org, project)).status_code == 200
