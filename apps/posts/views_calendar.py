"""The project calendar: a month grid (Monday first) with three slot cards per day.

`/o/<org>/p/<project>/calendar/<YYYY-MM>/` shows the posts of the month's current plan (ready
or generating). Every member may look. Filters (status, format) and the month navigation are
GET links and forms; with HTMX they swap `#calendar` (the partial) and push the URL. Clicking a
card opens the post editor panel (apps.posts.views) beside the grid.

Speed: the page runs a fixed number of queries whatever the number of posts (one for all the
current plan's posts as plain values, with the plan's status; an empty month asks for the plan
alone; filters apply in Python over at most 93 rows). The grid's rows are built in Python
(`grid_html`, `card_html`) from those values with translations looked up once per request:
no template loop, model method, lazy translation or `{% url %}` per card (a card's URL is the
posts base URL plus its id). Nothing is cached between requests.
"""

from __future__ import annotations

import calendar
import html
import uuid
from datetime import date

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from apps.core.months import month_or_404, month_param, shift_month
from apps.orgs.access import OrgRequest, org_view
from apps.orgs.roles import Role
from apps.planning.models import PlanStatus
from apps.planning.plan_actions import current_plan
from apps.posts.models import PostItem, PostStatus
from apps.projects.access import get_project
from apps.projects.links import calendar_url
from apps.projects.models import Project

TEMPLATE = "posts/calendar.html"
CURRENT_PLAN_STATUSES = (PlanStatus.GENERATING, PlanStatus.READY)
HOOK_SHORT = 72
REASON_SHORT = 90
CARD_FIELDS = ("id", "date", "slot", "format", "hook", "status", "confidence", "locked", "review_reason")
FORMAT_FILTER_MAX = 60


def posts_base_url(org_slug: str, project_slug: str) -> str:
    """`/o/<org>/p/<project>/posts/`: a card's URL is this plus `<id>/`."""
    zero = uuid.UUID(int=0)
    return reverse("post_detail", args=[org_slug, project_slug, zero]).removesuffix(f"{zero}/")


def escape(value) -> str:
    """HTML-escape (the standard library's, without Django's lazy-string wrapper: this runs ~1000 times a page)."""
    return html.escape(str(value))


def card_texts() -> dict[str, str]:
    """The grid's fixed texts, translated and escaped once per request."""
    return {
        "locked": escape(_("Locked")),
        "confidence": escape(_("Confidence")),
        "empty": escape(_("Empty slot")),
    }


def status_labels() -> dict[str, str]:
    """The status labels, translated once per request (no lazy objects in the loops)."""
    return {value: str(label) for value, label in PostStatus.choices}


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def card_html(values: dict, labels: dict[str, str], project: Project, post_base: str, texts: dict, oob=False) -> str:
    """One post's card (`values`: a dict of CARD_FIELDS) as HTML.

    Built here rather than in the template: 90 cards through the template engine cost more than
    the rest of the page. `post_base` and `texts` must already be escaped.
    """
    status = escape(values["status"])
    label = escape(labels.get(values["status"], values["status"]))
    hook = values["hook"] or ""
    url = f"{post_base}{values['id']}/"
    classes = "slot-card status-" + status + (" is-locked" if values["locked"] else "")
    extra = ' hx-swap-oob="true"' if oob else ""
    time = escape(project.slot_time(values["slot"]))
    confidence = round((values["confidence"] or 0) * 100)
    lock = ""
    if values["locked"]:
        lock = (
            f'<span class="slot-lock" title="{texts["locked"]}"><span aria-hidden="true">🔒</span>'
            f'<span class="visually-hidden">{texts["locked"]}</span></span>'
        )
    reason = values["review_reason"] or ""
    if reason:
        reason = (
            f'<span class="slot-reason"><span aria-hidden="true">⚠</span> {escape(_short(reason, REASON_SHORT))}</span>'
        )
    return (
        f'<a id="card-{values["id"]}" class="{classes}" href="{url}" hx-get="{url}" hx-target="#post-panel" '
        f'hx-swap="innerHTML show:top" title="{escape(hook)}"{extra}>'
        f'<span class="slot-meta"><span class="slot-time">{time}</span>'
        f'<span class="slot-format">{escape(values["format"])}</span>{lock}</span>'
        f'<span class="slot-hook">{escape(_short(hook, HOOK_SHORT))}</span>'
        f'<span class="slot-foot"><span class="badge badge-status-{status}">{label}</span>'
        f'<span class="slot-confidence" title="{texts["confidence"]}">{confidence}%</span></span>'
        f"{reason}</a>"
    )


def card_for_post(post: PostItem, project: Project, post_base: str, oob: bool = False) -> str:
    values = {name: getattr(post, name) for name in CARD_FIELDS}
    return mark_safe(card_html(values, status_labels(), project, escape(post_base), card_texts(), oob))  # noqa: S308


def grid_html(weeks, month_start: date, today: date, cards: dict, project: Project, texts: dict, filtered: bool) -> str:
    """The grid's rows: one cell per day (outside the month greyed), three slots per day."""
    empty_label = "" if filtered else f' <span class="visually-hidden">{texts["empty"]}</span>'
    empties = [
        f'<div class="slot-empty"><span class="slot-time">{escape(project.slot_time(n))}</span>{empty_label}</div>'
        for n in (1, 2, 3)
    ]
    rows = []
    for week in weeks:
        cells = []
        for day in week:
            if day.month != month_start.month:
                cells.append(
                    f'<td class="cal-day is-outside" aria-hidden="true"><div class="cal-date">{day.day}</div></td>'
                )
                continue
            iso = day.isoformat()
            day_cards = cards.get(day, {})
            slots = "".join(day_cards.get(n) or empties[n - 1] for n in (1, 2, 3))
            cells.append(
                f'<td class="cal-day{" is-today" if day == today else ""}" id="day-{iso}">'
                f'<div class="cal-date"><time datetime="{iso}">{day.day}</time></div>{slots}</td>'
            )
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return "".join(rows)


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
        .values(*CARD_FIELDS, "plan_id", "plan__status", "plan__version")
    )
    if rows:
        plan = {"id": rows[0]["plan_id"], "status": rows[0]["plan__status"], "version": rows[0]["plan__version"]}
    else:
        found = current_plan(project, month_start)
        plan = {"id": found.id, "status": found.status, "version": found.version} if found else None
    labels = status_labels()
    texts = card_texts()
    slug, pslug = org.slug, project.slug
    post_base = escape(posts_base_url(slug, pslug))
    counts = dict.fromkeys(PostStatus.values, 0)
    formats: set[str] = set()
    cards: dict[date, dict[int, str]] = {}
    shown = 0
    for values in rows:
        counts[values["status"]] = counts.get(values["status"], 0) + 1
        formats.add(values["format"])
        if filters["status"] and values["status"] != filters["status"]:
            continue
        if filters["format"] and values["format"] != filters["format"]:
            continue
        cards.setdefault(values["date"], {})[values["slot"]] = card_html(values, labels, project, post_base, texts)
        shown += 1
    today = project.today()
    filtered = bool(filters["status"] or filters["format"])
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(month_start.year, month_start.month)
    prev_month, next_month = shift_month(month_start, -1), shift_month(month_start, 1)
    this_month = today.replace(day=1)
    return {
        "project": project,
        "plan": plan,
        "month_start": month_start,
        "month": month_param(month_start),
        "grid": mark_safe(grid_html(weeks, month_start, today, cards, project, texts, filtered)),  # noqa: S308
        "weekdays": _weekday_names(),
        "filters": filters,
        "filtered": filtered,
        "status_options": [(value, labels[value], counts.get(value, 0)) for value in PostStatus.values],
        "format_options": sorted(formats | ({filters["format"]} if filters["format"] else set()), key=str.casefold),
        "total": len(rows),
        "shown": shown,
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
    from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR

    return [(str(WEEKDAYS_ABBR[i]), str(WEEKDAYS[i])) for i in range(7)]


def _partial(request) -> bool:
    return bool(request.htmx) and not request.htmx.boosted and not request.htmx.history_restore_request


@require_GET
@org_view()
def project_calendar(request: OrgRequest, project_slug: str, month: str) -> HttpResponse:
    month_start = month_or_404(month)
    project = get_project(request.org, project_slug)
    context = calendar_context(request, project, month_start)
    partial = _partial(request)
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
