"""The analytics agent, offline: the best and weakest format, the strongest hooks, next experiments."""

from __future__ import annotations

import random
import statistics

from apps.ai.offline import library
from apps.ai.offline.inputs import Inputs
from apps.ai.offline.scheduler import posts_word, records
from apps.ai.offline.text import as_float, clip, number, text_of


def _evidence(count: int) -> str:
    return "strong" if count >= 10 else ("moderate" if count >= 4 else "weak")


def _format_finding(inputs: Inputs, kind: str, name: str, values: list[float], average: float) -> dict:
    mean = statistics.fmean(values)
    details = {"format": name, "avg": number(mean, inputs.lang), "count": len(values)}
    details["posts"] = posts_word(inputs, len(values))
    if kind == "format":
        details["ratio"] = number(mean / average, inputs.lang, 1)
    return {
        "title": clip(inputs.label(f"analytics_{kind}_title", format=name), 120),
        "detail": clip(inputs.label(f"analytics_{kind}", **details), 400),
        "evidence": _evidence(len(values)),
    }


def compose(inputs: Inputs, rng: random.Random) -> dict:
    by_format: dict[str, list[float]] = {}
    hooks: list[tuple[float, str]] = []
    rows = records(inputs)
    for record in rows:
        views = as_float(record.get("views", record.get("plays", record.get("score"))))
        name = text_of(record.get("format"))
        if name:
            key = library.find_format(name)
            by_format.setdefault(clip(inputs.format(key).name if key else name, 80), []).append(views)
        hook = text_of(record.get("hook")) or text_of(record.get("title"))
        if hook:
            hooks.append((views, clip(hook, 150)))
    findings, winning_formats = [], []
    if by_format:
        average = statistics.fmean(v for values in by_format.values() for v in values) or 1.0
        ranked = sorted(by_format.items(), key=lambda item: statistics.fmean(item[1]), reverse=True)
        findings.append(_format_finding(inputs, "format", *ranked[0], average))
        if len(ranked) > 1:
            findings.append(_format_finding(inputs, "weak", *ranked[-1], average))
        winning_formats = [name for name, values in ranked if statistics.fmean(values) >= average][:5]
    hooks.sort(key=lambda item: item[0], reverse=True)
    winning_hooks: list[str] = []
    for _, hook in hooks:
        if hook.casefold() not in {seen.casefold() for seen in winning_hooks}:
            winning_hooks.append(hook)
    if hooks:
        detail = inputs.label("analytics_hook", hook=hooks[0][1], views=number(hooks[0][0], inputs.lang))
        findings.append(
            {
                "title": inputs.label("analytics_hook_title"),
                "detail": clip(detail, 400),
                "evidence": _evidence(len(hooks)),
            }
        )
    if not findings:
        detail = inputs.label("analytics_none", topic=inputs.topic_list[0])
        findings.append({"title": inputs.label("analytics_none_title"), "detail": detail, "evidence": "weak"})
    if inputs.knowledge:
        findings.append(
            {"title": inputs.label("knowledge_title"), "detail": clip(inputs.knowledge[0], 400), "evidence": "weak"}
        )
    test_key = (library.find_format(winning_formats[-1]) if winning_formats else None) or rng.choice(
        library.format_keys()
    )
    experiments = list(inputs.data.banks.experiments)
    rng.shuffle(experiments)
    values = {"format": inputs.format(test_key).name, "topic": rng.choice(inputs.topic_list)}
    next_experiments = [
        {
            "hypothesis": clip(item.hypothesis.render(**values), 300),
            "change": clip(item.change.render(**values), 200),
            "metric": item.metric,
            "duration_days": rng.choice((7, 14, 21, 28)),
        }
        for item in experiments[: rng.randint(2, 3)]
    ]
    return {
        "confidence": round(min(0.9, 0.4 + min(0.45, len(rows) * 0.01) + rng.uniform(-0.03, 0.03)), 2),
        "rationale": inputs.label("analytics_rationale", count=len(rows), posts=posts_word(inputs, len(rows))),
        "findings": findings[:8],
        "winning_formats": winning_formats,
        "winning_hooks": winning_hooks[:3],
        "next_experiments": next_experiments,
    }
