"""Translation of the offline writer's own sentences: a sentence is matched against every
template of the source language and rendered with the parallel template of the target
language, the slot values (topics, numbers, brand) kept. Text the writer did not produce
cannot be translated offline: `translate` returns None then."""

from __future__ import annotations

import re
from functools import lru_cache

from apps.ai.offline import library
from apps.ai.offline.rewrite import sentences

# Labels whose sentences end up in a post (the others are rationales and notes).
CONTENT_LABELS = ("scene_cta_voice", "scene_knowledge", "scene_hook_visual", "scene_cta_visual", "concept_title")


def _templates(lang: str) -> list[library.Template | str]:
    """Every template and fixed sentence of a language, in an order parallel across languages."""
    data = library.language(lang)
    items: list = []
    for key in sorted(data.formats):
        spec = data.formats[key]
        items += [spec.name, spec.why, *spec.hooks, *spec.caption_values]
        items += [part for beat in spec.beats for part in (beat.beat, beat.line)]
    banks = data.banks
    items += [*banks.general_hooks, *banks.scene_details, *banks.questions, banks.defaults.cta]
    items += [*data.improve.longer, *data.improve.questions]
    items += [data.labels[key] for key in CONTENT_LABELS]
    return items


def _regex(item) -> re.Pattern:
    if isinstance(item, str):
        return re.compile(re.escape(item) + r"\Z")
    pattern, seen, last = "", set(), 0
    for match in library.SLOT.finditer(item.raw):
        pattern += re.escape(item.raw[last : match.start()])
        name, need = match.groups()
        if name in seen:
            pattern += f"(?P={name})"
        else:
            if need == "number":
                pattern += rf"(?P<{name}>\d+)"
            else:  # a noun phrase never spans sentences
                pattern += rf"(?P<{name}>.+?)" if need == "clause" else rf"(?P<{name}>[^.!?]+?)"
            seen.add(name)
        last = match.end()
    return re.compile(pattern + re.escape(item.raw[last:]) + r"\Z")


@lru_cache(maxsize=4)
def _pairs(source: str, target: str) -> tuple:
    return tuple(zip((_regex(i) for i in _templates(source)), _templates(target), strict=True))


def _one(text: str, source: str, target: str) -> str | None:
    for candidate, end in ((text, ""), (text[:-1], text[-1:]) if text[-1:] in ".!" else (None, "")):
        if not candidate:
            continue
        for regex, other in _pairs(source, target):
            match = regex.match(candidate)
            if match:
                return (other if isinstance(other, str) else other.render(**match.groupdict())) + end
    return None


def translate(text: str, source: str, target: str) -> str | None:
    """`text` in `target`, or None when a part of it is not the writer's own."""
    text = " ".join(str(text or "").split())
    if source == target or not text:
        return text
    whole = _one(text, source, target)
    if whole is not None:
        return whole
    parts, out, i = sentences(text), [], 0
    while i < len(parts):
        for j in range(len(parts), i, -1):  # the longest run of sentences that one template covers
            found = _one(" ".join(parts[i:j]), source, target)
            if found is not None:
                out.append(found)
                i = j
                break
        else:
            return None
    return " ".join(out)
