"""The calendar's week and list views, filters in the URL, drag-and-drop moves with undo, bulk actions."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.posts.models import Approval, PostItem, PostStatus
from apps.projects.models import ApprovalRule
from tests.support.policy_corpus import default_rule_set
from tests.support.posts import HX, MONTH, cal_url, make_plan, make_post, make_project, post_url, snapshot


@pytest.fixture
def project(org):
    return make_project(org, approval_rule=ApprovalRule.EDITOR, language="de")


def esc(url: str) -> str:
    return url.replace("&", "&amp;")


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def bulk(client, project, action, posts, htmx=True):
    url = reverse("calendar_bulk", args=[project.organization.slug, project.slug])
    data = {"action": action, "post": [f"{post.id}:{post.version}" for post in posts]}
    return client.post(url, data, **(HX if htmx else {}))


# --- week and list ------------------------------------------------------------------------------


def test_week_view_shows_seven_days_three_slots_with_checkboxes(client_for, org, editor, project):
    plan = make_plan(project, posts=30)  # 1–10 March
    html = _html(client_for(editor).get(cal_url(org, project, view="week", week="2026-03-04")))
    assert "Week of March 2 – March 8, 2026" in html
    assert html.count('class="slot-card') == 21 and html.count('name="post"') == 21
    assert 'id="wcell-2026-03-02-1"' in html and 'id="wcell-2026-03-08-3"' in html
    post = plan.posts.get(date=date(2026, 3, 2), slot=1)
    assert f'value="{post.id}:{post.version}"' in html
    assert 'aria-current="page">Week</a>' in html
    assert esc(cal_url(org, project, "2026-02", view="week", week="2026-02-23")) in html  # the previous week: February
    assert esc(cal_url(org, project, "2026-03", view="week", week="2026-03-09")) in html


def test_first_week_spans_two_months(client_for, org, editor, project):
    march = make_plan(project, posts=3)  # 1 March (a Sunday)
    february = make_plan(project, month=date(2026, 2, 1))
    make_post(february, date(2026, 2, 27), 2, hook="Ende Februar")
    html = _html(client_for(editor).get(cal_url(org, project, view="week")))
    assert "Ende Februar" in html and html.count('class="slot-card') == 4
    assert march.posts.count() == 3


def test_viewers_see_the_week_without_checkboxes(client_for, org, viewer, project):
    make_plan(project, posts=6)
    html = _html(client_for(viewer).get(cal_url(org, project, view="week", week="2026-03-02")))
    assert 'name="post"' not in html and "data-can-move" not in html and html.count('class="slot-card') == 3


def test_list_view_sorts_and_filters(client_for, org, viewer, project):
    plan = make_plan(project)
    low = make_post(plan, MONTH, 1, confidence=0.31, hook="Wenig sicher")
    high = make_post(plan, date(2026, 3, 2), 1, confidence=0.93, hook="Sehr sicher")
    review = make_post(plan, date(2026, 3, 3), 2, status=PostStatus.NEEDS_REVIEW, review_reason="Heilversprechen")
    client = client_for(viewer)
    html = _html(client.get(cal_url(org, project, view="list")))
    assert html.index("Wenig sicher") < html.index("Sehr sicher")  # by date
    html = _html(client.get(cal_url(org, project, view="list", sort="-confidence")))
    assert html.index("Sehr sicher") < html.index(review.hook) < html.index("Wenig sicher")
    assert 'aria-sort="descending"' in html
    assert esc(cal_url(org, project, view="list", sort="confidence")) in html  # the header flips the order
    html = _html(client.get(cal_url(org, project, view="list", confidence="50")))
    assert "Sehr sicher" in html and "Wenig sicher" not in html and "2 of 3 posts shown." in html
    html = _html(client.get(cal_url(org, project, view="list", review="1")))
    assert review.hook in html and "Sehr sicher" not in html and low.hook not in html
    assert 'id="filter-review" name="review" value="1" checked' in html
    assert f'id="row-{high.id}"' not in html


def test_filters_and_view_stay_in_the_urls(client_for, org, viewer, project):
    make_plan(project, posts=3)
    response = client_for(viewer).get(cal_url(org, project, view="list", status="draft", sort="format"), **HX)
    assert response["HX-Push-Url"] == cal_url(org, project, view="list", status="draft", sort="format")
    html = _html(response)
    assert esc(cal_url(org, project, "2026-04", view="list", status="draft", sort="format")) in html
    assert '<input type="hidden" name="view" value="list">' in html


@pytest.mark.parametrize("view", ["month", "week", "list"])
def test_query_count_is_the_same_for_9_and_90_posts_in_every_view(client_for, org, editor, project, view):
    client = client_for(editor)
    small = make_project(org, slug="small", name="Small")
    make_plan(small, posts=9)
    make_plan(project, posts=90)
    query = {"view": view} if view != "month" else {}
    counts = []
    for target in (small, project, small, project):
        with CaptureQueriesContext(connection) as queries:
            _html(client.get(cal_url(org, target, **query)))
        counts.append(len(queries))
    assert counts[2] == counts[3] <= 10, counts


# --- drag and drop ------------------------------------------------------------------------------


def test_a_dropped_post_moves_and_undo_puts_it_back(client_for, editor, project):
    plan = make_plan(project, posts=6)
    post, other = plan.posts.get(date=MONTH, slot=1), plan.posts.get(date=date(2026, 3, 2), slot=3)
    data = {"version": post.version, "date": "2026-03-02", "slot": 3, "via": "drop"}
    response = client_for(editor).post(post_url("post_move", post), data, **HX)
    html = _html(response)
    assert "swapped places" in html and 'id="move-undo"' in html and "postMoved" in response["HX-Trigger"]
    post.refresh_from_db(), other.refresh_from_db()
    assert (post.date, post.slot, other.date, other.slot) == (date(2026, 3, 2), 3, MONTH, 1)
    undo = {"version": post.version, "date": "2026-03-01", "slot": 1, "via": "drop"}
    assert _html(client_for(editor).post(post_url("post_move", post), undo, **HX))
    post.refresh_from_db(), other.refresh_from_db()
    assert (post.date, post.slot, other.date, other.slot) == (MONTH, 1, date(2026, 3, 2), 3)


def test_a_drop_from_a_stale_card_is_refused(client_for, editor, project):
    plan = make_plan(project, posts=3)
    post = plan.posts.get(date=MONTH, slot=1)
    before = snapshot(project)
    data = {"version": post.version + 1, "date": "2026-03-05", "slot": 1, "via": "drop"}
    response = client_for(editor).post(post_url("post_move", post), data, **HX)
    assert response.status_code == 409 and "Someone else saved this post first" in response.content.decode()
    assert "postMoved" in response["HX-Trigger"]  # the grid reloads with what is there now
    assert snapshot(project) == before
    bad = client_for(editor).post(post_url("post_move", post), data | {"date": "2026-04-01"}, **HX)
    assert bad.status_code == 400 and "Choose a day of this plan" in bad.content.decode()


# --- bulk actions -------------------------------------------------------------------------------


def test_bulk_approve_a_week_reports_each_post(client_for, editor, project):
    plan = make_plan(project, posts=21)
    posts = list(plan.posts.all())
    posts[3].status = PostStatus.APPROVED
    posts[3].save()
    posts[5].locked = True
    posts[5].save()
    response = bulk(client_for(editor), project, "approve", posts)
    html = _html(response)
    assert html.count("<li class=") == 21
    assert html.count('class="result-done"') == 20 and html.count('class="result-skipped"') == 1
    assert "Approve: 20 of 21 posts done." in html
    assert "postMoved" in response["HX-Trigger"]
    assert plan.posts.filter(status=PostStatus.APPROVED).count() == 21
    assert Approval.objects.for_org(project.organization).filter(action="approved").count() == 20


def test_bulk_approve_respects_versions_and_hard_blocks(client_for, editor, project):
    default_rule_set()
    plan = make_plan(project, posts=4)
    fresh, stale, blocked, banned = plan.posts.order_by("date", "slot")
    posts = PostItem.objects.for_org(project.organization)
    posts.filter(pk=stale.pk).update(version=2)
    # The stored verdict and the text checked now (the rules, not the stored verdict, decide).
    posts.filter(pk=blocked.pk).update(policy={"outcome": "hard_block", "matches": []})
    posts.filter(pk=banned.pk).update(caption="Unser Kurkuma-Tee heilt Krebs – ganz ohne Chemo!")
    html = _html(bulk(client_for(editor), project, "approve", [fresh, stale, blocked, banned]))
    assert html.count('class="result-done"') == 1 and html.count('class="result-refused"') == 3
    assert "Someone else saved this post first" in html and html.count("policy check blocks this post") == 2
    assert list(plan.posts.filter(status=PostStatus.APPROVED)) == [fresh]
    assert Approval.objects.for_org(project.organization).filter(action="approved").count() == 1


def test_bulk_approve_runs_the_same_queries_for_2_and_21_posts(client_for, editor, project):
    """One lock query, one rule-set query, one update and one insert, whatever the selection."""
    default_rule_set()
    warm = make_plan(project, month=date(2026, 5, 1), posts=1)  # the first run compiles the rules, logs in ...
    small, week = make_plan(project, posts=2), make_plan(project, month=date(2026, 4, 1), posts=21)
    counts = []
    for plan in (warm, small, week):
        with CaptureQueriesContext(connection) as queries:
            html = _html(bulk(client_for(editor), project, "approve", list(plan.posts.all())))
        assert html.count('class="result-done"') == plan.posts.count()
        counts.append(len(queries))
    assert counts[1] == counts[2], counts


def test_bulk_lock_unlock_and_review(client_for, editor, project):
    plan = make_plan(project, posts=3)
    posts = list(plan.posts.all())
    client = client_for(editor)
    assert "Lock: 3 of 3 posts done." in _html(bulk(client, project, "lock", posts))
    assert plan.posts.filter(locked=True).count() == 3
    html = _html(bulk(client, project, "review", posts))
    assert html.count('class="result-refused"') == 3 and "This post is locked" in html
    bulk(client, project, "unlock", posts)
    bulk(client, project, "review", posts)
    assert plan.posts.filter(status=PostStatus.NEEDS_REVIEW, locked=False).count() == 3


def test_bulk_refusals(client_for, org, editor, viewer, other_org, project):
    plan = make_plan(project, posts=2)
    posts = list(plan.posts.all())
    before = snapshot(project)
    assert bulk(client_for(viewer), project, "approve", posts).status_code == 403
    assert bulk(client_for(viewer), project, "lock", posts).status_code == 403
    response = bulk(client_for(editor), project, "approve", [])
    assert response.status_code == 400 and "Select at least one post first." in response.content.decode()
    assert bulk(client_for(editor), project, "delete", posts).status_code == 400
    foreign = make_post(make_plan(make_project(other_org, slug="foreign")), MONTH, 1)
    assert bulk(client_for(editor), project, "lock", [foreign]).status_code == 400  # not in this project
    assert snapshot(project) == before
    project.approval_rule = ApprovalRule.NONE
    project.save()
    assert bulk(client_for(editor), project, "approve", posts).status_code == 409


def test_bulk_without_htmx_redirects_back_with_a_message(client_for, org, editor, project):
    plan = make_plan(project, posts=2)
    response = bulk(client_for(editor), project, "lock", list(plan.posts.all()), htmx=False)
    assert response.status_code == 302 and "/calendar/" in response["Location"]
    assert plan.posts.filter(locked=True).count() == 2
