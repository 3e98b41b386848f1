"""The job coordinator of a month plan: claim the plan, run the pipeline, write the posts (or fail).

    run_month_plan(plan_id, job_run_id=...)   # the actor generate_month_plan (apps.posts.tasks)
    do_generate_month_plan_now(project, month) # demo seeding and benches, without the worker

The pipeline (apps.planning.pipeline) computes a `PlanResult`; this module turns it into posts:
one transaction writes the posts, moves the plan to ready (a regeneration: a new ready version
that keeps the locked posts, the old one superseded, through apps.planning.plan_actions),
remembers the new hooks for the similarity guard and commits the posts reservation with the
number of posts really written. A failure writes no post, records the translated reason on the
plan and releases the reservation.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from apps.ai.similarity import SimilarityGuard
from apps.billing.models import Reservation
from apps.billing.quota import commit, release
from apps.core.months import month_start
from apps.jobs.progress import report_progress
from apps.planning import plan_actions
from apps.planning.models import ContentPlan, PlanStatus
from apps.planning.pipeline import MonthPlanner, PlanFailed, PlanResult, PostDraft
from apps.planning.slots import Slot, month_slots
from apps.posts.actions import cleared_status
from apps.posts.models import PostItem, PostStatus
from apps.projects.models import Project

logger = logging.getLogger("viralforge.posts")

# What a regeneration copies of a locked post into the new version.
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


def generic_failure_message() -> str:
    return _("Something went wrong while generating the plan, so nothing was saved. Please try again.")


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
    first_day: date | None = None  # the current month's plan starts today (None: the whole month)

    @property
    def retryable(self) -> bool:
        """Run by a job (Dramatiq retries it), not synchronously."""
        return self.job_run_id is not None

    @property
    def posts_key(self) -> str:
        return plan_actions.posts_key(self.plan.id, self.job_run_id or self.nonce)


def claim_plan_work(
    plan_id,
    job_run_id=None,
    *,
    regenerate: bool = False,
    user_id=None,
    replace_reviewed: bool = False,
    first_day: date | None = None,
) -> PlanWork | None:
    """The plan's work for this run, or None when there is none (see `plan_actions.claim_plan`):
    the slots from `first_day` on (the whole month when None); a regeneration drafts only the
    slots of the posts it does not keep (`plan_actions.kept_posts`)."""
    with transaction.atomic():
        plan = plan_actions.claim_plan(plan_id, job_run_id, regenerate=regenerate)
        if plan is None:
            return None
        slots = month_slots(plan.month, first_day)
        locked = []
        if regenerate:
            locked = list(
                PostItem.objects.for_org(plan.organization_id)
                .filter(plan=plan)
                .filter(plan_actions.kept_posts(replace_reviewed, first_day))
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
        first_day=first_day,
    )


def reserve_plan_posts(work: PlanWork) -> Reservation | None:
    """The posts reservation of this run (made by the request; made again after a release). A
    regeneration replaces posts: it reserves only those it adds beyond the plan's size."""
    quantity = len(work.slots)
    if work.regenerate:
        existing = PostItem.objects.for_org(work.plan.organization_id).filter(plan=work.plan).count()
        size = len(work.slots) + len(work.locked_ids)  # kept posts + new drafts in the free slots
        quantity = max(0, size - existing)
    try:
        return plan_actions.reserve_posts(work.plan, work.plan.project, quantity, work.posts_key)
    except plan_actions.PlanError as exc:
        raise PlanFailed(exc.message) from None


def _draft_values(draft: PostDraft, project: Project) -> dict:
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
        "status": PostStatus.NEEDS_REVIEW if draft.review_reason else cleared_status(project),
        "review_reason": draft.review_reason,
        "policy": draft.policy,
        "offline": draft.offline,
    }


def _write_posts(plan: ContentPlan, target: ContentPlan, work: PlanWork, result: PlanResult) -> int:
    """The posts of `target`: the kept locked posts (a regeneration) and the new drafts in the free
    slots. Returns the number of new posts."""
    org, project = plan.organization, plan.project
    kept = []
    if work.regenerate:
        kept = list(
            PostItem.objects.for_org(org)
            .filter(plan=plan)
            .filter(Q(locked=True) | Q(id__in=list(work.locked_ids)))
            .order_by("date", "slot")
        )
    rows, taken = [], set()
    for post in kept:
        values = {name: getattr(post, name) for name in COPIED_FIELDS}
        rows.append(PostItem(organization=org, project=project, plan=target, **values))
        taken.add((post.date, post.slot))
    by_key = {draft.slot.key: draft for draft in result.posts}
    leftovers = [draft for draft in result.posts if draft.slot.key in taken]
    generated = []
    for slot in month_slots(plan.month, work.first_day):
        if slot.key in taken:
            continue
        draft = by_key.get(slot.key)
        if draft is None:
            if not leftovers:
                continue
            draft = leftovers.pop(0)
        values = _draft_values(draft, project)
        generated.append(
            PostItem(organization=org, project=project, plan=target, date=slot.date, slot=slot.number, **values)
        )
    rows.extend(generated)
    PostItem.objects.bulk_create(rows)
    if generated:
        guard = SimilarityGuard(org, project, "hook")
        guard.remember_many([(post.hook, f"posts.PostItem:{post.id}") for post in generated if post.hook.strip()])
    logger.info(
        "Month plan %s v%s ready: %s new posts, %s kept, %s calls, %.1f s.",
        target.id,
        target.version,
        len(generated),
        len(kept),
        result.calls,
        result.seconds,
    )
    return len(generated)


def do_complete_month_plan(work: PlanWork, result: PlanResult, reservation: Reservation | None):
    """Persist the drafted plan in one transaction (see the module docstring). Returns the ready
    plan, or None when the plan was taken over or deleted meanwhile (nothing is written)."""
    with transaction.atomic():
        plan = plan_actions.lock_plan_for_finish(work.plan.id, work.job_run_id, regenerate=work.regenerate)
        ready, written = None, 0
        if plan is not None:
            ready = plan_actions.do_finish_plan(
                plan, regenerate=work.regenerate, offline=result.offline, user_id=work.user_id
            )
            written = _write_posts(plan, ready, work, result)
        if reservation is not None:
            if ready is None:
                release(reservation)
            else:
                # A regeneration replaces posts: it counts only what it added beyond the plan's size (reserved).
                commit(reservation, min(written, reservation.quantity) if work.regenerate else written)
    return ready


def do_fail_month_plan(work: PlanWork, message: str, reservation: Reservation | None = None) -> None:
    """Record the failure (see the module docstring); writes no post."""
    if reservation is None:
        reservation = (
            Reservation.objects.for_org(work.plan.organization_id).filter(idempotency_key=work.posts_key).first()
        )
    if reservation is not None:
        release(reservation)
    plan_actions.do_record_plan_failure(work.plan.id, work.job_run_id, regenerate=work.regenerate, message=message)
    logger.warning("Month plan %s failed: %s", work.plan.id, message)


def fail_plan_by_id(plan_id, job_run_id, *, regenerate: bool, message: str) -> None:
    """Mark a plan failed from outside its run (retries exhausted, time limit)."""
    plan = ContentPlan.objects.unscoped().filter(id=plan_id).first()
    if plan is None:
        return
    work = PlanWork(plan=plan, regenerate=regenerate, job_run_id=str(job_run_id) if job_run_id else None, slots=[])
    do_fail_month_plan(work, message)


def run_month_plan(
    plan_id,
    *,
    job_run_id=None,
    regenerate: bool = False,
    user_id=None,
    replace_reviewed: bool = False,
    first_day: date | None = None,
    provider=None,
    concurrency: int | None = None,
    progress=report_progress,
):
    """Generate the plan `plan_id` (a row made by `apps.planning.plan_actions`) and persist it.

    Takes the id and re-fetches; does nothing for a plan that is ready, superseded, gone or
    owned by another job run (a redelivered or stale message). Returns the ready plan, or None
    when there was nothing to do. Raises PlanFailed after marking the plan failed. `progress`
    gets (percent, step) as the plan advances: the job's progress bar by default.
    """
    work = claim_plan_work(
        plan_id,
        job_run_id,
        regenerate=regenerate,
        user_id=user_id,
        replace_reviewed=replace_reviewed,
        first_day=first_day,
    )
    if work is None:
        return None
    plan = work.plan
    reservation = None
    try:
        reservation = reserve_plan_posts(work)
        planner = MonthPlanner(
            plan.organization,
            plan.project,
            plan.month,
            nonce=work.nonce,
            plan_id=plan.id,
            provider=provider,
            concurrency=concurrency,
            progress=progress,
            fixed_hooks=work.locked_hooks,
        )
        result = planner.run(work.slots)
        progress(96, _("Saving the plan"))
        return do_complete_month_plan(work, result, reservation)
    except PlanFailed as exc:
        do_fail_month_plan(work, exc.message, reservation)
        raise
    except Exception:
        if not work.retryable:  # nobody retries a synchronous run: fail it now
            do_fail_month_plan(work, generic_failure_message(), reservation)
        raise


def do_generate_month_plan_now(
    project: Project,
    month: date,
    *,
    user=None,
    include_past: bool = False,
    provider=None,
    concurrency=None,
    progress=report_progress,
):
    """Generate the month's first plan in this process, without the worker (the current month
    from today on unless `include_past`). Returns the ready plan (or the existing one, when the
    month has a ready plan). Raises PlanFailed."""
    month = month_start(month)
    existing = plan_actions.current_plan(project, month)
    if existing is not None and existing.status == PlanStatus.READY:
        return existing
    plan, ready = plan_actions.do_prepare_plan_now(project, month, user=user)
    if ready:
        return plan
    first_day = plan_actions.first_planned_day(project, month, include_past=include_past)
    return run_month_plan(
        plan.id, job_run_id=None, first_day=first_day, provider=provider, concurrency=concurrency, progress=progress
    )
