"""Writes on posts: save (optimistic lock), approve/unapprove, lock/unlock, move/swap, AI improve.

Every write locks the post's row (`select_for_update`) and checks what the user saw:

- **Save** names the `version` it edited. A stale version raises `StaleVersion` and writes
  nothing; a successful save raises the version by one. Locked posts cannot be saved.
- **Status after an edit.** When the hook, caption, hashtags or script text changed, the policy
  engine runs again (organization's rules, the project's content language) and its verdict is
  stored in `PostItem.policy`. A verdict of needs_review or hard_block sets the status to
  needs_review with the reason. Otherwise an approved post goes back to needs_approval (or to
  draft when the project has no approval step), recorded as an `Approval` row
  (reset_by_edit), and a post that needed review moves on to needs_approval (or draft).
- **Approve** names the version the approver reviewed, so nobody approves a text they have
  not seen. Approval and lock changes do not raise the version (they are not content).
- **Move** changes date and slot within the plan's month; when the target slot is taken the
  two posts swap, atomically, and both versions go up.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.ai.offline import understands
from apps.ai.orchestrator import run_agent
from apps.compliance.policy import active_rule_sets
from apps.compliance.post_check import check_post, review_reasons
from apps.compliance.reasons import RULE_DESCRIPTION
from apps.core.reasons import render_all
from apps.posts import forms as post_forms
from apps.posts.access import approval_required
from apps.posts.models import Approval, PostItem, PostStatus, PublishBadge, VideoState
from apps.projects.models import Project

logger = logging.getLogger("viralforge.posts")

POLICY_FIELDS = frozenset({"hook", "caption", "hashtags", "script", "commercial_content", "ai_generated"})
REVIEW_REASON_MAX = 1000
SWAP_PARKING_DATE = date(1900, 1, 1)  # a date no plan uses: where a post waits during a swap
SAVE_ALSO_WRITES = ("version", "status", "review_reason", "policy", "approved_by", "approved_at", "updated_at")


class PostError(Exception):
    """A request that cannot be done in the post's current state; the message is shown to the user."""

    status = 409


class StaleVersion(PostError):
    def __init__(self, current: int):
        self.current = current
        super().__init__(
            _(
                "Someone else saved this post first (it is now at version %(version)s). Reload to see their "
                "changes; your text is kept below so nothing is lost."
            )
            % {"version": current}
        )


class PostLocked(PostError):
    def __init__(self):
        super().__init__(_("This post is locked. Unlock it before you change it."))


def _locked_row(post: PostItem) -> PostItem:
    return (
        PostItem.objects.for_org(post.organization_id)
        .select_for_update(of=("self",))
        # The policy check reads the organization and the editor's answer the plan: spare their queries.
        .select_related("project__organization", "plan")
        .get(pk=post.pk)
    )


def _check_version(row: PostItem, version: int | None) -> None:
    if version is not None and row.version != version:
        raise StaleVersion(row.version)


def cleared_status(project: Project) -> str:
    """The status of a post that passed the policy check (after an edit, or drafted by the plan)."""
    return PostStatus.NEEDS_APPROVAL if approval_required(project) else PostStatus.DRAFT


# --- policy -------------------------------------------------------------------------------------


def blocking_verdict(post: PostItem, project: Project, platforms: Sequence[str] = (), *, rule_sets=None):
    """The verdict of the post's current text when a hard-block rule matches it, else None.

    The gate that approving (and publishing) passes through: it re-checks the text now rather
    than trusting the stored verdict, which may predate the active rule set. `platforms`: also
    the rules of these platforms (title length, links ...), for the upload to them.
    """
    # The rules alone: a model's second opinion never blocks (apps.compliance.second_opinion).
    verdict = _check(post, project, platforms, second_opinion=False, rule_sets=rule_sets)
    return verdict if verdict.outcome == "hard_block" else None


def is_blocked(post) -> bool:
    """The stored verdict hard-blocks the post (the compliance blocked state: no approving, no publishing)."""
    policy = getattr(post, "policy", None) if not isinstance(post, dict) else post.get("policy")
    return isinstance(policy, dict) and policy.get("outcome") == "hard_block"


def blocking_reasons(policy) -> list[dict]:
    """The reason codes of the rules that block (the stored verdict's hard-block matches), once each."""
    matches = policy.get("matches", []) if isinstance(policy, dict) else []
    reasons = []
    for match in matches:
        if isinstance(match, dict) and match.get("outcome") == "hard_block":
            reason = (
                match.get("reason")
                or RULE_DESCRIPTION.reason(
                    description=match.get("description", ""), code=match.get("code", "")
                ).as_dict()
            )
            if reason not in reasons:
                reasons.append(reason)
    return reasons


def check_publishable(post: PostItem, project: Project, platforms: Sequence[str] = (), *, rule_sets=None) -> None:
    """Raise PostError when a hard-block rule matches the post (approve calls this; publishing
    calls it before every upload with the target platform: `check_publishable(post, project, ["tiktok"])`).
    `rule_sets`: the organization's compiled rule sets when many posts are checked (`active_rule_sets(org)` once)."""
    verdict = blocking_verdict(post, project, platforms, rule_sets=rule_sets)
    if verdict is not None:
        reasons = " ".join(dict.fromkeys(m.reason_text for m in verdict.matches if m.outcome == "hard_block"))
        raise PostError(
            _("The policy check blocks this post: %(reasons)s Change the text before it can be approved.")
            % {"reasons": reasons[:REVIEW_REASON_MAX]}
        )


def _check(
    row: PostItem, project: Project, platforms: Sequence[str] = (), *, second_opinion: bool = True, rule_sets=None
):
    return check_post(
        project.organization,
        hook=row.hook,
        caption=row.caption,
        hashtags=row.hashtags,
        script=row.script,
        language=project.language,
        ai_generated=row.ai_generated,
        commercial_content=row.commercial_content or "none",
        platforms=platforms,
        project=project,
        second_opinion=second_opinion,
        rule_sets=rule_sets,
    )


def _apply_policy(row: PostItem, project: Project):
    verdict = _check(row, project)
    row.policy = verdict.as_dict()
    return verdict


# --- save ----------------------------------------------------------------------------------------


@transaction.atomic
def do_save_post(post: PostItem, *, version: int, changes: dict, actor) -> tuple[PostItem, bool]:
    """Save edited fields with the optimistic lock. Returns (post, saved); saved is False when nothing changed."""
    row = _locked_row(post)
    _check_version(row, version)
    if row.locked:
        raise PostLocked
    unknown = set(changes) - set(post_forms.EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    changes = {name: value for name, value in changes.items() if getattr(row, name) != value}
    if not changes:
        return row, False
    project = row.project
    for name, value in changes.items():
        setattr(row, name, value)
    row.version += 1
    was = row.status
    verdict = _apply_policy(row, project) if POLICY_FIELDS & set(changes) else None
    if verdict is not None and not verdict.passed:
        row.status = PostStatus.NEEDS_REVIEW
        row.review_reason = review_reasons(verdict)
    elif was == PostStatus.APPROVED:
        row.status = cleared_status(project)
    elif was == PostStatus.NEEDS_REVIEW and verdict is not None:
        row.status = cleared_status(project)
        row.review_reason = []
    if was == PostStatus.APPROVED:
        row.approved_by = None
        row.approved_at = None
        record_approval(row, Approval.Action.RESET_BY_EDIT, actor=actor)
    # Only what a save can change: the other columns (large JSON among them) are neither re-serialized nor rewritten.
    row.save(update_fields=[*changes, *SAVE_ALSO_WRITES])
    logger.info(
        "Post saved.",
        extra={"post_id": str(row.id), "version": row.version, "fields": sorted(changes), "status": row.status},
    )
    return row, True


# --- approvals -----------------------------------------------------------------------------------


def _approval_refusal(row: PostItem, version: int | None, rule_sets=None) -> None:
    """Raise PostError when `row` (locked, with its project) may not be approved at `version`."""
    if not approval_required(row.project):
        raise PostError(_("This project has no approval step."))
    _check_version(row, version)
    if row.status == PostStatus.APPROVED:
        raise PostError(_("This post is already approved."))
    if is_blocked(row):
        reasons = render_all(blocking_reasons(row.policy))
        if not reasons:
            raise PostError(_("The policy check blocks this post. Change the text before it can be approved."))
        raise PostError(
            _("The policy check blocks this post: %(reasons)s Change the text before it can be approved.")
            % {"reasons": reasons[:REVIEW_REASON_MAX]}
        )
    check_publishable(row, row.project, rule_sets=rule_sets)


def _mark_approved(row: PostItem, actor, when) -> None:
    row.status = PostStatus.APPROVED
    row.approved_by = actor
    row.approved_at = when
    row.updated_at = when


def _log_approved(row: PostItem, actor) -> None:
    actor_id = actor.pk if actor is not None else None
    logger.info("Post approved.", extra={"post_id": str(row.id), "version": row.version, "actor_id": actor_id})


@transaction.atomic
def do_approve_post(post: PostItem, *, actor, version: int | None, actor_name: str = "") -> PostItem:
    """Approve; `actor` is None (and `actor_name` the typed name) for a visitor of a review link."""
    row = _locked_row(post)
    _approval_refusal(row, version)
    _mark_approved(row, actor, timezone.now())
    row.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    record_approval(row, Approval.Action.APPROVED, actor=actor, actor_name=actor_name)
    _log_approved(row, actor)
    return row


@transaction.atomic(durable=True)
def do_approve_posts(
    posts: Sequence[PostItem], *, versions: dict[str, int | None], actor
) -> list[tuple[PostItem, PostError | None]]:
    """Approve many posts of one organization at once (the calendar's bulk action): the same checks as
    `do_approve_post` per post, but the rows are locked with one query, the policy rule sets are read
    once and the approvals written with one update and one insert. Returns (row, refusal or None) per
    post, in date and slot order; a refused post is left as it was, the others are approved."""
    if not posts:
        return []
    org_id = posts[0].organization_id
    rows = list(
        PostItem.objects.for_org(org_id)
        .filter(pk__in=[post.pk for post in posts])
        .select_for_update(of=("self",))
        .select_related("project__organization")
        .order_by("pk")  # lock in id order, as every other writer does: no deadlocks
    )
    rule_sets = active_rule_sets(org_id)
    now = timezone.now()
    results, approved = [], []
    for row in sorted(rows, key=lambda item: (item.date, item.slot)):
        try:
            _approval_refusal(row, versions.get(str(row.pk)), rule_sets)
        except PostError as exc:
            results.append((row, exc))
            continue
        _mark_approved(row, actor, now)
        approved.append(row)
        results.append((row, None))
    if approved:
        PostItem.objects.for_org(org_id).filter(pk__in=[row.pk for row in approved]).update(
            status=PostStatus.APPROVED, approved_by=actor, approved_at=now, updated_at=now
        )
        Approval.objects.bulk_create(
            Approval(
                organization_id=row.organization_id,
                post=row,
                post_version=row.version,
                action=Approval.Action.APPROVED,
                actor=actor,
            )
            for row in approved
        )
        for row in approved:
            _log_approved(row, actor)
    return results


def record_approval(row: PostItem, action: str, *, actor, actor_name: str = "") -> Approval:
    """One entry of the approval audit, for the post's current version."""
    return Approval.objects.create(
        organization_id=row.organization_id,
        post=row,
        post_version=row.version,
        action=action,
        actor=actor,
        actor_name=actor_name,
    )


@transaction.atomic
def do_unapprove_post(post: PostItem, *, actor) -> PostItem:
    row = _locked_row(post)
    if not approval_required(row.project):
        raise PostError(_("This project has no approval step."))
    if row.status != PostStatus.APPROVED:
        raise PostError(_("This post is not approved."))
    row.status = PostStatus.NEEDS_APPROVAL
    row.approved_by = None
    row.approved_at = None
    row.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    record_approval(row, Approval.Action.UNAPPROVED, actor=actor)
    logger.info("Post approval withdrawn.", extra={"post_id": str(row.id), "actor_id": actor.pk})
    return row


# --- publish state ---------------------------------------------------------------------------------


def do_set_post_publish_state(organization_id, post_id, state: str, info: dict | None = None) -> None:
    """The calendar badge of the post's publication (called by apps.social as it moves on), like the
    video's: not content, no version bump, no row lock held beyond the update."""
    if state not in PublishBadge.values:
        raise ValueError(f"unknown publish state {state!r}")
    PostItem.objects.for_org(organization_id).filter(id=post_id).update(publish_state=state, publish_info=info or {})


# --- video state ---------------------------------------------------------------------------------


@transaction.atomic
def do_set_post_video_state(post: PostItem, state: str) -> None:
    """The calendar badge of the post's video (called by apps.media as its render moves on). Not content:
    the version stays and the row is not locked, so a render never waits for an editor's save."""
    if state not in VideoState.values:
        raise ValueError(f"unknown video state {state!r}")
    PostItem.objects.for_org(post.organization_id).filter(id=post.id).update(video_state=state)
    post.video_state = state


@transaction.atomic
def do_send_post_to_review(post: PostItem, *, actor) -> PostItem:
    """Send a post back to review (a bulk action): it needs another look before anyone approves it."""
    row = _locked_row(post)
    if row.locked:
        raise PostLocked
    if row.status == PostStatus.NEEDS_REVIEW:
        raise PostError(_("This post already needs review."))
    if row.status == PostStatus.APPROVED:
        row.approved_by = None
        row.approved_at = None
        Approval.objects.create(
            organization_id=row.organization_id,
            post=row,
            post_version=row.version,
            action=Approval.Action.CHANGES_REQUESTED,
            actor=actor,
        )
    row.status = PostStatus.NEEDS_REVIEW
    row.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    logger.info("Post sent to review.", extra={"post_id": str(row.id), "actor_id": actor.pk})
    return row


# --- lock ----------------------------------------------------------------------------------------


@transaction.atomic
def do_set_post_lock(post: PostItem, *, locked: bool, actor) -> PostItem:
    """Lock (kept as it is when the plan is regenerated; no edits) or unlock. Idempotent."""
    row = _locked_row(post)
    if row.locked != locked:
        row.locked = locked
        row.save(update_fields=["locked", "updated_at"])
        logger.info(
            "Post %s.", "locked" if locked else "unlocked", extra={"post_id": str(row.id), "actor_id": actor.pk}
        )
    return row


# --- move ----------------------------------------------------------------------------------------


def month_bounds(month_start: date) -> tuple[date, date]:
    import calendar

    last = calendar.monthrange(month_start.year, month_start.month)[1]
    return month_start, month_start.replace(day=last)


def do_move_post(
    post: PostItem, *, version: int, to_date: date, to_slot: int, actor, other_version: int | None = None
) -> tuple[PostItem, PostItem | None]:
    """Move the post to (date, slot) of its plan's month; swap with the post there, if any.

    Returns (post, the other post or None). Both rows are locked in id order (no deadlocks).
    """
    try:
        with transaction.atomic():
            row, other = _move(post, version, to_date, to_slot, other_version)
    except IntegrityError:  # another post arrived in the target slot between our read and our write
        raise PostError(_("The calendar changed meanwhile. Reload and try again.")) from None
    logger.info(
        "Post moved.",
        extra={
            "post_id": str(row.id),
            "to": f"{to_date} #{to_slot}",
            "swapped_with": str(other.id) if other else "",
            "actor_id": actor.pk,
        },
    )
    return row, other


def _move(post: PostItem, version: int, to_date: date, to_slot: int, other_version: int | None):
    plan = post.plan
    first, last = month_bounds(plan.month)
    if not (first <= to_date <= last) or to_slot not in (1, 2, 3):
        raise PostError(_("Choose a day of this plan's month and a slot from 1 to 3."))
    rows = (
        PostItem.objects.for_org(post.organization_id)
        .filter(Q(pk=post.pk) | Q(plan=plan, date=to_date, slot=to_slot))
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    locked = {row.pk: row for row in rows}
    row = locked[post.pk]
    _check_version(row, version)
    if row.locked:
        raise PostLocked
    if (row.date, row.slot) == (to_date, to_slot):
        raise PostError(_("The post is already in this slot."))
    other = next((candidate for pk, candidate in locked.items() if pk != post.pk), None)
    if other is not None:
        if other.locked:
            raise PostError(_("The post in that slot is locked. Unlock it before swapping."))
        if other_version is not None and other.version != other_version:
            raise StaleVersion(other.version)
        old_date, old_slot = row.date, row.slot
        row.date = SWAP_PARKING_DATE
        row.save(update_fields=["date"])
        other.date, other.slot, other.version = old_date, old_slot, other.version + 1
        other.save(update_fields=["date", "slot", "version", "updated_at"])
    row.date, row.slot, row.version = to_date, to_slot, row.version + 1
    row.save(update_fields=["date", "slot", "version", "updated_at"])
    return row, other


# --- AI improve ----------------------------------------------------------------------------------


def unknown_instruction_message(instruction: str) -> str:
    return _(
        "Without an AI provider, the offline writer cannot follow “%(instruction)s”. It understands: shorter, "
        "longer, as a question, more formal, more casual, add a call to action, add emoji, remove hashtags "
        "and translate."
    ) % {"instruction": instruction[:80]}


@dataclass
class Proposal:
    field: str
    current: object
    proposed: object
    version: int
    offline: bool = False
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


AGENT_FOR_FIELD = {
    "hook": "script",
    "caption": "script",
    "hashtags": "script",
    "script": "script",
    "storyboard": "script",
    "video_prompt": "prompt_engineer",
}


def improve_inputs(post: PostItem, project: Project, field: str, instruction: str) -> dict:
    script = post.script if isinstance(post.script, dict) else {}
    scenes = post_forms.script_scenes(post)
    concept = {
        "title": str(script.get("title") or post.hook)[:100],
        "format": post.format,
        "beats": [str(s.get("on_screen_text") or s.get("voiceover") or "")[:160] for s in scenes][1:-1][:6],
    }
    if field != "hook":
        concept["hook"] = post.hook
    return {
        "task": (
            f"Improve one field of an existing short-video post: rewrite only `{field}` following the editor's "
            "instruction, and keep everything else as it is in `post`."
        ),
        "field": field,
        "instruction": instruction,
        "post": {
            "hook": post.hook,
            "format": post.format,
            "caption": post.caption,
            "hashtags": list(post.hashtags or []),
            "script": script,
            "storyboard": post_forms.storyboard_scenes(post),
            "video_prompt": post.video_prompt if isinstance(post.video_prompt, dict) else {},
        },
        "concept": concept,
        "script": script,
        "brand": {
            "name": project.name,
            "audience": project.audience,
            "cta": project.cta,
            "hashtags": list(project.hashtags or []),
        },
        "topics": list(project.topics or []),
        "content_pillars": list(project.content_pillars or []),
        "duration_seconds": sum(int(s.get("duration_seconds") or 0) for s in scenes) or None,
    }


def _value_from_output(post: PostItem, field: str, output):
    if field == "video_prompt":
        video = dict(post.video_prompt) if isinstance(post.video_prompt, dict) else {}
        video.update(
            aspect_ratio=output.aspect_ratio,
            style=output.style,
            prompts=[prompt.model_dump(mode="json") for prompt in output.prompts],
        )
        return video
    if field in ("hook", "caption"):
        return getattr(output, field)
    if field == "hashtags":
        return list(output.hashtags)
    scenes = [scene.model_dump(mode="json") for scene in output.scenes]
    if field == "storyboard":
        old = post_forms.storyboard_scenes(post)
        return [
            {
                "index": scene["index"],
                "visual": scene["visual"],
                "camera": str(old[i].get("camera") or "") if i < len(old) else "",
                "duration_seconds": scene["duration_seconds"],
            }
            for i, scene in enumerate(scenes)
        ]
    script = dict(post.script) if isinstance(post.script, dict) else {}
    script.update(
        title=output.title,
        language=output.language,
        scenes=scenes,
        cta=output.cta,
        total_duration_seconds=output.total_duration_seconds,
    )
    return script


def quoting_changes(post: PostItem, field: str, value) -> dict:
    """The changes of accepting `value` for `field`, with the fields that quote it: a new hook is
    also scene 1's voice-over and on-screen text, and the caption, where those repeated the old hook."""
    changes = {field: value}
    if field != "hook" or not post.hook.strip():
        return changes
    old = post.hook.strip()
    if old in (post.caption or ""):  # "Hook. More text": the new hook keeps its own punctuation
        ending = "" if value[-1:] in ".!?…" else "."
        caption = re.sub(
            re.escape(old) + r"\.?", lambda match: value + (ending if match.group(0) != old else ""), post.caption
        )
        changes["caption"] = caption[: post_forms.CAPTION_MAX]
    script = post.script if isinstance(post.script, dict) else {}
    scenes = script.get("scenes") if isinstance(script.get("scenes"), list) else []
    if not scenes or not isinstance(scenes[0], dict):
        return changes
    first = dict(scenes[0])
    spoken = str(first.get("voiceover") or "")
    if old in spoken:
        first["voiceover"] = spoken.replace(old, value)[: post_forms.VOICEOVER_MAX]
    shown = str(first.get("on_screen_text") or "").strip()
    if shown and (shown == old or (shown.endswith("…") and old.startswith(shown[:-1].rstrip()))):
        limit = post_forms.ON_SCREEN_MAX
        first["on_screen_text"] = value if len(value) <= limit else value[: limit - 1].rstrip() + "…"
    if first != scenes[0]:
        changes["script"] = {**script, "scenes": [first, *scenes[1:]]}
    return changes


def propose_improvement(post: PostItem, project: Project, *, field: str, instruction: str) -> Proposal:
    """Ask the orchestrator for a better value of one field. Writes nothing but the AI audit rows."""
    if post.locked:
        raise PostLocked
    current = getattr(post, field)
    result = run_agent(
        project.organization,
        AGENT_FOR_FIELD[field],
        improve_inputs(post, project, field, instruction),
        project=project,
        language=project.language,
        seed=post.version,
    )
    if not result.ok:
        return Proposal(field, current, None, post.version, result.offline, result.error_message)
    if result.offline and not understands(instruction):
        return Proposal(field, current, None, post.version, True, unknown_instruction_message(instruction))
    proposed = _value_from_output(post, field, result.output)
    try:
        proposed = post_forms.check_value(field, proposed)
    except post_forms.forms.ValidationError:
        return Proposal(
            field, current, None, post.version, result.offline, _("The AI suggestion does not fit this field.")
        )
    if proposed == current:
        message = (
            _(
                "The offline writer could not apply “%(instruction)s” to this field: it translates only the "
                "sentences it wrote itself, and text that is already short cannot get shorter."
            )
            % {"instruction": instruction[:80]}
            if result.offline
            else _("The AI suggested no change for this field.")
        )
        return Proposal(field, current, None, post.version, result.offline, message)
    return Proposal(field, current, proposed, post.version, result.offline)
