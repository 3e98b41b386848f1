"""The project calendar: a month grid (Monday first) with three slot cards per day.

`/o/<org>/p/<project>/calendar/<YYYY-MM>/` shows the posts of the month's current plan (ready
or generating). Every member may look. Filters (status, format) and the month navigation are
GET links and forms; with HTMX they swap `#calendar` (the partial) and push the URL. Clicking a
card opens the post editor panel (apps.posts.views) beside the grid.

Rendering: the grid and each card are partials of `posts/calendar.html` (`grid`, `card`). A
card's HTML is cached (the Django cache, shared by all processes) under the post's id, version
and `updated_at` (every save moves it, so a save invalidates the card) plus what else shows on
it (language, the project's address and slot time): one `get_many` fetches a page's cards and
only the missing ones are rendered.

Speed: the page runs a fixed number of queries whatever the number of posts (one for all the
current plan's posts as plain values, with the plan's status; an empty month asks for the plan
alone; filters apply in Python over at most 93 rows).
"""

from __future__ import annotations

import calendar
import uuid
from datetime import date

from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from apps.core.months import month_or_404, month_param, shift_month
from apps.orgs.access import OrgRequest, org_view
from apps.orgs.roles import Role
from apps.planning.models import CURRENT_PLAN_STATUSES
from apps.planning.plan_actions import current_plan
from apps.posts.models import PostItem, PostStatus, VideoState
from apps.projects.access import get_project
from apps.projects.links import calendar_url
from apps.projects.models import Project
from viralforge.htmx import wants_partial

TEMPLATE = "posts/calendar.html"
CARD_FIELDS = ("id", "date", "slot", "format", "hook", "status", "confidence", "locked", "review_reason", "video_state")
CARD_KEY_FIELDS = ("version", "updated_at")
CARD_CACHE_SECONDS = 7 * 24 * 3600
FORMAT_FILTER_MAX = 60


def posts_base_url(org_slug: str, project_slug: str) -> str:
    """`/o/<org>/p/<project>/posts/`: a card's URL is this plus `<id>/`."""
    zero = uuid.UUID(int=0)
    return reverse("post_detail", args=[org_slug, project_slug, zero]).removesuffix(f"{zero}/")


VIDEO_LABELS = {value: label for value, label in VideoState.choices if value}


def status_labels() -> dict[str, str]:
    """The status labels, translated once per request (no lazy objects in the loops)."""
    return {value: str(label) for value, label in PostStatus.choices}


def _card_context(values: dict, project: Project, post_base: str, labels: dict, oob: bool = False) -> dict:
    return {
        "card": values,
        "url": f"{post_base}{values['id']}/",
        "time": project.slot_time(values["slot"]),
        "label": labels.get(values["status"], values["status"]),
        "video_label": VIDEO_LABELS.get(values.get("video_state") or ""),
        "confidence": round((values["confidence"] or 0) * 100),
        "oob": oob,
    }


def card_key(values: dict, project: Project, post_base: str) -> str:
    stamp = values["updated_at"].timestamp() if values.get("updated_at") else ""
    where = f"{post_base}|{project.slot_time(values['slot'])}"
    video = values.get("video_state") or "-"  # set by the renderer without touching updated_at
    return f"calendar-card:{values['id']}:{values['version']}:{stamp}:{video}:{get_language()}:{where}"


def render_cards(rows: list[dict], project: Project, post_base: str) -> dict:
    """The cards' HTML by post id: from the cache, the missing ones rendered (and cached)."""
    keys = {row["id"]: card_key(row, project, post_base) for row in rows}
    cached = cache.get_many(list(keys.values()))
    template = get_template(f"{TEMPLATE}#card")
    labels = status_labels()
    fresh, cards = {}, {}
    for row in rows:
        key = keys[row["id"]]
        if key not in cached:
            cached[key] = fresh[key] = template.render(_card_context(row, project, post_base, labels))
        cards[row["id"]] = mark_safe(cached[key])  # noqa: S308 - the template's own (escaped) output
    if fresh:
        cache.set_many(fresh, CARD_CACHE_SECONDS)
    return cards


def card_for_post(post: PostItem, project: Project, post_base: str, oob: bool = False) -> str:
    """One post's card, rendered now (the editor's out-of-band update after a change)."""
    values = {name: getattr(post, name) for name in CARD_FIELDS}
    context = _card_context(values, project, post_base, status_labels(), oob)
    return get_template(f"{TEMPLATE}#card").render(context)


def _weeks(month_start: date, today: date, cards: dict, project: Project) -> list[list[dict]]:
    """The grid: weeks of days (outside the month: greyed), three (card or empty, slot time) per day."""
    times = [project.slot_time(n) for n in (1, 2, 3)]
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month_start.year, month_start.month):
        days = []
        for day in week:
            if day.month != month_start.month:
                days.append({"date": day, "outside": True})
                continue
            day_cards = cards.get(day, {})
            slots = [(day_cards.get(n), times[n - 1]) for n in (1, 2, 3)]
            days.append({"date": day, "iso": day.isoformat(), "today": day == today, "slots": slots})
        weeks.append(days)
    return weeks


def _filters(request) -> dict[str, str]:
    status = request.GET.get("status", "")
    fmt = request.GET.get("format", "")[:FORMAT_FILTER_MAX]
    return {"status": status if status in PostStatus.values else "", "format": fmt}


def calendar_context(request: OrgRequest, project: Project, month_start: date) -> dict:
    org = request.org
    filters = _filters(request)
    # One query for the current plan's posts and the plan's status; only an empty month asks for the plan alone.
    rows = list(
        PostItem.objects.for_org(org)
        .filter(project=project, plan__month=month_start, plan__status__in=CURRENT_PLAN_STATUSES)
        .order_by("date", "slot")
        .values(*CARD_FIELDS, *CARD_KEY_FIELDS, "plan_id", "plan__status", "plan__version")
    )
    if rows:
        plan = {"id": rows[0]["plan_id"], "status": rows[0]["plan__status"], "version": rows[0]["plan__version"]}
    else:
        found = current_plan(project, month_start)
        plan = {"id": found.id, "status": found.status, "version": found.version} if found else None
    labels = status_labels()
    slug, pslug = org.slug, project.slug
    counts = dict.fromkeys(PostStatus.values, 0)
    formats: set[str] = set()
    shown_rows = []
    for values in rows:
        counts[values["status"]] = counts.get(values["status"], 0) + 1
        formats.add(values["format"])
        if filters["status"] and values["status"] != filters["status"]:
            continue
        if filters["format"] and values["format"] != filters["format"]:
            continue
        shown_rows.append(values)
    html = render_cards(shown_rows, project, posts_base_url(slug, pslug))
    cards: dict[date, dict[int, str]] = {}
    for values in shown_rows:
        cards.setdefault(values["date"], {})[values["slot"]] = html[values["id"]]
    today = project.today()
    filtered = bool(filters["status"] or filters["format"])
    prev_month, next_month = shift_month(month_start, -1), shift_month(month_start, 1)
    this_month = today.replace(day=1)
    return {
        "project": project,
        "plan": plan,
        "month_start": month_start,
        "month": month_param(month_start),
        "weeks": _weeks(month_start, today, cards, project),
        "weekdays": _weekday_names(),
        "filters": filters,
        "filtered": filtered,
        "status_options": [(value, labels[value], counts.get(value, 0)) for value in PostStatus.values],
        "format_options": sorted(formats | ({filters["format"]} if filters["format"] else set()), key=str.casefold),
        "total": len(rows),
        "shown": len(shown_rows),
        "self_url": calendar_url(slug, pslug, month_start, **filters),
        "month_url": calendar_url(slug, pslug, month_start),
        "prev_url": calendar_url(slug, pslug, prev_month, **filters),
        "next_url": calendar_url(slug, pslug, next_month, **filters),
        "today_url": calendar_url(slug, pslug, this_month, **filters) if this_month != month_start else "",
        "prev_month": prev_month,
        "next_month": next_month,
        "can_edit": request.membership.has_role(Role.EDITOR),
        "can_manage": request.membership.has_role(Role.ADMIN),
        "calendar_url": calendar_url(slug, pslug, this_month),
    }


def _weekday_names() -> list[tuple[str, str]]:
    """(short, long) weekday names, Monday first, in the active language."""
    return [(str(WEEKDAYS_ABBR[i]), str(WEEKDAYS[i])) for i in range(7)]


@require_GET
@org_view()
def project_calendar(request: OrgRequest, project_slug: str, month: str) -> HttpResponse:
    month_start = month_or_404(month)
    project = get_project(request.org, project_slug)
    context = calendar_context(request, project, month_start)
    partial = wants_partial(request)
    response = render(request, f"{TEMPLATE}#calendar" if partial else TEMPLATE, context)
    if partial:
        response["HX-Push-Url"] = context["self_url"]  # the canonical address (no empty filters)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_GET
@org_view()
def project_calendar_today(request: OrgRequest, project_slug: str) -> HttpResponse:
    """The calendar of the current month (in the project's time zone)."""
    project = get_project(request.org, project_slug)
    return redirect(calendar_url(request.org.slug, project.slug, project.today().replace(day=1)))
