"""The project calendar: month (a grid, Monday first, three slot cards per day), week (7 days × 3
slots, larger cards, checkboxes for bulk actions) and list (a sortable table with checkboxes).

`/o/<org>/p/<project>/calendar/<YYYY-MM>/?view=week&week=<monday>` shows the posts of the current
plans (ready or generating). Every member may look. The view, the week, the filters (status,
format, minimum confidence, needs review) and the list's sort order live in the URL; with HTMX
links and forms swap `#calendar` (the partial) and push the URL. Clicking a card opens the post
editor (apps.posts.views); editors drag cards between slots (static/js/calendar-dnd.js posts to
`post_move`, which checks the version the card showed).

Rendering: the grid and each card are partials of `posts/calendar.html` (`grid`, `card`). A
card's HTML is cached (the Django cache, shared by all processes) under the post's id, version
and `updated_at` (every save moves it, so a save invalidates the card) plus what else shows on
it (language, the project's address and slot time): one `get_many` fetches a page's cards and
only the missing ones are rendered.

Speed: every view runs a fixed number of queries whatever the number of posts (one for the
posts as plain values with their plan's status; the week view and an empty month ask for the
month's plan too; filters and sorting apply in Python over at most 93 rows).
"""

from __future__ import annotations

import calendar
import hashlib
import json
import uuid
import zlib
from datetime import date, timedelta

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from apps.core.months import month_or_404, month_param, shift_month
from apps.orgs.access import OrgRequest, org_view
from apps.orgs.roles import Role
from apps.planning.models import CURRENT_PLAN_STATUSES
from apps.planning.plan_actions import current_plan
from apps.posts import bulk
from apps.posts.access import approval_required, can_approve, can_edit_posts
from apps.posts.actions import is_blocked
from apps.posts.models import PostItem, PostStatus, VideoState
from apps.projects.access import get_project
from apps.projects.links import calendar_url
from apps.projects.models import Project
from viralforge.htmx import wants_partial

TEMPLATE = "posts/calendar.html"
CARD_FIELDS = (
    "id",
    "date",
    "slot",
    "format",
    "hook",
    "status",
    "confidence",
    "locked",
    "review_reason",
    "version",
    "video_state",
    "publish_state",
    "publish_info",
    "policy",  # a hard-block verdict shows the card as blocked
)
CARD_KEY_FIELDS = ("updated_at",)
CARD_CACHE_SECONDS = 7 * 24 * 3600
FORMAT_FILTER_MAX = 60


def posts_base_url(org_slug: str, project_slug: str) -> str:
    """`/o/<org>/p/<project>/posts/`: a card's URL is this plus `<id>/`."""
    zero = uuid.UUID(int=0)
    return reverse("post_detail", args=[org_slug, project_slug, zero]).removesuffix(f"{zero}/")


BLOCKED_LABEL = gettext_lazy("Blocked")
VIDEO_LABELS = {value: label for value, label in VideoState.choices if value}


def status_labels() -> dict[str, str]:
    """The status labels, translated once per request (no lazy objects in the loops)."""
    return {value: str(label) for value, label in PostStatus.choices}


def status_label(status: str, blocked: bool, labels: dict | None = None) -> str:
    """A post's status as shown: "Blocked" while a hard-block rule matches it (the compliance blocked state)."""
    if blocked:
        return str(BLOCKED_LABEL)
    return (labels or status_labels()).get(status, status)


def _card_context(values: dict, project: Project, post_base: str, labels: dict, oob: bool = False) -> dict:
    confidence = round((values["confidence"] or 0) * 100)
    blocked = is_blocked(values)
    return {
        "card": values,
        "url": f"{post_base}{values['id']}/",
        "time": project.slot_time(values["slot"]),
        "blocked": blocked,
        "label": status_label(values["status"], blocked, labels),
        "video_label": VIDEO_LABELS.get(values.get("video_state") or ""),
        "confidence": confidence,
        "decile": min(10, max(0, round(confidence / 10))),
        "lang": project.language,
        "oob": oob,
    }


def card_key(values: dict, project: Project, post_base: str) -> str:
    stamp = values["updated_at"].timestamp() if values.get("updated_at") else ""
    where = f"{post_base}|{project.slot_time(values['slot'])}|{project.language}"
    video = values.get("video_state") or "-"  # set by the renderer without touching updated_at
    published = publish_key(values)  # and by publishing
    return f"calendar-card:{values['id']}:{values['version']}:{stamp}:{video}:{published}:{get_language()}:{where}"


def publish_key(values: dict) -> str:
    info = values.get("publish_info") or {}
    digest = zlib.crc32(json.dumps(info, sort_keys=True).encode()) if info else ""
    return f"{values.get('publish_state') or '-'}.{digest}"


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
    values = {name: getattr(post, name) for name in (*CARD_FIELDS, *CARD_KEY_FIELDS)}
    context = _card_context(values, project, post_base, status_labels(), oob)
    return get_template(f"{TEMPLATE}#card").render(context)


VIEWS = ("month", "week", "list")
SORTS = {
    "date": lambda row: (row["date"], row["slot"]),
    "format": lambda row: (row["format"].casefold(), row["date"], row["slot"]),
    "status": lambda row: (row["status"], row["date"], row["slot"]),
    "confidence": lambda row: (row["confidence"] or 0, row["date"], row["slot"]),
}


def _weeks(month_start: date, today: date, cards: dict, project: Project) -> list[list[dict]]:
    """The grid: weeks of days (outside the month: greyed), three (card or empty, slot time) per day."""
    times = [project.slot_time(n) for n in (1, 2, 3)]
    weeks = []
    # Numbers as text: the template would localize each of the ~150 per page (a measurable share of its time).
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(month_start.year, month_start.month):
        days = []
        for day in week:
            if day.month != month_start.month:
                days.append({"date": day, "num": str(day.day), "outside": True})
                continue
            day_cards = cards.get(day, {})
            slots = [(day_cards.get(n), times[n - 1], str(n)) for n in (1, 2, 3)]
            days.append(
                {"date": day, "num": str(day.day), "iso": day.isoformat(), "today": day == today, "slots": slots}
            )
        weeks.append(days)
    return weeks


def _week_rows(monday: date, today: date, cards: dict, project: Project, rows: list[dict]) -> dict:
    """The week: seven day headers and three slot rows of (day, card or None, post id or None)."""
    days = [monday + timedelta(days=n) for n in range(7)]
    ids = {(row["date"], row["slot"]): row for row in rows}
    slots = []
    for n in (1, 2, 3):
        cells = []
        for day in days:
            row = ids.get((day, n))
            cells.append({"date": day, "iso": day.isoformat(), "card": cards.get(day, {}).get(n), "row": row})
        slots.append({"slot": n, "time": project.slot_time(n), "cells": cells})
    return {"days": [{"date": day, "iso": day.isoformat(), "today": day == today} for day in days], "slots": slots}


def _next_sort(current: str, column: str) -> str:
    """A column header's sort: ascending, or descending when it is already sorted by it ("" is by date)."""
    wanted = f"-{column}" if current == column else column
    return "" if wanted == "date" else wanted


def _filters(request) -> dict[str, str]:
    status = request.GET.get("status", "")
    fmt = request.GET.get("format", "")[:FORMAT_FILTER_MAX]
    confidence = request.GET.get("confidence", "")
    confidence = confidence if confidence.isdigit() and 0 < int(confidence) <= 100 else ""
    sort = request.GET.get("sort", "")
    sort = sort if sort.lstrip("-") in SORTS and sort != "date" else ""
    return {
        "status": status if status in PostStatus.values else "",
        "format": fmt,
        "confidence": confidence,
        "review": "1" if request.GET.get("review") == "1" else "",
        "sort": sort,
    }


def _matches(values: dict, filters: dict) -> bool:
    if filters["status"] and values["status"] != filters["status"]:
        return False
    if filters["format"] and values["format"] != filters["format"]:
        return False
    if filters["confidence"] and round((values["confidence"] or 0) * 100) < int(filters["confidence"]):
        return False
    return not (filters["review"] and values["status"] != PostStatus.NEEDS_REVIEW and not values["review_reason"])


def _view(request) -> str:
    view = request.GET.get("view", "")
    return view if view in VIEWS else "month"


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _week_start(request, month_start: date, today: date) -> date:
    """The week asked for (any day of it), else the week of today in this month, else the month's first week."""
    try:
        asked = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        asked = None
    if asked is not None and abs((asked - month_start).days) < 62:
        return _monday(asked)
    if today.replace(day=1) == month_start:
        return _monday(today)
    return _monday(month_start)


def _thursday_month(monday: date) -> date:
    """The month a week belongs to (ISO 8601: the month of its Thursday)."""
    return (monday + timedelta(days=3)).replace(day=1)


def calendar_context(request: OrgRequest, project: Project, month_start: date) -> dict:
    org = request.org
    view = _view(request)
    filters = _filters(request)
    today = project.today()
    week = _week_start(request, month_start, today) if view == "week" else None
    posts = PostItem.objects.for_org(org).filter(project=project, plan__status__in=CURRENT_PLAN_STATUSES)
    if week is not None:
        posts = posts.filter(date__gte=week, date__lte=week + timedelta(days=6))
    else:
        posts = posts.filter(plan__month=month_start)
    # One query for the posts and their plan's status; the week view (two months) and an empty month ask for the plan.
    rows = list(
        posts.order_by("date", "slot").values(
            *CARD_FIELDS, *CARD_KEY_FIELDS, "plan_id", "plan__status", "plan__version", "plan__month"
        )
    )
    month_rows = [row for row in rows if row["plan__month"] == month_start]
    if month_rows and week is None:
        first = month_rows[0]
        plan = {"id": first["plan_id"], "status": first["plan__status"], "version": first["plan__version"]}
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
        if _matches(values, filters):
            shown_rows.append(values)
    post_base = posts_base_url(slug, pslug)
    query = {key: value for key, value in filters.items() if key != "sort" or view == "list"}
    view_query = {"view": "" if view == "month" else view, "week": week.isoformat() if week else ""}
    filtered = bool(filters["status"] or filters["format"] or filters["confidence"] or filters["review"])
    prev_month, next_month = shift_month(month_start, -1), shift_month(month_start, 1)
    this_month = today.replace(day=1)
    context = {
        "project": project,
        "plan": plan,
        "view": view,
        "month_start": month_start,
        "month": month_param(month_start),
        "weekdays": _weekday_names(),
        "filters": filters,
        "filtered": filtered,
        "status_options": [(value, labels[value], counts.get(value, 0)) for value in PostStatus.values],
        "format_options": sorted(formats | ({filters["format"]} if filters["format"] else set()), key=str.casefold),
        "total": len(rows),
        "shown": len(shown_rows),
        "self_url": calendar_url(slug, pslug, month_start, **view_query, **query),
        "month_url": calendar_url(slug, pslug, month_start),
        "view_urls": {
            name: calendar_url(slug, pslug, month_start, view="" if name == "month" else name, **query)
            for name in VIEWS
        },
        "can_edit": request.membership.has_role(Role.EDITOR),
        "can_manage": request.membership.has_role(Role.ADMIN),
        "calendar_url": calendar_url(slug, pslug, this_month),
        "bulk_url": reverse("calendar_bulk", args=[slug, pslug]),
        "lang": project.language,
    }
    if view == "week":
        prev_week, next_week = week - timedelta(days=7), week + timedelta(days=7)
        context |= {
            "week": week,
            "week_end": week + timedelta(days=6),
            "prev_url": calendar_url(slug, pslug, _thursday_month(prev_week), view="week", week=prev_week, **query),
            "next_url": calendar_url(slug, pslug, _thursday_month(next_week), view="week", week=next_week, **query),
            "prev_label": _("Previous week"),
            "next_label": _("Next week"),
            "today_url": ""
            if week <= today <= week + timedelta(days=6)
            else calendar_url(slug, pslug, this_month, view="week", week=_monday(today), **query),
        }
    else:
        context |= {
            "prev_url": calendar_url(slug, pslug, prev_month, **view_query, **query),
            "next_url": calendar_url(slug, pslug, next_month, **view_query, **query),
            "prev_label": date_format(prev_month, "YEAR_MONTH_FORMAT"),
            "next_label": date_format(next_month, "YEAR_MONTH_FORMAT"),
            "today_url": calendar_url(slug, pslug, this_month, **view_query, **query)
            if this_month != month_start
            else "",
        }
    if view == "list":
        sort = filters["sort"] or "date"
        shown_rows.sort(key=SORTS[sort.lstrip("-")], reverse=sort.startswith("-"))
        for row in shown_rows:
            row["url"] = f"{post_base}{row['id']}/"
            row["blocked"] = is_blocked(row)
            row["label"] = status_label(row["status"], row["blocked"], labels)
            row["percent"] = round((row["confidence"] or 0) * 100)
            row["time"] = project.slot_time(row["slot"])
        sort_query = {key: value for key, value in query.items() if key != "sort"}
        context["list_rows"] = shown_rows
        context["sort"] = sort
        context["sort_urls"] = {
            name: calendar_url(
                slug,
                pslug,
                month_start,
                view="list",
                sort=_next_sort(sort, name),
                **sort_query,
            )
            for name in SORTS
        }
        return context
    html = render_cards(shown_rows, project, post_base)
    cards: dict[date, dict[int, str]] = {}
    for values in shown_rows:
        cards.setdefault(values["date"], {})[values["slot"]] = html[values["id"]]
    if view == "week":
        context["week_grid"] = _week_rows(week, today, cards, project, shown_rows)
    else:
        context["grid"] = _month_grid(month_start, today, cards, project, shown_rows, filtered, post_base)
    return context


def _month_grid(month_start, today, cards, project, rows, filtered, post_base) -> str:
    """The month grid's HTML, cached under what it shows: its cards' own keys (each post's version,
    state and language), the day that is today, the slot times and whether a filter is on."""
    times = ",".join(str(project.slot_time(n)) for n in (1, 2, 3))
    shown = "|".join(card_key(row, project, post_base) for row in rows)
    digest = hashlib.sha1(shown.encode(), usedforsecurity=False).hexdigest()
    key = f"calendar-grid:{project.id}:{month_start}:{today}:{filtered}:{get_language()}:{times}:{digest}"
    grid = cache.get(key)
    if grid is None:
        context = {"weeks": _weeks(month_start, today, cards, project), "filtered": filtered}
        grid = get_template(f"{TEMPLATE}#grid").render(context)
        cache.set(key, grid, CARD_CACHE_SECONDS)
    return mark_safe(grid)  # noqa: S308 - the template's own (escaped) output


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


@require_POST
@org_view()
def calendar_bulk(request: OrgRequest, project_slug: str) -> HttpResponse:
    """A bulk action on the selected posts; answers with a result per post in the calendar's status area.

    approve: who may approve under the project's rule (else 403); lock, unlock, review: editors and above.
    """
    project = get_project(request.org, project_slug)
    action = request.POST.get("action", "")
    if action == "approve":
        if approval_required(project) and not can_approve(request.membership, project):
            raise PermissionDenied
        if not approval_required(project) and not can_edit_posts(request.membership):
            raise PermissionDenied
    elif not can_edit_posts(request.membership):
        raise PermissionDenied
    selection = bulk.parse_selection(request.POST.getlist("post"))
    if action not in bulk.ACTIONS or not selection:
        error = _("Choose an action and at least one post.") if selection else _("Select at least one post first.")
        return _status(request, project, 400, error=error)
    if action == "approve" and not approval_required(project):
        return _status(request, project, 409, error=_("This project has no approval step."))
    posts = list(PostItem.objects.for_org(request.org).filter(project=project, id__in=list(selection)))
    if not posts:
        return _status(request, project, 400, error=_("Select at least one post first."))
    results = bulk.apply_to_posts(posts, action, selection, actor=request.user)
    done = sum(result.changed for result in results)
    summary = ngettext(
        "%(action)s: %(done)s of %(total)s post done.", "%(action)s: %(done)s of %(total)s posts done.", len(results)
    ) % {"action": bulk.ACTIONS[action], "done": done, "total": len(results)}
    if not wants_partial(request):
        messages.success(request, summary)
        return redirect(_back(request, project))
    response = _status(request, project, 200, message=summary, results=results)
    if done:
        trigger_client_event(response, "postMoved", {})  # the calendar reloads itself with the new states
    return response


def _status(request, project, status: int, **context) -> HttpResponse:
    labels = status_labels()
    for result in context.get("results", ()):
        result.label = status_label(result.post.status, is_blocked(result.post), labels)
    return render(request, f"{TEMPLATE}#move_status", {"project": project, **context}, status=status)


def _back(request, project) -> str:
    """Where a plain form post returns: the calendar page it came from (same host only), else this month's."""
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        return back
    return calendar_url(request.org.slug, project.slug, project.today().replace(day=1))
