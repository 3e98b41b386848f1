"""Lock/unlock and moving posts between slots (with swaps)."""

import json
from datetime import date

import pytest

from apps.posts import actions
from apps.posts.models import PostItem
from tests.support.posts import HX, MONTH, make_plan, make_post, make_project, post_url, snapshot


@pytest.fixture
def project(org):
    return make_project(org)


@pytest.fixture
def plan(project):
    return make_plan(project)


@pytest.fixture
def post(plan):
    return make_post(plan, MONTH, 1, hook="Der Erste")


def move(client, post, day, slot, version=None, htmx=False):
    data = {"version": post.version if version is None else version, "date": day.isoformat(), "slot": slot}
    return client.post(post_url("post_move", post), data, **(HX if htmx else {}))


# --- lock ---------------------------------------------------------------------------------------


def test_lock_and_unlock(client_for, editor, post):
    client = client_for(editor)
    response = client.post(post_url("post_lock", post), **HX)
    assert response.status_code == 200
    post.refresh_from_db()
    assert post.locked is True
    assert post.version == 1
    html = response.content.decode()
    assert ">Unlock</button>" in html
    assert 'hx-swap-oob="true"' in html and "is-locked" in html
    assert "postChanged" in response["HX-Trigger"]
    assert client.post(post_url("post_lock", post)).status_code == 302  # idempotent
    assert client.post(post_url("post_unlock", post)).status_code == 302
    post.refresh_from_db()
    assert post.locked is False


def test_locked_post_cannot_be_moved_or_improved(client_for, editor, post):
    post.locked = True
    post.save()
    before = snapshot(post.project)
    client = client_for(editor)
    assert move(client, post, MONTH, 2).status_code == 409
    response = client.post(post_url("post_improve", post), {"field": "hook", "instruction": "kürzer"}, **HX)
    assert response.status_code == 409
    assert "This post is locked" in response.content.decode()
    # Their forms are not offered either: the panel answers instead, with the reason.
    for name in ("post_move", "post_improve"):
        response = client.get(post_url(name, post), **HX)
        assert response.status_code == 409 and response["HX-Retarget"] == "#post-panel"
        assert "This post is locked" in response.content.decode() and 'id="move-date"' not in response.content.decode()
    assert snapshot(post.project) == before


def test_approving_a_locked_post_is_allowed(client_for, editor, post):
    post.locked = True
    post.save()
    assert client_for(editor).post(post_url("post_approve", post), {"version": 1}).status_code == 302


# --- move ---------------------------------------------------------------------------------------


def test_move_to_an_empty_slot(client_for, editor, post):
    response = move(client_for(editor), post, date(2026, 3, 15), 3, htmx=True)
    assert response.status_code == 200
    post.refresh_from_db()
    assert (post.date, post.slot, post.version) == (date(2026, 3, 15), 3, 2)
    assert json.loads(response["HX-Trigger"]) == {
        "postChanged": {"id": str(post.id), "moved": True},
        "postMoved": {"id": str(post.id)},
    }
    assert "Moved." in response.content.decode()


def test_move_to_a_taken_slot_swaps(client_for, editor, plan, post):
    other = make_post(plan, date(2026, 3, 2), 2, hook="Der Zweite")
    response = move(client_for(editor), post, date(2026, 3, 2), 2, htmx=True)
    assert response.status_code == 200
    post.refresh_from_db()
    other.refresh_from_db()
    assert (post.date, post.slot, post.version) == (date(2026, 3, 2), 2, 2)
    assert (other.date, other.slot, other.version) == (MONTH, 1, 2)
    html = response.content.decode()
    assert "swapped places with “Der Zweite”" in html
    assert html.count('hx-swap-oob="true"') >= 2  # both cards


def test_swap_with_a_locked_post_is_refused(client_for, editor, plan, post):
    make_post(plan, date(2026, 3, 2), 2, locked=True)
    before = snapshot(post.project)
    response = move(client_for(editor), post, date(2026, 3, 2), 2)
    assert response.status_code == 409
    assert snapshot(post.project) == before


def test_move_with_a_stale_version_is_409(client_for, editor, post):
    before = snapshot(post.project)
    response = move(client_for(editor), post, date(2026, 3, 3), 1, version=7, htmx=True)
    assert response.status_code == 409
    assert snapshot(post.project) == before


@pytest.mark.parametrize(
    ("day", "slot"), [(date(2026, 4, 1), 1), (date(2026, 2, 28), 1), (date(2026, 3, 3), 4), (date(2026, 3, 3), 0)]
)
def test_move_outside_the_month_or_slots_is_400(client_for, editor, post, day, slot):
    before = snapshot(post.project)
    assert move(client_for(editor), post, day, slot).status_code == 400
    assert snapshot(post.project) == before


def test_move_to_the_same_slot_is_409(client_for, editor, post):
    assert move(client_for(editor), post, MONTH, 1).status_code == 409


def test_move_ignores_posts_of_other_plans(client_for, editor, project, post):
    from apps.planning.models import PlanStatus

    old = make_plan(project, status=PlanStatus.SUPERSEDED, version=0)
    stranger = make_post(old, date(2026, 3, 4), 1)
    move(client_for(editor), post, date(2026, 3, 4), 1)
    stranger.refresh_from_db()
    post.refresh_from_db()
    assert (stranger.date, stranger.slot, stranger.version) == (date(2026, 3, 4), 1, 1)
    assert (post.date, post.slot) == (date(2026, 3, 4), 1)


def test_swap_action_checks_the_other_version(editor, plan, post):
    other = make_post(plan, date(2026, 3, 2), 2)
    with pytest.raises(actions.StaleVersion):
        actions.do_move_post(
            post, version=1, to_date=date(2026, 3, 2), to_slot=2, actor=editor, other_version=other.version + 1
        )
    assert PostItem.objects.for_org(post.organization).get(pk=post.pk).date == MONTH
