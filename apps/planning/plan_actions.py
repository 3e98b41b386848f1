"""Writes for month plans: request, regenerate, and what the pipeline persists at its end.

The life of a plan (one project, one month):

- **Generate** (`do_request_month_plan`): a `ContentPlan` row with status *generating* (or the
  month's failed row, reused: a retry), a `JobRun` for the actor `generate_month_plan`, and a
  reservation of the month's posts quota (billing kind "posts", one per slot). All in one
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
  dropped). Only the other slots are drafted and count against the posts quota.
- **Complete** (`do_complete_month_plan`): one transaction writes the posts, the plan's status
  (and the superseding), remembers the new hooks for the similarity guard and commits the
  posts reservation with the number of posts really written.
- **Fail** (`do_fail_month_plan`): no post is written; a first generation becomes *failed*
  with the translated reason (the next request reuses the row), a failed regeneration leaves
  the ready plan as it was and records the reason in its `error`. The posts reservation is
  released.

Who may: editors, admins and owners (`Role.EDITOR`).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from apps.billing.models import Reservation, UsageKind
from apps.billing.quota import QuotaExceeded, commit, release, reserve
from apps.core.months import month_start
from apps.jobs.actions import do_enqueue_job
from apps.jobs.models import JobRun
from apps.orgs.roles import Role
from apps.planning.models import ContentPlan, PlanStatus
from apps.planning.pipeline import PlanFailed, PlanResult, Slot, month_slots
from apps.projects.models import Project

logger = logging.getLogger("viralforge.planning")

CURRENT_STATUSES = (PlanStatus.GENERATING, PlanStatus.READY)
# How long a posts reservation may wait for its job before the stale-reservation job frees it.
RESERVATION_TTL_SECONDS = 6 * 3600


class PlanError(Exception):
    """A request that cannot be done now; the message is translated and shown to the user."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.message = message
        self.status = status


# --- lookups ----------------------------------------------------------------------------------


def current_plan(project: Project, month: date) -> ContentPlan | None:
    """The month's ready or generating plan (at most one, by a database constraint)."""
    return (
        ContentPlan.objects.for_org(project.organization_id)
        .filter(project=project, month=month_start(month), status__in=CURRENT_STATUSES)
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


def _enqueue(plan: ContentPlan, *, regenerate: bool, user, language: str | None) -> JobRun:
    from apps.planning.tasks import generate_month_plan

    return do_enqueue_job(
        generate_month_plan,
        organization=plan.organization,
        target=f"planning.ContentPlan:{plan.id}",
        plan_id=str(plan.id),
        regenerate=regenerate,
        user_id=str(user.pk) if user is not None else None,
        language=language or "",
    )


def posts_key(plan_id, nonce) -> str:
    return f"plan-posts:{plan_id}:{nonce}"


def _reserve_posts(plan: ContentPlan, project: Project, quantity: int, key: str) -> Reservation | None:
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
        )
    except QuotaExceeded as exc:
        raise PlanError(str(exc)) from None


@transaction.atomic
def do_request_month_plan(membership, project: Project, month: date, *, language: str | None = None) -> ContentPlan:
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
    if plan is None:  # reuse the month's failed attempt, if any: a retry, not another version
        plan = (
            ContentPlan.objects.for_org(project.organization_id)
            .filter(project=project, month=month, status=PlanStatus.FAILED)
            .order_by("-version")
            .first()
        )
    if plan is None:
        latest = (
            ContentPlan.objects.for_org(project.organization_id)
            .filter(project=project, month=month)
            .aggregate(v=Max("version"))["v"]
        )
        plan = ContentPlan(organization=project.organization, project=project, month=month, version=(latest or 0) + 1)
    plan.status = PlanStatus.GENERATING
    plan.error = ""
    plan.created_by = membership.user
    plan.save()
    job = _enqueue(plan, regenerate=False, user=membership.user, language=language)
    plan.job_run = job
    plan.save(update_fields=["job_run"])
    _reserve_posts(plan, project, len(month_slots(month)), posts_key(plan.id, job.id))
    logger.info("Month plan %s requested for project %s (%s).", plan.id, project.id, f"{month:%Y-%m}")
    return plan


@transaction.atomic
def do_regenerate_month_plan(membership, project: Project, month: date, *, language: str | None = None) -> ContentPlan:
    """Draft a new version of the month's ready plan, keeping its locked posts. Returns the
    current (ready) plan, whose `job_run` is the regeneration job."""
    from apps.posts.models import PostItem

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
    locked = PostItem.objects.for_org(project.organization_id).filter(plan=plan, locked=True).count()
    todo = len(month_slots(month)) - locked
    if todo <= 0:
        raise PlanError(_("Every post of this month is locked, so there is nothing to regenerate."))
    job = _enqueue(plan, regenerate=True, user=membership.user, language=language)
    plan.job_run = job
    plan.error = ""
    plan.save(update_fields=["job_run", "error"])
    _reserve_posts(plan, project, todo, posts_key(plan.id, job.id))
    logger.info("Month plan %s: regeneration requested (%s unlocked posts).", plan.id, todo)
    return plan


def do_generate_or_regenerate(membership, project: Project, month: date, *, language=None) -> ContentPlan:
    """The "Generate" button: a first (or retried) generation, or a regeneration of a ready plan."""
    plan = current_plan(project, month_start(month))
    if plan is not None and plan.status == PlanStatus.READY:
        return do_regenerate_month_plan(membership, project, month, language=language)
    return do_request_month_plan(membership, project, month, language=language)


# --- the job's side -------------------------------------------------------------------------------


@dataclass
class PlanWork:
    """What one run of the pipeline does for a plan (see `claim_plan_work`)."""

    plan: ContentPlan
    regenerate: bool
    job_run_id: str | None
    slots: list[Slot]
    locked_ids: list = field(default_factory=list)
    locked_hooks: list[str] = field(default_factory=list)
    user_id: str | None = None
    nonce: str = ""

    @property
    def retryable(self) -> bool:
        """Run by a job (Dramatiq retries it), not synchronously."""
        return self.job_run_id is not None

    @property
    def posts_key(self) -> str:
        return posts_key(self.plan.id, self.job_run_id or self.nonce)


def _same_job(plan: ContentPlan, job_run_id) -> bool:
    return str(plan.job_run_id or "") == str(job_run_id or "")


def claim_plan_work(plan_id, job_run_id=None, *, regenerate: bool = False, user_id=None) -> PlanWork | None:
    """Re-fetch the plan and decide whether this run has work to do; None when it has not (the
    plan is ready, superseded, gone, or belongs to another job run: a redelivered or stale
    message). A failed first generation whose dead-letter job is re-queued goes back to
    generating, if no other plan of the month is current."""
    from apps.posts.models import PostItem

    with transaction.atomic():
        # Jobs get ids from trusted code (our own messages): crossing tenants here is safe.
        plan = (
            ContentPlan.objects.unscoped()
            .select_for_update(of=("self",))
            .select_related("project", "organization")
            .filter(id=plan_id)
            .first()
        )
        if plan is None or not _same_job(plan, job_run_id):
            logger.info("Month plan %s: nothing to do for job %s (gone or taken over).", plan_id, job_run_id)
            return None
        if regenerate:
            if plan.status != PlanStatus.READY:
                return None
        elif plan.status == PlanStatus.FAILED:
            others = (
                ContentPlan.objects.for_org(plan.organization_id)
                .filter(project=plan.project_id, month=plan.month, status__in=CURRENT_STATUSES)
                .exclude(pk=plan.pk)
            )
            if others.exists():
                return None
            plan.status, plan.error = PlanStatus.GENERATING, ""
            plan.save(update_fields=["status", "error"])
        elif plan.status != PlanStatus.GENERATING:
            return None
        slots = month_slots(plan.month)
        locked = []
        if regenerate:
            locked = list(
                PostItem.objects.for_org(plan.organization_id)
                .filter(plan=plan, locked=True)
                .values_list("id", "date", "slot", "hook")
            )
            taken = {(row[1], row[2]) for row in locked}
            slots = [slot for slot in slots if slot.key not in taken]
    return PlanWork(
        plan=plan,
        regenerate=regenerate,
        job_run_id=str(job_run_id) if job_run_id else None,
        slots=slots,
        locked_ids=[row[0] for row in locked],
        locked_hooks=[row[3] for row in locked],
        user_id=str(user_id) if user_id else None,
        nonce=str(job_run_id or uuid.uuid4()),
    )


def reserve_plan_posts(work: PlanWork) -> Reservation | None:
    """The posts reservation of this run (made by the request; made again after a release)."""
    try:
        return _reserve_posts(work.plan, work.plan.project, len(work.slots), work.posts_key)
    except PlanError as exc:
        raise PlanFailed(exc.message) from None


def _post_values(draft) -> dict:
    return {
        "format": draft.format,
        "hook": draft.hook,
        "script": draft.script,
        "storyboard": draft.storyboard,
        "video_prompt": draft.video_prompt,
        "caption": draft.caption,
        "hashtags": draft.hashtags,
        "confidence": draft.confidence,
        "rationale": draft.rationale,
        "status": draft.status,
        "review_reason": draft.review_reason,
        "policy": draft.policy,
        "offline": draft.offline,
    }


COPIED_FIELDS = (
    "date",
    "slot",
    "format",
    "hook",
    "script",
    "storyboard",
    "video_prompt",
    "caption",
    "hashtags",
    "confidence",
    "rationale",
    "status",
    "review_reason",
    "policy",
    "locked",
    "version",
    "offline",
    "approved_by_id",
    "approved_at",
)


def do_complete_month_plan(work: PlanWork, result: PlanResult, reservation: Reservation | None):
    """Persist the drafted plan in one transaction (see the module docstring). Returns the ready
    plan, or None when the plan was taken over or deleted meanwhile (nothing is written)."""
    from apps.ai.similarity import SimilarityGuard
    from apps.posts.models import PostItem

    with transaction.atomic():
        plan = (
            ContentPlan.objects.unscoped()
            .select_for_update(of=("self",))
            .select_related("project", "organization")
            .filter(id=work.plan.id)
            .first()
        )
        expected = PlanStatus.READY if work.regenerate else PlanStatus.GENERATING
        if plan is None or plan.status != expected or not _same_job(plan, work.job_run_id):
            logger.warning("Month plan %s changed while it was generated; result dropped.", work.plan.id)
            ready = None
        else:
            ready = _persist(plan, work, result, PostItem, SimilarityGuard)
        if reservation is not None:
            if ready is None:
                release(reservation)
            else:
                commit(reservation, ready._vf_new_posts)
    return ready


def _persist(plan: ContentPlan, work: PlanWork, result: PlanResult, PostItem, SimilarityGuard):  # noqa: N803
    org, project = plan.organization, plan.project
    kept = []
    if work.regenerate:
        kept = list(
            PostItem.objects.for_org(org)
            .filter(plan=plan)
            .filter(Q(locked=True) | Q(id__in=list(work.locked_ids)))
            .order_by("date", "slot")
        )
        plan.status = PlanStatus.SUPERSEDED
        plan.save(update_fields=["status"])  # leaves the "one current plan" constraint first
        latest = ContentPlan.objects.for_org(org).filter(project=project, month=plan.month).aggregate(v=Max("version"))
        target = ContentPlan.objects.create(
            organization=org,
            project=project,
            month=plan.month,
            version=(latest["v"] or plan.version) + 1,
            status=PlanStatus.READY,
            job_run_id=plan.job_run_id,
            offline=result.offline,
            created_by_id=work.user_id or plan.created_by_id,
        )
    else:
        target = plan
        plan.status = PlanStatus.READY
        plan.error = ""
        plan.offline = result.offline
        plan.save(update_fields=["status", "error", "offline"])

    rows = []
    taken = set()
    for post in kept:
        values = {name: getattr(post, name) for name in COPIED_FIELDS}
        rows.append(PostItem(organization=org, project=project, plan=target, **values))
        taken.add((post.date, post.slot))
    free = [slot for slot in month_slots(plan.month) if slot.key not in taken]
    by_key = {draft.slot.key: draft for draft in result.posts}
    leftovers = [draft for draft in result.posts if draft.slot.key in taken]
    generated = []
    for slot in free:
        draft = by_key.get(slot.key)
        if draft is None:
            if not leftovers:
                continue
            draft = leftovers.pop(0)
        generated.append(
            PostItem(
                organization=org, project=project, plan=target, date=slot.date, slot=slot.number, **_post_values(draft)
            )
        )
    rows.extend(generated)
    PostItem.objects.bulk_create(rows)
    if generated:
        guard = SimilarityGuard(org, project, "hook")
        guard.remember_many([(post.hook, f"posts.PostItem:{post.id}") for post in generated if post.hook.strip()])
    target._vf_new_posts = len(generated)
    logger.info(
        "Month plan %s v%s ready: %s new posts, %s kept, %s calls, %.1f s.",
        target.id,
        target.version,
        len(generated),
        len(kept),
        result.calls,
        result.seconds,
    )
    return target


def do_fail_month_plan(work: PlanWork, message: str, reservation: Reservation | None = None) -> None:
    """Record the failure (see the module docstring); writes no post."""
    if reservation is None:
        reservation = (
            Reservation.objects.for_org(work.plan.organization_id).filter(idempotency_key=work.posts_key).first()
        )
    if reservation is not None:
        release(reservation)
    with transaction.atomic():
        plan = ContentPlan.objects.unscoped().select_for_update(of=("self",)).filter(id=work.plan.id).first()
        if plan is None or not _same_job(plan, work.job_run_id):
            return
        if work.regenerate:
            if plan.status == PlanStatus.READY:
                plan.error = message[:2000]
                plan.save(update_fields=["error"])
        elif plan.status == PlanStatus.GENERATING:
            plan.status = PlanStatus.FAILED
            plan.error = message[:2000]
            plan.save(update_fields=["status", "error"])
    logger.warning("Month plan %s failed: %s", work.plan.id, message)


def fail_plan_by_id(plan_id, job_run_id, *, regenerate: bool, message: str) -> None:
    """Mark a plan failed from outside its run (retries exhausted, time limit)."""
    plan = ContentPlan.objects.unscoped().filter(id=plan_id).first()
    if plan is None:
        return
    work = PlanWork(plan=plan, regenerate=regenerate, job_run_id=str(job_run_id) if job_run_id else None, slots=[])
    do_fail_month_plan(work, message)


# --- synchronous generation (demo seeding, benchmarks) ----------------------------------------------


def do_generate_month_plan_now(project: Project, month: date, *, user=None, provider=None, concurrency=None):
    """Generate the month's first plan in this process, without the worker. Returns the ready
    plan (or the existing one, when the month has a ready plan). Raises PlanFailed."""
    from apps.planning.pipeline import run_month_plan

    month = month_start(month)
    existing = current_plan(project, month)
    if existing is not None and existing.status == PlanStatus.READY:
        return existing
    with transaction.atomic():
        _lock_project(project)
        plan = current_plan(project, month)
        if plan is not None and plan.status == PlanStatus.READY:
            return plan
        if plan is None:
            plan = (
                ContentPlan.objects.for_org(project.organization_id)
                .filter(project=project, month=month, status=PlanStatus.FAILED)
                .first()
            )
        if plan is None:
            latest = (
                ContentPlan.objects.for_org(project.organization_id)
                .filter(project=project, month=month)
                .aggregate(v=Max("version"))["v"]
            )
            plan = ContentPlan(
                organization=project.organization, project=project, month=month, version=(latest or 0) + 1
            )
        plan.status, plan.error, plan.job_run, plan.created_by = PlanStatus.GENERATING, "", None, user
        plan.save()
    return run_month_plan(plan.id, job_run_id=None, provider=provider, concurrency=concurrency)
