"""Pieces several composers share: formats to use, a format's beats, hashtags."""

from __future__ import annotations

import random

from apps.ai.offline import library
from apps.ai.offline.inputs import Inputs
from apps.ai.offline.text import clip, hashtag


def pick_formats(inputs: Inputs, rng: random.Random, low: int = 3, high: int = 4) -> list[tuple[str, float]]:
    """The formats the inputs name, else `low`..`high` formats of the library at random."""
    if inputs.formats:
        return inputs.formats
    keys = library.format_keys()
    return [(key, 1.0) for key in rng.sample(keys, min(len(keys), rng.randint(low, high)))]


def beat_lines(
    inputs: Inputs, key: str, rng: random.Random, values: dict, count: int | None = None
) -> list[tuple[str, str]]:
    """(outline beat, spoken line) pairs of a format: the first and last beat and some in between."""
    pairs = [(clip(beat.beat.render(**values), 160), beat.line.render(**values)) for beat in inputs.format(key).beats]
    count = count or rng.randint(3, len(pairs))
    if count >= len(pairs):
        return pairs
    middle = sorted(rng.sample(range(1, len(pairs) - 1), max(0, count - 2)))
    return [pairs[0], *(pairs[i] for i in middle), pairs[-1]]


def hashtags(inputs: Inputs, *extra: str) -> list[str]:
    tags: list[str] = []
    for item in [*inputs.hashtags, *extra]:
        tag = item if item and item.startswith("#") else hashtag(item or "")
        if tag and tag.casefold() not in {seen.casefold() for seen in tags}:
            tags.append(tag)
    return tags[:8]


def one_hook(inputs: Inputs, key: str, rng: random.Random, topic: str, used: set[str]) -> str:
    """A hook of format `key` about `topic`, not in `used` (which it joins)."""
    templates = list(inputs.format(key).hooks)
    rng.shuffle(templates)
    for template in [*templates, *inputs.data.banks.general_hooks]:
        hook = clip(template.render(topic=topic, n=rng.randint(3, 5)), 150)
        if hook.casefold() not in used:
            used.add(hook.casefold())
            return hook
    return clip(templates[0].render(topic=topic, n=3), 150)
