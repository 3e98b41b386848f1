"""Shape rules of the JSON-schema filler: index-like numbers, totals, shares; and broken variants."""

from __future__ import annotations

import random
import re

SHARE_NAMES = ("share", "weight", "fraction", "proportion")


def is_index_name(name: str) -> bool:
    lowered = name.lower()
    return "index" in lowered or lowered in ("position", "order", "step", "rank", "number", "no", "day_number")


def fill_totals(result: dict, properties: dict) -> None:
    """`total_<x>` (or `<x>_total`) becomes the sum of `<x>` over the items of a sibling array."""
    for name, value in result.items():
        if not isinstance(value, int | float) or isinstance(value, bool):
            continue
        lowered = name.lower()
        if lowered.startswith("total_"):
            part = lowered[len("total_") :]
        elif lowered.endswith("_total"):
            part = lowered[: -len("_total")]
        else:
            continue
        for sibling in result.values():
            if isinstance(sibling, list) and sibling and all(isinstance(i, dict) and part in i for i in sibling):
                numbers = [item[part] for item in sibling]
                if not all(isinstance(n, int | float) and not isinstance(n, bool) for n in numbers):
                    continue
                total = sum(numbers)
                sub = properties.get(name) if isinstance(properties.get(name), dict) else {}
                low, high = sub.get("minimum"), sub.get("maximum")
                if (low is None or total >= low) and (high is None or total <= high):
                    result[name] = float(total) if isinstance(value, float) else total
                break


def normalise_shares(items: list, item_schema: dict) -> list:
    """Share-like numbers of the items of one array (all within [0, 1]) are made to sum to 1."""
    if not items or not all(isinstance(item, dict) for item in items):
        return items
    properties = item_schema.get("properties") or {}
    for name, sub in properties.items():
        if not any(part in name.lower() for part in SHARE_NAMES) or not isinstance(sub, dict):
            continue
        upper = sub.get("maximum", sub.get("exclusiveMaximum"))
        if sub.get("type") != "number" or not isinstance(upper, int | float) or upper > 1:
            continue
        values = [item.get(name) for item in items]
        if not all(isinstance(v, int | float) and v > 0 for v in values):
            continue
        total = sum(values)
        shares = [round(v / total, 2) for v in values[:-1]]
        last = round(1 - sum(shares), 2)
        if last <= 0:
            shares, last = [round(1 / len(items), 2)] * (len(items) - 1), 0.0
            last = round(1 - sum(shares), 2)
        for item, share in zip(items, [*shares, last], strict=True):
            item[name] = share
    return items


def matching(pattern: str, value: str, rng: random.Random, words) -> str:
    """`value`, or the first of a few common shapes that matches `pattern` (a regex search, as in
    JSON Schema); arbitrary patterns are not solved."""
    try:
        regex = re.compile(pattern)
    except re.error:
        return value
    word = rng.choice(words).lower()
    candidates = (
        value,
        f"{rng.choice((9, 12, 18, 20)):02d}:{rng.choice((0, 15, 30, 45)):02d}",
        f"{rng.choice((9, 12, 18, 20)):02d}:30:00",
        f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") or word,
        re.sub(r"[^a-z0-9]+", "_", value.lower()).strip("_") or word,
        "#" + re.sub(r"\W+", "", word),
        f"#{rng.getrandbits(24):06x}",
        str(rng.randint(10000, 99999)),
        word.upper()[:3],
        "de",
        f"https://example.com/{word}",
    )
    return next((c for c in candidates if regex.search(c)), value)
