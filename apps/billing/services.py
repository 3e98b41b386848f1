"""Reads about plans, subscriptions and usage, shared by the billing pages and by other apps.

Other apps call:
- `plan_allows_managed_keys(org)`: may the organization use the platform's own provider keys?
- `seat_limit_error(org)` / `project_limit_error(org)`: a translated reason when adding one more
  member or project would exceed the plan, else None.
- `apps.billing.quota` for everything that spends money.
"""

from collections import defaultdict
from datetime import UTC, date, datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.billing.models import (
    Plan,
    Reservation,
    ReservationStatus,
    Subscription,
    SubscriptionStatus,
    UsageAggregate,
    UsageKind,
    UsageLedger,
)
from apps.billing.plans import SEED_PLANS, ensure_seed_plans
from apps.core.months import next_month
from apps.orgs.models import Invitation, Membership, Organization
from apps.orgs.roles import Role

# Kinds with an organization-wide monthly limit, and the project budget field for each (if any).
MONTHLY_KINDS = (UsageKind.TOKENS, UsageKind.VIDEO_SECONDS, UsageKind.POSTS)
PER_POST_KINDS = (UsageKind.RENDERS, UsageKind.REGENERATIONS)
PROJECT_BUDGET_FIELDS = {
    UsageKind.TOKENS: "monthly_token_budget",
    UsageKind.VIDEO_SECONDS: "monthly_video_seconds_budget",
}


def format_number(value: int) -> str:
    """A count for a message, grouped the way the active language writes it (1,000 / 1.000)."""
    return number_format(value, force_grouping=True)


# --- months ---------------------------------------------------------------------------------


def month_of(moment: datetime | None = None) -> date:
    """The usage month (first day, in UTC) of `moment` (default: now)."""
    moment = moment or timezone.now()
    return moment.astimezone(UTC).date().replace(day=1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    start = datetime(month.year, month.month, 1, tzinfo=UTC)
    end_month = next_month(month)
    return start, datetime(end_month.year, end_month.month, 1, tzinfo=UTC)


# --- plans and subscriptions ---------------------------------------------------------------


def default_plan() -> Plan:
    plan = Plan.objects.filter(slug=settings.VF_BILLING_DEFAULT_PLAN).first()
    if plan is None:
        if settings.VF_BILLING_DEFAULT_PLAN not in SEED_PLANS:
            raise ImproperlyConfigured(
                f"VF_BILLING_DEFAULT_PLAN: there is no plan {settings.VF_BILLING_DEFAULT_PLAN!r}."
            )
        plan = ensure_seed_plans([settings.VF_BILLING_DEFAULT_PLAN])[settings.VF_BILLING_DEFAULT_PLAN]
    return plan


def get_subscription(org: Organization) -> Subscription:
    """The organization's subscription; an organization without one gets the default (Free) plan."""
    subscription = Subscription.objects.for_org(org).select_related("plan").first()
    if subscription is None:
        start, end = month_bounds(month_of())
        with transaction.atomic():
            subscription, _created = Subscription.objects.select_related("plan").get_or_create(
                organization=org,
                defaults={"plan": default_plan(), "current_period_start": start, "current_period_end": end},
            )
    elif subscription.status != SubscriptionStatus.CANCELED and subscription.current_period_end <= timezone.now():
        # Monthly periods roll over when the subscription is next looked at.
        start, end = month_bounds(month_of())
        Subscription.objects.for_org(org).filter(id=subscription.id).update(
            current_period_start=start, current_period_end=end
        )
        subscription.current_period_start, subscription.current_period_end = start, end
    return subscription


def effective_plan(subscription: Subscription) -> Plan:
    """A canceled subscription falls back to the default plan's limits."""
    if subscription.status == SubscriptionStatus.CANCELED:
        return default_plan()
    return subscription.plan


def get_plan(org: Organization) -> Plan:
    return effective_plan(get_subscription(org))


def plan_allows_managed_keys(org: Organization) -> bool:
    """May this organization use the platform's own (managed) provider keys?"""
    return get_plan(org).allows_managed_keys


def effective_seats(subscription: Subscription, plan: Plan | None = None) -> int:
    return max((plan or effective_plan(subscription)).seats, subscription.seats)


# --- seats and projects ---------------------------------------------------------------------


def seats_used(org: Organization) -> int:
    """Members plus pending (not accepted, not expired) invitations."""
    members = Membership.objects.for_org(org).count()
    pending = Invitation.objects.for_org(org).filter(accepted_at__isnull=True, expires_at__gt=timezone.now()).count()
    return members + pending


def seat_limit_error(org: Organization, adding: int = 1) -> str | None:
    """A translated reason if `adding` more seats would exceed the plan, else None.

    Call it inside the transaction that adds the seat: it locks the subscription row, so two
    concurrent invitations cannot both take the last seat.
    """
    get_subscription(org)
    subscription = Subscription.objects.for_org(org).select_for_update(of=("self",)).select_related("plan").get()
    seats = effective_seats(subscription)
    used = seats_used(org)
    if used + adding <= seats:
        return None
    return _(
        "Your plan has %(seats)s seats and %(used)s are taken (members and open invitations). "
        "Revoke an invitation or upgrade the plan to invite more people."
    ) % {"seats": seats, "used": used}


def project_count(org: Organization) -> int:
    return org.projects.count()  # Project is an app above billing: its reverse relation, no import


def project_limit_error(org: Organization, adding: int = 1) -> str | None:
    """A translated reason if `adding` more projects would exceed the plan, else None."""
    plan = get_plan(org)
    count = project_count(org)
    if count + adding <= plan.max_projects:
        return None
    return ngettext(
        "Your plan allows %(max)s project and you have %(count)s. Upgrade the plan to add more.",
        "Your plan allows %(max)s projects and you have %(count)s. Upgrade the plan to add more.",
        plan.max_projects,
    ) % {"max": plan.max_projects, "count": count}


# --- usage ---------------------------------------------------------------------------------


def _level(total: int, limit: int | None, soft_percent: int) -> str:
    if limit is None:
        return ""
    if total >= limit:
        return "hard"
    if total * 100 >= limit * soft_percent:
        return "soft"
    return "ok"


def _percentages(used: int, total: int, limit: int | None) -> tuple[int, int]:
    """(used + reserved, used) as whole percentages of the limit, capped at 100, for the bars."""
    if limit is None:
        return 0, 0
    if limit == 0:  # nothing allowed: a full bar
        return 100, 100
    percent = min(100, round(total * 100 / limit))
    return percent, min(percent, round(used * 100 / limit))


def usage_summary(org: Organization, month: date | None = None) -> dict:
    """Everything the "Plan & usage" page shows about one month, in a fixed number of queries."""
    month = month or month_of()
    subscription = get_subscription(org)
    plan = effective_plan(subscription)
    rows = list(UsageAggregate.objects.for_org(org).filter(month=month))
    org_rows = {row.kind: row for row in rows if row.project_id is None}
    kinds = []
    for kind, label in UsageKind.choices:
        row = org_rows.get(kind)
        used, reserved = (row.used, row.reserved) if row else (0, 0)
        limit = plan.monthly_limit(kind)
        total = used + reserved
        percent, used_percent = _percentages(used, total, limit)
        kinds.append(
            {
                "kind": kind,
                "label": label,
                "used": used,
                "reserved": reserved,
                "limit": limit,
                "left": max(0, limit - total) if limit is not None else None,
                "per_post_limit": plan.per_post_limit(kind),
                "percent": percent,
                "used_percent": used_percent,
                "reserved_percent": percent - used_percent,
                "level": _level(total, limit, plan.soft_limit_percent),
            }
        )
    by_project: dict = defaultdict(dict)
    for row in rows:
        if row.project_id is not None:
            by_project[row.project_id][row.kind] = row.used + row.reserved
    projects = []
    for project in org.projects.order_by("name"):
        usage = by_project.get(project.id, {})
        projects.append(
            {
                "project": project,
                "cells": [
                    {
                        "kind": kind,
                        "used": usage.get(kind, 0),
                        "budget": getattr(project, PROJECT_BUDGET_FIELDS[kind])
                        if kind in PROJECT_BUDGET_FIELDS
                        else None,
                    }
                    for kind in UsageKind.values
                ],
            }
        )
    start, end = month_bounds(month)
    return {
        "month": month,
        "month_start": start,
        "month_end": end,
        "subscription": subscription,
        "plan": plan,
        "seats": effective_seats(subscription, plan),
        "seats_used": seats_used(org),
        "project_count": len(projects),
        "kinds": kinds,
        "projects": projects,
    }


def soft_limit_kinds(org: Organization, month: date | None = None) -> list[dict]:
    """Kinds whose monthly usage crossed the plan's soft limit (for the banner)."""
    month = month or month_of()
    plan = get_plan(org)
    rows = UsageAggregate.objects.for_org(org).filter(month=month, project__isnull=True, kind__in=MONTHLY_KINDS)
    crossed = []
    for row in rows:
        limit = plan.monthly_limit(row.kind)
        level = _level(row.used + row.reserved, limit, plan.soft_limit_percent)
        if level in ("soft", "hard"):
            crossed.append(
                {
                    "kind": row.kind,
                    "label": UsageKind(row.kind).label,
                    "level": level,
                    "percent": plan.soft_limit_percent,
                }
            )
    return sorted(crossed, key=lambda item: UsageKind.values.index(item["kind"]))


def month_usage(org: Organization, month: date | None = None) -> dict[str, int]:
    """Used + reserved per kind this month, organization-wide."""
    month = month or month_of()
    rows = UsageAggregate.objects.for_org(org).filter(month=month, project__isnull=True)
    return {row.kind: row.used + row.reserved for row in rows}


def can_change_plan(org: Organization, new_plan: Plan) -> list[str]:
    """Translated reasons why the organization cannot switch to `new_plan` now (empty: it can)."""
    reasons = []
    subscription = get_subscription(org)
    if not new_plan.active:
        reasons.append(_("The %(plan)s plan is not available.") % {"plan": new_plan.name})
    if subscription.plan_id == new_plan.id and subscription.status != SubscriptionStatus.CANCELED:
        reasons.append(_("The organization is already on the %(plan)s plan.") % {"plan": new_plan.name})
    seats, used = effective_seats(subscription, new_plan), seats_used(org)
    if used > seats:
        reasons.append(
            _(
                "%(used)s seats are taken (members and open invitations), but the %(plan)s plan has %(seats)s. "
                "Remove members or revoke invitations first."
            )
            % {"used": used, "plan": new_plan.name, "seats": seats}
        )
    projects = project_count(org)
    if projects > new_plan.max_projects:
        reasons.append(
            _("The organization has %(count)s projects, but the %(plan)s plan allows %(max)s.")
            % {"count": projects, "plan": new_plan.name, "max": new_plan.max_projects}
        )
    usage = month_usage(org)
    for kind in MONTHLY_KINDS:
        limit = new_plan.monthly_limit(kind)
        if usage.get(kind, 0) > limit:
            reasons.append(
                _("This month's usage of %(kind)s (%(used)s) is above the %(plan)s plan's limit of %(limit)s.")
                % {
                    "kind": UsageKind(kind).label,
                    "used": format_number(usage[kind]),
                    "plan": new_plan.name,
                    "limit": format_number(limit),
                }
            )
    return reasons


def verify_aggregates(org: Organization) -> list[str]:
    """Compare every aggregate with the ledger and the open reservations; returns the mismatches (empty: consistent).

    `used` must equal the ledger's sum and `reserved` the open reservations' sum, per month and
    kind, organization-wide (project empty) and per project.
    """
    expected: dict = defaultdict(lambda: [0, 0])
    ledger = UsageLedger.objects.for_org(org).values("month", "kind", "project").annotate(total=Sum("quantity"))
    for row in ledger:
        expected[(row["month"], row["kind"], None)][0] += row["total"]
        if row["project"] is not None:
            expected[(row["month"], row["kind"], row["project"])][0] += row["total"]
    reserved = (
        Reservation.objects.for_org(org)
        .filter(status=ReservationStatus.RESERVED)
        .values("month", "kind", "project")
        .annotate(total=Sum("quantity"))
    )
    for row in reserved:
        expected[(row["month"], row["kind"], None)][1] += row["total"]
        if row["project"] is not None:
            expected[(row["month"], row["kind"], row["project"])][1] += row["total"]
    actual = {
        (row.month, row.kind, row.project_id): [row.used, row.reserved] for row in UsageAggregate.objects.for_org(org)
    }
    problems = []
    for key in sorted(set(expected) | set(actual), key=str):
        want, have = expected.get(key, [0, 0]), actual.get(key, [0, 0])
        if want != have:
            month, kind, project = key
            problems.append(
                f"{month:%Y-%m} {kind} project={project}: aggregate used/reserved={have[0]}/{have[1]}, "
                f"ledger/reservations={want[0]}/{want[1]}"
            )
    return problems


def counts_by_source(org: Organization, kind: str, source: str) -> int:
    """Ledger plus open reservations of `kind` for one object (e.g. renders of one post)."""
    used = UsageLedger.objects.for_org(org).filter(kind=kind, source=source).aggregate(n=Sum("quantity"))["n"] or 0
    held = (
        Reservation.objects.for_org(org)
        .filter(kind=kind, source=source, status=ReservationStatus.RESERVED)
        .aggregate(n=Sum("quantity"))["n"]
        or 0
    )
    return used + held


# --- soft-limit e-mail --------------------------------------------------------------------


def send_soft_limit_email(org_id, kind: str, month: date) -> None:
    """Tell the owners that `kind` crossed the soft limit: one message per language the owners use."""
    org = Organization.objects.get(id=org_id)
    plan = get_plan(org)
    owners = Membership.objects.for_org(org).filter(role=Role.OWNER).select_related("user").order_by("created_at")
    by_language: dict[str, list[str]] = defaultdict(list)
    for membership in owners:
        by_language[membership.user.language or settings.LANGUAGE_CODE].append(membership.user.email)
    usage = month_usage(org, month).get(kind, 0)
    link = settings.VF_BASE_URL.rstrip("/") + reverse("billing_usage", args=[org.slug])
    for language, recipients in by_language.items():
        with translation.override(language):
            context = {
                "org": org,
                "plan": plan,
                "kind": UsageKind(kind).label,
                "used": usage,
                "limit": plan.monthly_limit(kind),
                "percent": plan.soft_limit_percent,
                "month": month,
                "link": link,
            }
            subject = _("%(org)s has used %(percent)s%% of its monthly %(kind)s") % {
                "org": org.name,
                "percent": plan.soft_limit_percent,
                "kind": context["kind"],
            }
            body = render_to_string("billing/email/soft_limit.txt", context)
        send_mail(subject, body, None, recipients)
