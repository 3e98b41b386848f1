"""The model-backed second opinion: the `compliance` agent looks at texts the rules let through.

    verdict = second_opinion(org, content, verdict, project=project)

Only when the organization (or the project) routes the `compliance` agent to a model: offline,
the rules alone decide (the offline agent has no opinion and must not pretend to). A text the
rules hard-block is not sent. The agent's answer can raise the verdict, never lower it, and at
most to "needs review": a model alone never makes a post unpublishable, a person decides.
Everything else is `run_agent`'s: the answer is cached by the digest of the text (the same text
is not asked twice), each call is an AIDecision row, the tokens go through the quota API, and a
failure (fault, budget, broken answer) is recorded there while the rules' verdict stands.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from apps.ai.orchestrator import run_agent
from apps.ai.routing import OPENROUTER, resolve_route
from apps.compliance.models import Outcome
from apps.compliance.policy import SEVERITY, Match, PolicyInput, RuleSetRef, Verdict
from apps.compliance.reasons import PREFIX
from apps.credentials.services import has_any_credential

logger = logging.getLogger(__name__)

AGENT = "compliance"
MODEL_RULE_SET = RuleSetRef("ai-review", 1)
CEILING = Outcome.NEEDS_REVIEW.value  # the highest outcome a model's answer can give
RAISING_SEVERITIES = {"medium", "high"}


def routed_to_model(org, project=None) -> bool:
    # Every model route needs an OpenRouter key: without any (most organizations), one small query answers
    # instead of the route's two (each post save asks).
    if not has_any_credential(org, OPENROUTER):
        return False
    return not resolve_route(org, AGENT, project).offline


def _inputs(content: PolicyInput, verdict: Verdict) -> dict:
    return {
        "text": content.text,
        "title": content.title,
        "hashtags": list(content.hashtags),
        "platform": content.platform or "",
        "ai_generated": content.ai_generated,
        "commercial_content": content.commercial_content,
        "rules_verdict": verdict.outcome,
    }


def _span(text: str, phrase: str) -> tuple[int | None, int | None]:
    start = text.casefold().find(phrase.casefold()) if phrase else -1
    return (start, start + len(phrase)) if start >= 0 else (None, None)


def _model_outcome(output) -> str:
    """What the answer asks for: a review when it names a claim (a verdict without one shows nothing to check)."""
    claims = output.claims or []
    if any(claim.severity in RAISING_SEVERITIES for claim in claims) or (claims and output.verdict != Outcome.PASS):
        return CEILING
    return Outcome.PASS.value


def second_opinion(org, content: PolicyInput, verdict: Verdict, *, project=None) -> Verdict:
    """`verdict`, raised by the compliance agent's answer when the agent is routed to a model."""
    if verdict.outcome == Outcome.HARD_BLOCK or not routed_to_model(org, project):
        return verdict
    result = run_agent(org, AGENT, _inputs(content, verdict), project=project, language=content.language, cache=True)
    if not result.ok:
        logger.warning(
            "Policy second opinion failed (%s); the rules' verdict stands.",
            result.outcome,
            extra={"ai_decision": str(result.decision.id)},
        )
        return verdict
    outcome = _model_outcome(result.output)
    if SEVERITY[outcome] <= SEVERITY[verdict.outcome]:
        return verdict
    matches = []
    for claim in result.output.claims:
        start, end = _span(content.text, claim.text)
        matches.append(
            Match(
                rule_id=result.decision.id,
                code=f"model-{claim.category}",
                category=claim.category,
                outcome=outcome,
                description=claim.explanation,
                rule_set=MODEL_RULE_SET,
                field="text" if start is not None else "",
                start=start,
                end=end,
                text=content.text[start:end] if start is not None else claim.text,
                reason={"code": PREFIX + "model_opinion", "params": {"text": claim.text}},
                source="model",
            )
        )
    return replace(verdict, outcome=outcome, matches=verdict.matches + tuple(matches))
