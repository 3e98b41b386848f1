"""Writes for month plans: request, regenerate, and the plan state changes of a generation run.

The life of a plan (one project, one month):

- **Generate** (`do_request_month_plan`): a `ContentPlan` row with status *generating* (or the
  month's failed row, reused: a retry), a `JobRun` for the actor `generate_month_plan`, and a
  reservation of the month's posts quota (billing kind "posts", one per slot; a plan of the
  current month gets the slots from today on unless the user asks for the past days too,
  `first_planned_day`, and the job gets that day with its message). All in one
  transaction; the message goes out when it commits. Refused (`PlanError`, translated, 409)
  while a generation of the month runs, when the month already has a plan, for a month that is
  over, or when the posts quota is exhausted.
- **Regenerate** (`do_regenerate_month_plan`): the month's *ready* plan stays current (and
  shown) while the new version is drafted; its `job_run` points at the regeneration job. The
  new version is born *ready* at the end, in the same transaction that marks the old one
  *superseded*: first the old row leaves the "one current plan per month" constraint, then
  the new row enters it. Locked posts are copied unchanged (same date, slot, content, status)
  into the new version; posts locked when the regeneration started stay kept even if they
  were unlocked meanwhile, and posts locked meanwhile are kept too (their slot's new draft is
  dropped). Only the other slots are drafted; only posts added beyond the plan's size count
  against the posts quota (replacing posts the plan already has costs none).
- **The job's side** (`apps.posts.plan_runs`, the coordinator above this app) moves the plan
  through its states with `claim_plan`, `lock_plan_for_finish` + `do_finish_plan` (ready, or a
  new ready version superseding the old one) and `do_record_plan_failure`: a first generation
  becomes *failed* with the translated reason (the next request reuses the row), a failed
  regeneration leaves the ready plan as it was and records the reason in its `error`.

Who may: editors, admins and owners (`Role.EDITOR`).
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

import dramatiq
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from apps.billing.models import Reservation, UsageKind
from apps.billing.quota import QuotaExceeded, reserve
from apps.core.months import month_start
from apps.jobs.actions import do_enqueue_job
from apps.jobs.models import JobRun
from apps.orgs.roles import Role
from apps.planning.models import CURRENT_PLAN_STATUSES, ContentPlan, PlanStatus
from apps.planning.slots import month_slots
from apps.projects.models import Project

logger = logging.getLogger("viralforge.planning")

# How long a posts reservation may wait for its job before the stale-reservation job frees it.
RESERVATION_TTL_SECONDS = 6 * 3600
GENERATE_ACTOR = "generate_month_plan"  # apps.posts.tasks


class PlanError(Exception):
    """A request that cannot be done now; the message is translated and shown to the user."""

    def __init__(self, message: str, status: int = 409, *, quota: bool = False):
        super().__init__(message)
        self.message = message
        self.status = status
        self.quota = quota  # a limit of the plan refused it: the page links to Plan & usage


# --- lookups ----------------------------------------------------------------------------------


def current_plan(project: Project, month: date) -> ContentPlan | None:
    """The month's ready or generating plan (at most one, by a database constraint)."""
    return (
        ContentPlan.objects.for_org(project.organization_id)
        .filter(project=project, month=month_start(month), status__in=CURRENT_PLAN_STATUSES)
        .select_related("job_run")
        .first()
    )


def latest_plan(project: Project, month: date) -> ContentPlan | None:
    """The plan the month's "Generate" area describes: the current one, else the newest failed one."""
    plan = current_plan(project, month)
    if plan is not None:
        return plan
    return (
        ContentPlan.objects.for_org(project.organization_id)
        .filter(project=project, month=month_start(month), status=PlanStatus.FAILED)
        .select_related("job_run")
        .order_by("-created_at")
        .first()
    )


def _stale_after() -> timedelta:
    return timedelta(milliseconds=max(settings.VF_JOB_TIME_LIMIT_MS, 3_600_000))


def is_running(plan: ContentPlan | None) -> bool:
    """Is a generation or regeneration of this plan under way (queued, running or retrying)?"""
    if plan is None:
        return False
    if plan.job_run_id is not None:
        return plan.job_run.status in JobRun.ACTIVE
    # A synchronous run (demo seeding) has no job: trust it for the longest a job may take.
    return plan.status == PlanStatus.GENERATING and plan.created_at > timezone.now() - _stale_after()


def month_is_over(project: Project, month: date) -> bool:
    return month_start(month) < project.today().replace(day=1)


def month_label(month: date) -> str:
    return formats.date_format(month, "F Y")


# --- requests -----------------------------------------------------------------------------------


def _check(membership, project: Project, month: date) -> None:
    if membership.organization_id != project.organization_id:
        raise PermissionDenied
    if not membership.has_role(Role.EDITOR):
        raise PermissionDenied
    if month_is_over(project, month):
        raise PlanError(
            _("%(month)s is over. Plan the current month or a later one.") % {"month": month_label(month)}, 400
        )


def _lock_project(project: Project) -> None:
    """Serialise plan requests of one project (two clicks, two editors)."""
    Project.objects.for_org(project.organization_id).select_for_update().filter(pk=project.pk).first()


def _refuse_running(month: date) -> None:
    raise PlanError(
        _("A plan for %(month)s is being generated already. Please wait until it is ready.")
        % {"month": month_label(month)}
    )


def kept_posts(replace_reviewed: bool = False, first_day: date | None = None) -> Q:
    """The posts of a plan a regeneration keeps: locked ones always; approved and edited ones
    (version > 1: someone changed them) too, unless the user asked to replace those; and every
    post before `first_day` (a regeneration of the current month leaves the past alone)."""
    keep = Q(locked=True)
    if not replace_reviewed:
        keep |= Q(status="approved") | Q(version__gt=1)
    if first_day is not None:
        keep |= Q(date__lt=first_day)
    return keep


def first_planned_day(project: Project, month: date, *, include_past: bool = False) -> date | None:
    """The first day a plan of `month` gets posts on: today for the current month (no posts in the
    past) unless the user asks for the whole month; None (the whole month) for a later month."""
    today = project.today()
    if include_past or month_start(month) != today.replace(day=1):
        return None
    return today


def regenerated_size(plan: ContentPlan, first_day: date | None, replace_reviewed: bool = False) -> tuple[int, int]:
    """(posts of the new version, posts it keeps): the kept posts plus new drafts in the planned
    slots they do not take."""
    kept = set(plan.posts.filter(kept_posts(replace_reviewed, first_day)).values_list("date", "slot"))
    planned = {slot.key for slot in month_slots(plan.month, first_day)}
    return len(planned | kept), len(kept)


def _nothing_to_regenerate(plan: ContentPlan, month: date, first_day: date | None, replace_reviewed: bool) -> str:
    """Why a regeneration has no slot to draft again: only locked posts, or approved and edited ones
    the user can ask to replace (then say how)."""
    values = {"month": month_label(month)}
    slots, locked = regenerated_size(plan, first_day, replace_reviewed=True)
    if replace_reviewed or slots <= locked:
        if first_day is not None:
            return _("Every post of %(month)s from today on is locked, so there is nothing to regenerate.") % values
        return _("Every post of %(month)s is locked, so there is nothing to regenerate.") % values
    if first_day is not None:
        message = _(
            "Every post of %(month)s from today on is locked, approved or edited, so there is nothing to "
            "regenerate. Tick “Also replace” to draft the approved and edited ones again."
        )
    else:
        message = _(
            "Every post of %(month)s is locked, approved or edited, so there is nothing to regenerate. "
            "Tick “Also replace” to draft the approved and edited ones again."
        )
    return message % values


def _enqueue(
    plan: ContentPlan,
    *,
    regenerate: bool,
    user,
    language: str | None,
    replace_reviewed: bool = False,
    first_day: date | None = None,
) -> JobRun:
    # The actor lives with the job coordinator in apps.posts (above this app): looked up by name.
    return do_enqueue_job(
        dramatiq.get_broker().get_actor(GENERATE_ACTOR),
        organization=plan.organization,
        target=f"planning.ContentPlan:{plan.id}",
        plan_id=str(plan.id),
        regenerate=regenerate,
        user_id=str(user.pk) if user is not None else None,
        language=language or "",
        replace_reviewed=replace_reviewed,
        first_day=first_day.isoformat() if first_day else "",
    )


def posts_key(plan_id, nonce) -> str:
    return f"plan-posts:{plan_id}:{nonce}"


def reserve_posts(plan: ContentPlan, project: Project, quantity: int, key: str) -> Reservation | None:
    if quantity <= 0:
        return None
    try:
        return reserve(
            project.organization,
            UsageKind.POSTS,
            quantity,
            project=project,
            source=f"planning.ContentPlan:{plan.id}",
            idempotency_key=key,
            ttl=RESERVATION_TTL_SECONDS,
            month=plan.month,  # January's posts count against January, wherever "now" is
        )
    except QuotaExceeded as exc:
        raise PlanError(str(exc), quota=True) from None


def _retry_or_new_plan(project: Project, month: date) -> ContentPlan:
    """The month's failed attempt (a retry reuses it rather than adding a version), else a new version."""
    plan = (
        ContentPlan.objects.for_org(project.organization_id)
        .filter(project=project, month=month, status=PlanStatus.FAILED)
        .order_by("-version")
        .first()
    )
    if plan is not None:
        return plan
    latest = (
        ContentPlan.objects.for_org(project.organization_id)
        .filter(project=project, month=month)
        .aggregate(v=Max("version"))["v"]
    )
    return ContentPlan(organization=project.organization, project=project, month=month, version=(latest or 0) + 1)


def _generating(plan: ContentPlan, *, user) -> ContentPlan:
    plan.status, plan.error, plan.job_run, plan.created_by = PlanStatus.GENERATING, "", None, user
    plan.save()
    return plan


@transaction.atomic
def do_request_month_plan(
    membership, project: Project, month: date, *, language: str | None = None, include_past: bool = False
) -> ContentPlan:
    """Start generating the month's first plan (or retry a failed one). See the module docstring."""
    month = month_start(month)
    _check(membership, project, month)
    _lock_project(project)
    plan = current_plan(project, month)
    if plan is not None and plan.status == PlanStatus.READY:
        raise PlanError(
            _("%(month)s has a plan already. Use “Regenerate” to replace its unlocked posts.")
            % {"month": month_label(month)}
        )
    if plan is not None and is_running(plan):
        _refuse_running(month)
    plan = _generating(plan or _retry_or_new_plan(project, month), user=membership.user)
    first_day = first_planned_day(project, month, include_past=include_past)
    job = _enqueue(plan, regenerate=False, user=membership.user, language=language, first_day=first_day)
    plan.job_run = job
    plan.save(update_fields=["job_run"])
    reserve_posts(plan, project, len(month_slots(month, first_day)), posts_key(plan.id, job.id))
    logger.info("Month plan %s requested for project %s (%s).", plan.id, project.id, f"{month:%Y-%m}")
    return plan


@transaction.atomic
def do_regenerate_month_plan(
    membership,
    project: Project,
    month: date,
    *,
    language: str | None = None,
    replace_reviewed: bool = False,
    include_past: bool = False,
) -> ContentPlan:
    """Draft a new version of the month's ready plan, keeping its locked posts, and its approved and
    edited ones unless `replace_reviewed`; in the current month only the days from today on are
    drafted again (the past posts stay) unless `include_past`. Returns the current (ready) plan, whose `job_run` is the
    regeneration job."""
    month = month_start(month)
    _check(membership, project, month)
    _lock_project(project)
    plan = current_plan(project, month)
    if plan is None:
        raise PlanError(_("There is no plan for %(month)s yet.") % {"month": month_label(month)})
    if is_running(plan):
        _refuse_running(month)
    if plan.status != PlanStatus.READY:  # a stalled first generation: generate it again instead
        raise PlanError(_("The plan for %(month)s is not ready yet.") % {"month": month_label(month)})
    posts = plan.posts.count()  # PostItem (apps.posts) through its reverse relation
    first_day = first_planned_day(project, month, include_past=include_past)
    slots, kept = regenerated_size(plan, first_day, replace_reviewed)
    todo = slots - kept
    if todo <= 0:
        raise PlanError(_nothing_to_regenerate(plan, month, first_day, replace_reviewed))
    job = _enqueue(
        plan,
        regenerate=True,
        user=membership.user,
        language=language,
        replace_reviewed=replace_reviewed,
        first_day=first_day,
    )
    plan.job_run = job
    plan.error = ""
    plan.save(update_fields=["job_run", "error"])
    # A regeneration replaces posts the plan has: only posts it adds beyond the plan's size count.
    reserve_posts(plan, project, max(0, slots - posts), posts_key(plan.id, job.id))
    logger.info("Month plan %s: regeneration requested (%s unlocked posts).", plan.id, todo)
    return plan


def do_generate_or_regenerate(
    membership, project: Project, month: date, *, language=None, replace_reviewed: bool = False, include_past=False
) -> ContentPlan:
    """The "Generate" button: a first (or retried) generation, or a regeneration of a ready plan."""
    plan = current_plan(project, month_start(month))
    if plan is not None and plan.status == PlanStatus.READY:
        return do_regenerate_month_plan(
            membership,
            project,
            month,
            language=language,
            replace_reviewed=replace_reviewed,
            include_past=include_past,
        )
    return do_request_month_plan(membership, project, month, language=language, include_past=include_past)


# --- the job's side (called by apps.posts.plan_runs) ------------------------------------------------


def _same_job(plan: ContentPlan, job_run_id) -> bool:
    return str(plan.job_run_id or "") == str(job_run_id or "")


def _locked_plan(plan_id) -> ContentPlan | None:
    # Jobs get ids from trusted code (our own messages): crossing tenants here is safe.
    return (
        ContentPlan.objects.unscoped()
        .select_for_update(of=("self",))
        .select_related("project", "organization")
        .filter(id=plan_id)
        .first()
    )


def claim_plan(plan_id, job_run_id=None, *, regenerate: bool = False) -> ContentPlan | None:
    """Lock the plan and decide whether this run has work to do; None when it has not (the plan
    is ready, superseded, gone, or belongs to another job run: a redelivered or stale message).
    A failed first generation whose dead-letter job is re-queued goes back to generating, if no
    other plan of the month is current. Runs inside the caller's transaction."""
    plan = _locked_plan(plan_id)
    if plan is None or not _same_job(plan, job_run_id):
        logger.info("Month plan %s: nothing to do for job %s (gone or taken over).", plan_id, job_run_id)
        return None
    if regenerate:
        return plan if plan.status == PlanStatus.READY else None
    if plan.status == PlanStatus.FAILED:
        others = (
            ContentPlan.objects.for_org(plan.organization_id)
            .filter(project=plan.project_id, month=plan.month, status__in=CURRENT_PLAN_STATUSES)
            .exclude(pk=plan.pk)
        )
        if others.exists():
            return None
        plan.status, plan.error = PlanStatus.GENERATING, ""
        plan.save(update_fields=["status", "error"])
    return plan if plan.status == PlanStatus.GENERATING else None


def lock_plan_for_finish(plan_id, job_run_id, *, regenerate: bool) -> ContentPlan | None:
    """The plan, locked, if this run may still finish it (unchanged meanwhile); else None."""
    plan = _locked_plan(plan_id)
    expected = PlanStatus.READY if regenerate else PlanStatus.GENERATING
    if plan is None or plan.status != expected or not _same_job(plan, job_run_id):
        logger.warning("Month plan %s changed while it was generated; result dropped.", plan_id)
        return None
    return plan


def do_finish_plan(plan: ContentPlan, *, regenerate: bool, offline: bool, user_id=None) -> ContentPlan:
    """The plan the new posts belong to: `plan` itself, now ready; or, for a regeneration, a new
    ready version while `plan` becomes superseded (it leaves the "one current plan" constraint
    first). Runs inside the caller's transaction (the posts are written in it too)."""
    if not regenerate:
        plan.status, plan.error, plan.offline = PlanStatus.READY, "", offline
        plan.save(update_fields=["status", "error", "offline"])
        return plan
    plan.status = PlanStatus.SUPERSEDED
    plan.save(update_fields=["status"])
    org, project = plan.organization, plan.project
    latest = ContentPlan.objects.for_org(org).filter(project=project, month=plan.month).aggregate(v=Max("version"))
    return ContentPlan.objects.create(
        organization=org,
        project=project,
        month=plan.month,
        version=(latest["v"] or plan.version) + 1,
        status=PlanStatus.READY,
        job_run_id=plan.job_run_id,
        offline=offline,
        created_by_id=user_id or plan.created_by_id,
    )


@transaction.atomic
def do_record_plan_failure(plan_id, job_run_id, *, regenerate: bool, message: str) -> None:
    """A failed first generation becomes failed; a failed regeneration keeps the ready plan and
    records the reason. Nothing happens when the plan is gone or belongs to another run."""
    plan = ContentPlan.objects.unscoped().select_for_update(of=("self",)).filter(id=plan_id).first()
    if plan is None or not _same_job(plan, job_run_id):
        return
    if regenerate:
        if plan.status == PlanStatus.READY:
            plan.error = message[:2000]
            plan.save(update_fields=["error"])
    elif plan.status == PlanStatus.GENERATING:
        plan.status = PlanStatus.FAILED
        plan.error = message[:2000]
        plan.save(update_fields=["status", "error"])


@transaction.atomic
def do_prepare_plan_now(project: Project, month: date, *, user=None) -> tuple[ContentPlan, bool]:
    """For a generation in this process (demo seeding, benches): the month's plan row, generating
    and without a job, or the ready plan. Returns (plan, already_ready)."""
    month = month_start(month)
    _lock_project(project)
    plan = current_plan(project, month)
    if plan is not None and plan.status == PlanStatus.READY:
        return plan, True
    return _generating(plan or _retry_or_new_plan(project, month), user=user), False
