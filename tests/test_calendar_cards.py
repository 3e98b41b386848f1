"""Calendar cards come from the template partial and are cached per post version, the month grid under
its cards' keys and the day; a save shows at once."""

from datetime import UTC, datetime

from django.core.cache import cache
from django.utils import translation

from apps.core import clock
from apps.posts import actions
from apps.posts.views_calendar import CARD_FIELDS, CARD_KEY_FIELDS, card_key, posts_base_url, render_cards
from tests.support.posts import MONTH, cal_url, make_plan, make_project


def _rows(plan):
    return list(plan.posts.order_by("date", "slot").values(*CARD_FIELDS, *CARD_KEY_FIELDS))


def test_cards_are_cached_and_a_save_replaces_the_cached_card(client_for, org, editor):
    project = make_project(org)
    plan = make_plan(project, posts=3)
    post = plan.posts.get(date=MONTH, slot=1)
    client = client_for(editor)
    html = client.get(cal_url(org, project)).content.decode()
    assert html.count('class="slot-card') == 3
    base = posts_base_url(org.slug, project.slug)
    with translation.override("en"):  # the editor's language
        assert all(cache.get(card_key(row, project, base)) for row in _rows(plan))  # kept for the next request

    changes = {"hook": "A brand-new hook"}
    saved, changed = actions.do_save_post(post, version=post.version, changes=changes, actor=editor)
    assert changed
    html = client.get(cal_url(org, project)).content.decode()
    assert "A brand-new hook" in html
    actions.do_set_post_lock(saved, locked=True, actor=editor)  # no new version, but a save
    html = client.get(cal_url(org, project)).content.decode()
    card = html[html.index(f'id="card-{post.id}"') :].split("</a>", 1)[0]
    assert "is-locked" in card and "A brand-new hook" in card


def test_a_cached_card_is_served_from_the_cache(org, editor):
    project = make_project(org)
    plan = make_plan(project, posts=1)
    (row,) = _rows(plan)
    base = posts_base_url(org.slug, project.slug)
    first = render_cards([row], project, base)[row["id"]]
    assert f'href="{base}{row["id"]}/"' in first and cache.get(card_key(row, project, base)) == first
    cache.set(card_key(row, project, base), "<a>from the cache</a>")
    assert render_cards([row], project, base)[row["id"]] == "<a>from the cache</a>"


def test_the_cached_month_grid_follows_the_day_that_is_today(client_for, org, editor):
    project = make_project(org)
    make_plan(project, posts=3)
    client = client_for(editor)
    for day in (5, 6):
        with clock.freeze(datetime(MONTH.year, MONTH.month, day, 12, tzinfo=UTC)):
            html = client.get(cal_url(org, project)).content.decode()
        today = MONTH.replace(day=day).isoformat()
        assert html.count("is-today") == 1 and f'class="cal-day is-today" id="day-{today}"' in html
