"""The creative director, offline: one concept per slot, hooks spread over the month (hooks.py)."""

from __future__ import annotations

import random

from apps.ai.offline import hooks
from apps.ai.offline.common import beat_lines, pick_formats
from apps.ai.offline.inputs import Inputs, confidence, read_formats
from apps.ai.offline.text import allocate, as_int, as_list, clip, sentence


def slot_labels(inputs: Inputs) -> list[str]:
    given = inputs.context.get("slots")
    labels: list[str] = []
    if isinstance(given, (list, tuple)):
        for item in given:
            if isinstance(item, dict):
                item = _dict_label(item)
            label = clip(item, 40)
            if label and label.casefold() not in {seen.casefold() for seen in labels}:
                labels.append(label)
    if labels:
        return labels[:30]
    count = max(1, min(30, as_int(inputs.context.get("slot_count") or inputs.context.get("count"), 3)))
    return [inputs.label("slot", n=i + 1) for i in range(count)]


def _dict_label(item: dict) -> str:
    """A slot given as a dict: its label, its dated slot name ("2027-06-01 #1"), or date and number."""
    if item.get("label"):
        return str(item["label"])
    slot = item.get("slot")
    if isinstance(slot, str) and "#" in slot:
        return slot
    parts = [item.get("date") or item.get("day"), slot or item.get("index")]
    return " #".join(str(part) for part in parts if part) or str(item.get("id") or "")


def _entries(inputs: Inputs, slots: list[str], rng: random.Random, picker: hooks.Picker) -> list:
    """(entry, hook) per slot: from the month schedule where the slot has a date, else at random."""
    formats = pick_formats(inputs, rng)
    topics = list(inputs.topic_list)
    refill = bool(inputs.context.get("preferred_formats"))
    preferred = [key for key, _ in (read_formats(inputs.context.get("preferred_formats")) or formats)]
    counts = allocate(len(slots), [share for _, share in formats])
    sequence = [key for (key, _), n in zip(formats, counts, strict=True) for _ in range(n)]
    rng.shuffle(sequence)
    rng.shuffle(topics)
    ordered_topics = tuple(sorted(topics, key=str.casefold))
    chosen = []
    for i, slot in enumerate(slots):
        position = None if refill else hooks.month_position(slot)
        found = None
        if position is not None:
            month, index, size = position
            variation = f"{inputs.brand_name}\x1f{inputs.context.get('variation') or ''}"
            schedule = hooks.month_schedule(inputs.lang, variation, ordered_topics, tuple(formats), month, size)
            found = picker.first_fit(inputs.lang, [schedule[index]], rng.randint(3, 5))
        if found is None:
            first = [sequence[i]] if not refill else preferred
            own_topic_first = list(dict.fromkeys([topics[i % len(topics)], *topics]))
            entries = hooks.every_entry(inputs.lang, own_topic_first, first, rng)
            found = picker.first_fit(inputs.lang, entries, rng.randint(3, 5))
        if found is None:  # everything is near an avoided hook: the least bad, marked by the guard later
            entry = hooks.Entry(sequence[i], "format", i % len(inputs.format(sequence[i]).hooks), topics[0])
            found = (entry, picker.take(entry.render(inputs.lang, 3 + i)))
        chosen.append(found)
    return chosen


def compose(inputs: Inputs, rng: random.Random) -> dict:
    slots = slot_labels(inputs)
    avoid = as_list(inputs.context.get("avoid_hooks"), limit=200)
    picker = hooks.Picker(avoid)
    concepts = []
    for i, (slot, (entry, hook)) in enumerate(zip(slots, _entries(inputs, slots, rng, picker), strict=True)):
        spec = inputs.format(entry.format)
        values = inputs.values(rng, entry.topic)
        beats = [beat for beat, _ in beat_lines(inputs, entry.format, rng, values)]
        if inputs.knowledge and i % 3 == 0:
            knowledge = inputs.knowledge[(i // 3) % len(inputs.knowledge)]
            angle = inputs.label(
                "concept_angle_knowledge", format=spec.name, topic=entry.topic, knowledge=sentence(knowledge)
            )
        else:
            key = "concept_angle" if inputs.audience else "concept_angle_plain"  # no invented audience
            angle = inputs.label(key, format=spec.name, topic=entry.topic, audience=inputs.audience, beat=beats[1])
        concepts.append(
            {
                "slot": slot,
                "title": clip(inputs.label("concept_title", format=spec.name, topic=entry.topic), 100),
                "hook": hook,
                "angle": clip(angle, 300),
                "format": spec.name,
                "pillar": clip(entry.topic, 80),
                "beats": beats,
            }
        )
    rationale = inputs.label(
        "creative_rationale",
        count=len(concepts),
        pillars=len({concept["pillar"] for concept in concepts}),
        formats=len({concept["format"] for concept in concepts}),
        brief=clip(inputs.brief, 220) or "–",
    )
    return {"confidence": confidence(inputs, rng, 0.5), "rationale": clip(rationale, 600), "concepts": concepts}
