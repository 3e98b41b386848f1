"""The compliance agent, offline: no opinion. The policy engine (apps.compliance) decides; the
offline writer detects no claims, so it answers "needs review" with zero confidence and only
passes on whether the caller said the post needs an AI label."""

from __future__ import annotations

import random

from apps.ai.offline.inputs import Inputs


def _flag(value, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() not in ("0", "false", "no", "off", "")
    return default if value is None else bool(value)


def compose(inputs: Inputs, rng: random.Random) -> dict:
    needs_disclosure = _flag(inputs.context.get("ai_generated"), True)
    return {
        "confidence": 0.0,
        "rationale": inputs.label("compliance_rationale"),
        "verdict": "needs_review",
        "claims": [],
        "needs_disclosure": needs_disclosure,
        "disclosure_text": inputs.label("disclosure") if needs_disclosure else "",
        "suggested_fixes": [],
    }
