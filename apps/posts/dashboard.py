"""The project dashboard's month panel: the month's plan, post counts by status and the next posts due."""

from __future__ import annotations

from django.db.models import Count, Q

from apps.core import clock
from apps.core.months import next_month
from apps.planning.models import CURRENT_PLAN_STATUSES, ContentPlan
from apps.posts.access import can_edit_posts
from apps.posts.models import PostItem, PostStatus
from apps.projects.extensions import Panel, add_dashboard_panel


def month_panel(request, project) -> dict:
    """This month's counts and the next posts due, in a fixed number of queries."""
    org = request.org
    now = clock.now().astimezone(project.zone)
    today = now.date()
    month = today.replace(day=1)
    plans = list(ContentPlan.objects.for_org(org).filter(project=project, month=month).order_by("-version"))
    current = next((plan for plan in plans if plan.status in CURRENT_PLAN_STATUSES), None)
    posts = PostItem.objects.for_org(org).filter(project=project, plan__status__in=CURRENT_PLAN_STATUSES)
    counts = posts.filter(date__gte=month, date__lt=next_month(month)).aggregate(
        total=Count("id"),
        locked=Count("id", filter=Q(locked=True)),
        **{status: Count("id", filter=Q(status=status)) for status in PostStatus.values},
    )
    remaining_today = [n for n in (1, 2, 3) if project.slot_time(n) >= now.strftime("%H:%M")]
    upcoming = list(
        posts.filter(Q(date__gt=today) | Q(date=today, slot__in=remaining_today))
        .order_by("date", "slot")
        .only("id", "date", "slot", "format", "hook", "status", "locked", "confidence", "offline")[:5]
    )
    for post in upcoming:
        post.slot_time = project.slot_time(post.slot)
    return {
        "month": month,
        "month_key": month.strftime("%Y-%m"),
        "can_edit": can_edit_posts(request.membership),
        "today": today,
        "plan": current,
        "latest_plan": plans[0] if plans else None,
        "counts": counts,
        "status_counts": [(value, label, counts[value]) for value, label in PostStatus.choices],
        "upcoming": upcoming,
    }


def register() -> None:
    add_dashboard_panel(Panel("month", 10, "posts/_project_month.html", month_panel))
