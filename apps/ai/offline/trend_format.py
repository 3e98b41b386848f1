"""The trend & format agent, offline: a mix of library formats with shares that sum to 1."""

from __future__ import annotations

import random

from apps.ai.offline.common import one_hook, pick_formats
from apps.ai.offline.inputs import Inputs, confidence
from apps.ai.offline.text import allocate, clip

# Without formats in the inputs, a wide mix: more formats give the month more hook structures.
MIX_LOW, MIX_HIGH = 6, 8


def compose(inputs: Inputs, rng: random.Random) -> dict:
    formats = pick_formats(inputs, rng, MIX_LOW, MIX_HIGH)
    weights = [share * rng.uniform(0.8, 1.2) if not inputs.formats else share for _, share in formats]
    units = [max(1, part) for part in allocate(20, weights)]  # shares in steps of 5 %
    while sum(units) > 20:
        units[units.index(max(units))] -= 1
    topics = inputs.topic_list
    used: set[str] = set()
    items = []
    for i, ((key, _), unit) in enumerate(zip(formats, units, strict=True)):
        spec, topic = inputs.format(key), topics[i % len(topics)]
        items.append(
            {
                "format": spec.name,
                "share": unit / 20,
                "why": clip(inputs.label("format_why", why=spec.why, topic=topic, tone=inputs.tone_text), 300),
                "example_hook": one_hook(inputs, key, rng, topic, used),
            }
        )
    items.sort(key=lambda item: item["share"], reverse=True)
    avoid = [inputs.label("avoid_default")]
    avoid += [clip(inputs.label("avoid_dont", dont=dont), 200) for dont in inputs.dont[:3]]
    rationale = inputs.label(
        "trend_rationale",
        count=len(items),
        brand=inputs.brand_name,
        top=items[0]["format"],
        share=round(items[0]["share"] * 100),
    )
    return {
        "confidence": confidence(inputs, rng, 0.5),
        "rationale": clip(rationale, 600),
        "formats": items,
        "avoid": avoid,
    }
