"""The research agent, offline: insights, trends, pains and angles from the brief and the library."""

from __future__ import annotations

import random

from apps.ai.offline.common import one_hook, pick_formats
from apps.ai.offline.inputs import Inputs, confidence
from apps.ai.offline.text import as_list, clip


def compose(inputs: Inputs, rng: random.Random) -> dict:
    banks, topics = inputs.data.banks, inputs.topic_list
    insights = []
    if inputs.brief:
        detail = inputs.label("brief_detail", brief=clip(inputs.brief, 220), topic=topics[0])
        insights.append({"title": inputs.label("brief_title"), "detail": clip(detail, 400)})
    if inputs.knowledge:
        detail = inputs.label(
            "knowledge_detail", knowledge=clip(inputs.knowledge[0], 250).rstrip("."), audience=inputs.audience_text
        )
        insights.append({"title": inputs.label("knowledge_title"), "detail": clip(detail, 400)})
    pool = list(banks.insights)
    rng.shuffle(pool)
    wanted = rng.randint(4, 5)
    for i, insight in enumerate(pool):
        if len(insights) >= wanted:
            break
        values = inputs.values(rng, topics[i % len(topics)])
        insights.append({"title": insight.title, "detail": clip(insight.detail.render(**values), 400)})

    formats = pick_formats(inputs, rng)
    relevance = ("high", "medium", "low")
    trends = []
    for i, (key, _) in enumerate(formats[:5]):
        spec = inputs.format(key)
        line = banks.trend_line.render(name=spec.name, why=spec.why)
        trends.append({"name": spec.name, "description": clip(line, 300), "relevance": relevance[min(i, 2)]})
    pains = list(banks.pains)
    rng.shuffle(pains)
    pains = [clip(pain, 200) for pain in [*as_list(inputs.context.get("pains")), *pains][: rng.randint(3, 5)]]
    used: set[str] = set()
    angles = []
    for i, (key, _) in enumerate(formats[:5]):
        hook = one_hook(inputs, key, rng, topics[i % len(topics)], used)
        angles.append(clip(inputs.label("angle", format=inputs.format(key).name, hook=hook), 200))
    sources = [inputs.label("source_knowledge", text=clip(item, 250)) for item in inputs.knowledge[:4]]
    if inputs.brief:
        sources.append(inputs.label("source_brief", text=clip(inputs.brief, 250)))
    sources.append(inputs.label("source_offline"))
    rationale = inputs.label(
        "research_rationale",
        topics=len(inputs.topics),
        snippets=len(inputs.knowledge),
        tone=inputs.tone_text,
        topic=", ".join(topics[:3]),
    )
    return {
        "confidence": confidence(inputs, rng, 0.45),
        "rationale": clip(rationale, 600),
        "insights": insights,
        "trends": trends,
        "audience_pains": pains,
        "content_angles": angles,
        "sources": [clip(source, 300) for source in sources[:8]],
    }
