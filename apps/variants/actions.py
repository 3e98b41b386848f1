"""Writes of the variants app: briefs, variants (store, edit with the optimistic lock, favourite,
approve) and the brand-voice trainer's examples."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.ai.actions import do_save_brand_voice
from apps.ai.contracts import AGENTS
from apps.ai.orchestrator import run_agent
from apps.billing.models import UsageKind
from apps.billing.quota import check
from apps.jobs.actions import do_enqueue_job
from apps.posts.access import approval_required, can_approve
from apps.variants import generation
from apps.variants.models import Brief, BriefStatus, Variant, VariantStatus, VoiceExample

logger = logging.getLogger("viralforge.variants")

EDITABLE = ("text", "title", "hashtags", "cta", "link_placement", "first_comment")
EXAMPLES_MIN, EXAMPLES_MAX = 5, 30


class VariantError(Exception):
    status = 409

    def __init__(self, message: str = "", *, status: int | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status

    def __str__(self) -> str:
        return self.message


class StaleVariant(VariantError):
    def __init__(self):
        super().__init__(_("Someone else changed this variant meanwhile. Here is the current version."))


# --- briefs ---------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def do_create_brief(membership, project, *, post=None, language: str = "", **fields) -> Brief:
    """Save the brief and start its job (after the commit). Refused when the token budget is spent."""
    org = project.organization
    brief = Brief(organization=org, project=project, post=post, created_by=membership.user, **fields)
    # The budget gate up front: a brief whose calls would all be refused is not started.
    estimate = brief.expected * AGENTS["variants"].default_max_tokens
    verdict = check(org, UsageKind.TOKENS, estimate, project=project)
    if not verdict.allowed:
        raise VariantError(str(verdict.error), status=402)
    brief.save()
    from apps.variants.tasks import generate_variants

    do_enqueue_job(
        generate_variants,
        organization=org,
        target=f"variants.Brief:{brief.id}",
        kind="variants.generate",
        brief_id=str(brief.id),
        language=language,
    )
    return brief


def brief_fields_from_post(post, project) -> dict:
    """A brief for a month-plan post's cross-platform variants: its hook as the topic, its caption as the message."""
    platforms = [key for key in (project.target_platforms or []) if key] or [key for key, _name in _all_platforms()]
    return {
        "topic": post.hook[:200],
        "key_message": (post.caption or post.hook)[:600],
        "cta": (project.cta or "")[:150],
        "audience": (project.audience or "")[:200],
        "languages": [project.language if project.language in ("de", "en") else "de"],
        "platforms": platforms,
        "per_platform": 1,
    }


def _all_platforms():
    from apps.core.platforms import choices

    return choices()


@transaction.atomic(durable=True)
def do_store_variant(brief: Brief, *, platform, language, index, output, policy, style_score, offline) -> None:
    """Store one generated variant (a second answer for the same slot is ignored: the job is idempotent)."""
    variant = Variant(
        organization_id=brief.organization_id,
        project_id=brief.project_id,
        brief=brief,
        platform=platform,
        language=language,
        index=index,
        text=output.text,
        title=output.title,
        hashtags=list(dict.fromkeys(output.hashtags)),
        cta=output.cta,
        link_placement=output.link_placement,
        first_comment=output.first_comment,
        media_prompt=output.media_prompt,
        policy=policy,
        style_score=style_score,
        offline=offline,
    )
    # One INSERT … ON CONFLICT DO NOTHING (the slot's unique constraint) instead of a look-up first.
    Variant.objects.bulk_create([variant], ignore_conflicts=True)


@transaction.atomic(durable=True)
def do_finish_brief(brief: Brief, *, errors: list[str]) -> Brief:
    row = Brief.objects.for_org(brief.organization_id).select_for_update().get(id=brief.id)
    made = Variant.objects.for_org(brief.organization_id).filter(brief=row).count()
    row.status = BriefStatus.DONE if made else BriefStatus.FAILED
    row.error = "\n".join(dict.fromkeys(errors))[:2000]
    row.finished_at = timezone.now()
    row.save(update_fields=["status", "error", "finished_at"])
    return row


def fail_brief_by_id(brief_id, message: str) -> None:
    Brief.objects.unscoped().filter(id=brief_id, status=BriefStatus.RUNNING).update(
        status=BriefStatus.FAILED, error=message[:2000], finished_at=timezone.now()
    )


# --- variants -------------------------------------------------------------------------------


def _locked(variant: Variant) -> Variant:
    return (
        Variant.objects.for_org(variant.organization_id).select_for_update().select_related("brief").get(id=variant.id)
    )


@transaction.atomic(durable=True)
def do_save_variant(variant: Variant, *, version: int, changes: dict, actor=None) -> tuple[Variant, bool]:
    """Save changed fields with the optimistic lock; the policy check and the style match are redone."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    row = _locked(variant)
    if row.version != version:
        raise StaleVariant
    changes = {name: value for name, value in changes.items() if getattr(row, name) != value}
    if not changes:
        return row, False
    for name, value in changes.items():
        setattr(row, name, value)
    row.policy = generation.policy_verdict(
        row.organization_id, text=row.text, title=row.title, hashtags=row.hashtags, language=row.language,
        platform=row.platform,
    )  # fmt: skip
    row.style_score = generation.style_score(row.text, generation.examples(row.project))
    row.version += 1
    if row.status == VariantStatus.APPROVED:  # an approval covers the text it saw
        row.status, row.approved_by, row.approved_at = VariantStatus.DRAFT, None, None
    row.save()
    return row, True


@transaction.atomic(durable=True)
def do_toggle_favourite(variant: Variant) -> Variant:
    row = _locked(variant)
    row.favourite = not row.favourite
    row.save(update_fields=["favourite", "updated_at"])
    return row


@transaction.atomic(durable=True)
def do_toggle_approval(variant: Variant, *, membership, version: int) -> Variant:
    """Approve a draft, or withdraw the approval of an approved variant (the project's approval rule, as for posts)."""
    row = _locked(variant)
    project = row.project
    if not approval_required(project):
        raise VariantError(_("This project has no approval step."))
    if not can_approve(membership, project):
        raise VariantError(_("You may not approve this project's posts."), status=403)
    if row.version != version:
        raise StaleVariant
    if row.status == VariantStatus.APPROVED:
        row.status, row.approved_by, row.approved_at = VariantStatus.DRAFT, None, None
    else:
        if (row.policy or {}).get("outcome") == "hard_block":
            raise VariantError(_("The policy check blocks this variant. Change the text before it can be approved."))
        row.status, row.approved_by, row.approved_at = VariantStatus.APPROVED, membership.user, timezone.now()
    row.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    return row


# --- the brand-voice trainer ----------------------------------------------------------------


def join_lines(items) -> str:
    return "\n".join(f"- {item}" for item in items)


def do_train_voice(project, examples: list[str], *, language: str) -> tuple[object, object]:
    """Keep the examples (replacing earlier ones) and write the traits the trainer agent reads from
    them into the project's brand voice. Returns (AgentResult, BrandVoice or None)."""
    if not EXAMPLES_MIN <= len(examples) <= EXAMPLES_MAX:
        raise VariantError(
            _("Paste between %(low)s and %(high)s example posts; you gave %(n)s.")
            % {"low": EXAMPLES_MIN, "high": EXAMPLES_MAX, "n": len(examples)},
            status=400,
        )
    org = project.organization
    result = run_agent(org, "voice_trainer", {"examples": examples}, project=project, language=language)
    if not result.ok:
        raise VariantError(result.error_message or _("The voice could not be read from the examples."))
    return result, _store_voice(project, examples, result.output)


@transaction.atomic(durable=True)
def _store_voice(project, examples: list[str], traits):
    org = project.organization
    VoiceExample.objects.for_org(org).filter(project=project).delete()
    VoiceExample.objects.bulk_create([VoiceExample(organization=org, project=project, text=text) for text in examples])
    return do_save_brand_voice(
        org,
        project,
        voice=f"{traits.voice} {traits.sentence_length}; {traits.emoji_habit}; {traits.hashtag_habit}."[:1000],
        tone=traits.tone[:200],
        do_list=join_lines([*traits.do, *(f"“{word}”" for word in traits.vocabulary[:6])]),
        dont_list=join_lines(traits.dont),
    )


def split_examples(text: str) -> list[str]:
    """Example posts from pasted text or a file: separated by a line with `---` or by blank lines."""
    text = text.replace("\r\n", "\n").strip()
    if not text:
        return []
    parts = text.split("\n---\n") if "\n---\n" in text else text.split("\n\n")
    return [part.strip()[:3000] for part in parts if part.strip()]
