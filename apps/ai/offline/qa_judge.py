"""The quality judge, offline: heuristic scores of a script draft (length, structure, call to
action, pacing, brand). Compliance is not judged here: the policy rules decide."""

from __future__ import annotations

import random
import re
import statistics

from apps.ai.offline import script as script_composer
from apps.ai.offline.inputs import Inputs
from apps.ai.offline.text import as_float, as_int, clip, number, text_of

NEUTRAL = 7.0  # the compliance criterion: no opinion offline


def _draft_text(draft: dict) -> str:
    parts = [text_of(draft.get(key)) for key in ("title", "hook", "caption", "cta")]
    for scene in draft.get("scenes") or []:
        if isinstance(scene, dict):
            parts += [text_of(scene.get("voiceover")), text_of(scene.get("on_screen_text"))]
    return "\n".join(part for part in parts if part)


def compose(inputs: Inputs, rng: random.Random) -> dict:
    banks = inputs.data.banks
    draft = inputs.context.get("script") or inputs.context.get("draft")
    if isinstance(draft, str):
        draft = {"caption": draft}
    if not isinstance(draft, dict) or not draft:
        draft = script_composer.compose(inputs, rng)
    scenes = [scene for scene in draft.get("scenes") or [] if isinstance(scene, dict)]
    hook = text_of(draft.get("hook")) or (text_of(scenes[0].get("voiceover")) if scenes else "")
    total = as_int(draft.get("total_duration_seconds"), 0) or sum(
        as_int(scene.get("duration_seconds"), 0) for scene in scenes
    )
    text = _draft_text(draft)
    raw = {
        "hook_strength": (8.0 if 10 <= len(hook) <= 90 else 5.0) + (0.5 if re.search(r"\d|\?", hook) else 0.0),
        "clarity": 8.0 if 3 <= len(scenes) <= 7 else (6.0 if scenes else 5.0),
        "originality": rng.uniform(6.0, 8.5),
        "brand_fit": 8.5 if inputs.brand and inputs.brand.casefold() in text.casefold() else 6.5,
        "platform_fit": 8.5 if 15 <= total <= 60 else (6.0 if total else 5.0),
        "cta": 8.5 if text_of(draft.get("cta")) else 3.0,
        "compliance": NEUTRAL,
        "pacing": 8.5 if scenes and as_int(scenes[0].get("duration_seconds"), 9) <= 3 else 6.0,
    }
    scores, issues, fixes = [], [], []
    for criterion, value in raw.items():
        texts = banks.qa[criterion]
        jitter = 0.0 if criterion == "compliance" else rng.uniform(-0.4, 0.4)
        score = round(max(0.0, min(10.0, value + jitter)), 1)
        scores.append({"criterion": criterion, "score": score, "comment": texts.bad if score < 7 else texts.good})
        if score < 7:
            issues.append(texts.bad)
            fixes.append(texts.fix)
    overall = round(statistics.fmean(item["score"] for item in scores), 1)
    threshold = max(0.0, min(10.0, as_float(inputs.context.get("pass_threshold"), 7.0)))
    passed = overall >= threshold
    if not passed and not issues:
        issues.append(f"{banks.qa['clarity'].name}: {overall} < {threshold}")
        fixes.append(banks.qa["originality"].fix)
    best = max(scores, key=lambda item: item["score"])["criterion"]
    worst = min(scores, key=lambda item: item["score"])["criterion"]
    rationale = inputs.label(
        "qa_rationale",
        overall=number(overall, inputs.lang, 1),
        threshold=number(threshold, inputs.lang, 1),
        best=banks.qa[best].name,
        worst=banks.qa[worst].name,
    )
    return {
        "confidence": round(0.55 + rng.uniform(0, 0.15), 2),
        "rationale": clip(rationale, 600),
        "scores": scores,
        "overall": overall,
        "passed": passed,
        "issues": [clip(issue, 300) for issue in issues[:10]],
        "fixes": [clip(fix, 300) for fix in fixes[:10]],
    }
