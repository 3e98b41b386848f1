"""Generating a brief's variants: one agent call per (platform, language, number), several at a
time, each variant stored the moment its answer arrives so the page can show it.

    run_brief(brief_id)      # the job's body (apps.variants.tasks); idempotent and resumable

Each call goes through the orchestrator (`run_agent`: brand voice, budget/quota, retries,
validation, audit) with the brief, the platform's row of the platform table, the project's
example posts (few-shot) and knowledge retrieved for the topic. Every stored variant is checked
by the policy engine for its platform and scored for its style match.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.translation import gettext as _

from apps.ai import style
from apps.ai.knowledge import retrieve
from apps.ai.orchestrator import run_agent, shared_config
from apps.compliance.policy import PolicyInput, active_rule_sets, evaluate
from apps.core import clock, platforms, threads
from apps.variants.models import Brief, Variant, VoiceExample

logger = logging.getLogger("viralforge.variants")

FEW_SHOT_EXAMPLES = 5
KNOWLEDGE_SNIPPETS = 4
# The threads' first calls start this far apart: the first call's setup (quota reservation, prompt)
# then runs without the others queueing on the same CPU and the same quota row, so the first variant
# arrives one provider call after "Generate"; the others still overlap within that call's wait.
STAGGER_SECONDS = 0.05


def platform_row(key: str) -> dict:
    row = platforms.platform(key)
    return row.model_dump(
        include={
            "key", "name", "caption_max", "title_max", "title_required", "hashtags_max", "hashtags_recommended",
            "hashtags_placement", "counting", "links_clickable", "first_comment",
        }
    )  # fmt: skip


def brief_dict(brief: Brief) -> dict:
    return {
        "topic": brief.topic,
        "goal": brief.goal,
        "key_message": brief.key_message,
        "link": brief.link,
        "cta": brief.cta or brief.project.cta,
        "audience": brief.audience or brief.project.audience,
    }


def examples(project) -> list[str]:
    return list(
        VoiceExample.objects.for_org(project.organization_id).filter(project=project).values_list("text", flat=True)
    )


def formality(project, texts: list[str]) -> str:
    found = style.profile(texts)
    if found is not None and found.formality > 0.2:
        return "formal"
    return "informal" if found is not None and found.formality < -0.2 else ""


def variant_inputs(brief: Brief, platform: str, index: int, *, few_shot: list[str], address: str) -> dict:
    project = brief.project
    return {
        "task": (
            f"Write caption variant {index} of {brief.per_platform} for {platforms.platform(platform).name} "
            "from this brief."
        ),
        "brief": brief_dict(brief),
        "platform": platform_row(platform),
        "variant_index": index,
        "variant_count": brief.per_platform,
        "examples": few_shot[:FEW_SHOT_EXAMPLES],
        "formality": address,
        "brand": {"name": project.name, "audience": project.audience, "cta": project.cta, "hashtags": project.hashtags},
        "topics": list(project.topics or []),
    }


def policy_verdict(org, *, text: str, title: str, hashtags, language: str, platform: str, rule_sets=None) -> dict:
    """The policy engine's verdict for the platform; `rule_sets`: `active_rule_sets(org)` when the caller has them."""
    content = PolicyInput(text=text, title=title, hashtags=tuple(hashtags), language=language, platform=platform)
    return evaluate(content, org, rule_sets=rule_sets).as_dict()


def style_score(text: str, few_shot: list[str]) -> int | None:
    return style.match(text, few_shot)


def slots(brief: Brief) -> list[tuple[str, str, int]]:
    """Every (platform, language, number) of the brief, platform by platform."""
    return [
        (platform, language, index)
        for index in range(1, brief.per_platform + 1)
        for platform in brief.platforms
        for language in brief.languages
    ]


def run_brief(brief_id) -> None:
    """Make the brief's missing variants (a rerun after a crash makes only those) and finish it."""
    from apps.variants import actions

    brief = Brief.objects.unscoped().select_related("project", "organization").get(id=brief_id)
    org, project = brief.organization, brief.project
    done = set(Variant.objects.for_org(org).filter(brief=brief).values_list("platform", "language", "index"))
    todo = [slot for slot in slots(brief) if slot not in done]
    few_shot = examples(project)
    address = formality(project, few_shot)
    query = " ".join(part for part in (brief.topic, brief.key_message) if part)
    try:
        knowledge = [chunk.text for chunk in retrieve(org, query, project=project, k=KNOWLEDGE_SNIPPETS)]
    except Exception:  # retrieval is a help, not a must: a variant without it is still a variant
        logger.exception("Knowledge retrieval failed for brief %s.", brief.id)
        knowledge = []
    rule_sets = active_rule_sets(org)  # once per run, not per variant

    def make(slot: tuple[str, str, int]) -> str:
        platform, language, index = slot
        result = run_agent(
            org,
            "variants",
            variant_inputs(brief, platform, index, few_shot=few_shot, address=address),
            project=project,
            language=language,
            seed=index,
            idempotency_key=f"variant:{brief.id}:{platform}:{language}:{index}",
            knowledge=knowledge,
        )
        if not result.ok:
            return result.error_message or _("The variant could not be written.")
        output = result.output
        policy = policy_verdict(
            org, text=output.text, title=output.title, hashtags=output.hashtags, language=language, platform=platform,
            rule_sets=rule_sets,
        )  # fmt: skip
        actions.do_store_variant(
            brief,
            platform=platform,
            language=language,
            index=index,
            output=output,
            policy=policy,
            style_score=style_score(output.text, few_shot),
            offline=result.offline,
        )
        return ""

    concurrency = settings.VF_VARIANTS_CONCURRENCY

    def staggered(item: tuple[int, tuple[str, str, int]]) -> str:
        position, slot = item
        if 0 < position < concurrency:  # each thread's first item
            clock.sleep(position * STAGGER_SECONDS)
        return make(slot)

    # One route, prompt template and brand voice for all the brief's calls (the threads share the block).
    with shared_config():
        results = threads.map(staggered, list(enumerate(todo)), concurrency=concurrency)
    errors = [error for error in results if error]
    actions.do_finish_brief(brief, errors=errors)
