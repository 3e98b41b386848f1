"""The policy check of one post's text, shared by the month-plan pipeline and the post editor.

    verdict = check_post(org, hook=..., caption=..., hashtags=[...], script={...}, language="de",
                         platforms=["tiktok", "x"])
    reasons = review_reasons(verdict)   # [] when it passed: reason codes, rendered per viewer

Checked: the caption, the script's spoken and shown text and its call to action, the hook as the
title and the hashtags, once without a platform and once per platform; the verdict is the worst
outcome with every rule's matches once. With `second_opinion`, a text the rules let through also
goes to the compliance agent when it is routed to a model (apps.compliance.second_opinion).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from apps.compliance.policy import SEVERITY, PolicyInput, Verdict, active_rule_sets, evaluate
from apps.compliance.reasons import RULE_DESCRIPTION
from apps.compliance.second_opinion import second_opinion as ask_model

REVIEW_REASONS_MAX = 20


def _dicts(value) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def post_policy_input(
    *,
    hook: str,
    caption: str,
    hashtags,
    script,
    language: str | None,
    ai_generated: bool = False,
    commercial_content: str = "none",
) -> PolicyInput:
    script = script if isinstance(script, dict) else {}
    lines = [caption]
    for scene in _dicts(script.get("scenes")):
        lines += [str(scene.get("voiceover") or ""), str(scene.get("on_screen_text") or "")]
    lines.append(str(script.get("cta") or ""))
    tags = tuple(str(tag) for tag in (hashtags or []) if tag)
    return PolicyInput(
        text="\n".join(line for line in lines if line),
        title=hook,
        hashtags=tags,
        language=language,
        ai_generated=ai_generated,
        commercial_content=commercial_content or "none",
    )


def check_post(
    org,
    *,
    hook: str,
    caption: str,
    hashtags,
    script,
    language: str | None,
    platforms: Sequence[str] = (),
    rule_sets=None,
    ai_generated: bool = False,
    commercial_content: str = "none",
    project=None,
    second_opinion: bool = False,
) -> Verdict:
    """The verdict on a post's text (see the module docstring). `rule_sets`: the organization's
    active rule sets, when the caller checks many posts (`active_rule_sets(org)` once).
    `second_opinion`: ask the compliance agent too (`org` must then be the organization itself)."""
    rule_sets = active_rule_sets(org) if rule_sets is None else rule_sets
    content = post_policy_input(
        hook=hook,
        caption=caption,
        hashtags=hashtags,
        script=script,
        language=language,
        ai_generated=ai_generated,
        commercial_content=commercial_content,
    )
    verdicts = [evaluate(content, rule_sets=rule_sets)]
    verdicts += [evaluate(replace(content, platform=platform), rule_sets=rule_sets) for platform in platforms]
    verdict = verdicts[0]
    if len(verdicts) > 1:
        worst = max(verdicts, key=lambda verdict: SEVERITY[verdict.outcome])
        matches, seen = [], set()
        for each in verdicts:
            for match in each.matches:
                if match.rule_id not in seen:
                    seen.add(match.rule_id)
                    matches.append(match)
        verdict = replace(worst, matches=tuple(matches))
    return ask_model(org, content, verdict, project=project) if second_opinion else verdict


def review_reasons(verdict: Verdict) -> list[dict]:
    """Why a post needs review: the matched rules' reason codes (`{"code", "params"}`), once each; [] when it passed.

    Stored as codes so each viewer reads them in their own language (`{{ reasons|reasons_text }}`)."""
    if verdict.outcome == "pass":
        return []
    reasons = []
    for match in verdict.matches:
        reason = match.reason or RULE_DESCRIPTION.reason(description=match.description, code=match.code).as_dict()
        if reason not in reasons:
            reasons.append(reason)
    return reasons[:REVIEW_REASONS_MAX]
