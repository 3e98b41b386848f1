"""Hooks for the creative director: many structures, spread over a month without repeats.

Slots labelled with a date ("2027-06-01 #2", as the month plan sends them) get their hook from
a month schedule that depends only on the brand, the topics, the format mix and the month, so
the independent calls of one plan (a call per day) never pick the same structure twice: each
format's own hooks first, then the hooks that suit every format, then the same structures with
another topic. Other slots, and the refill rounds of a plan (`preferred_formats` in the
context), draw at random from every format. A candidate too close to a hook in `avoid_hooks`
or to one picked earlier in the call (cosine similarity of the local hashing embedder at
`NEAR` or above) is skipped, so the similarity guard rarely has to reject an offline hook.
"""

from __future__ import annotations

import calendar
import random
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from apps.ai.embeddings import HashingEmbedder
from apps.ai.offline import library
from apps.ai.offline.text import allocate, clip, stable_int

NEAR = 0.85  # a margin below the similarity guard's usual threshold (0.90)
HOOK_MAX = 150
_LABEL = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) #(\d)$")


@dataclass(frozen=True)
class Entry:
    format: str
    kind: str  # "format": the format's own hooks; "general": hooks that suit every format
    index: int
    topic: str

    def template(self, lang: str) -> library.Template:
        data = library.language(lang)
        return (
            data.formats[self.format].hooks[self.index]
            if self.kind == "format"
            else data.banks.general_hooks[self.index]
        )

    def render(self, lang: str, n: int) -> str:
        return clip(self.template(lang).render(topic=self.topic, n=n), HOOK_MAX)


def month_position(label: str) -> tuple[str, int, int] | None:
    """(month, position in the month, slots in the month) of a dated slot label, else None."""
    match = _LABEL.match(str(label or "").strip())
    if not match:
        return None
    year, month, day, number = (int(part) for part in match.groups())
    try:
        days = calendar.monthrange(year, month)[1]
    except (ValueError, calendar.IllegalMonthError):
        return None
    if not 1 <= day <= days or not 1 <= number <= 3:
        return None
    return f"{year}-{month:02d}", (day - 1) * 3 + number - 1, days * 3


@lru_cache(maxsize=32)
def month_schedule(lang: str, brand: str, topics: tuple, formats: tuple, month: str, size: int) -> tuple[Entry, ...]:
    """One entry per slot of the month (see the module docstring); `formats` are (key, share) pairs."""
    data = library.language(lang)
    rng = random.Random(stable_int(lang, brand, topics, formats, month))
    counts = allocate(size, [share for _, share in formats])
    sequence = [key for (key, _), count in zip(formats, counts, strict=True) for _ in range(count)]
    rng.shuffle(sequence)
    own = {key: rng.sample(range(len(data.formats[key].hooks)), len(data.formats[key].hooks)) for key, _ in formats}
    general = rng.sample(range(len(data.banks.general_hooks)), len(data.banks.general_hooks))
    uses: Counter = Counter()
    general_uses = 0
    taken: dict[int, set] = {}
    schedule = []
    for key in sequence:
        k = uses[key]
        uses[key] += 1
        if k < len(own[key]):
            schedule.append(Entry(key, "format", own[key][k], topics[k % len(topics)]))
            continue
        # The format's own hooks are used up: the general ones, each topic once per structure.
        index = general[general_uses % len(general)]
        general_uses += 1
        tried = taken.setdefault(index, set())
        order = topics[general_uses % len(topics) :] + topics[: general_uses % len(topics)]
        topic = next((topic for topic in order if topic not in tried), order[0])
        tried.add(topic)
        schedule.append(Entry(key, "general", index, topic))
    return tuple(schedule)


def every_entry(lang: str, topics: list[str], preferred: list[str], rng: random.Random) -> list[Entry]:
    """Every (structure, topic) pair, the preferred formats' first, each group shuffled."""
    data = library.language(lang)
    first, rest = [], []
    for key, spec in data.formats.items():
        bucket = first if key in preferred else rest
        bucket.extend(Entry(key, "format", i, topic) for i in range(len(spec.hooks)) for topic in topics)
    fallback = preferred or list(data.formats)
    general = [
        Entry(fallback[i % len(fallback)], "general", i, topic)
        for i in range(len(data.banks.general_hooks))
        for topic in topics
    ]
    rng.shuffle(first)
    rng.shuffle(rest)
    rng.shuffle(general)
    return first + general + rest


@lru_cache(maxsize=4096)
def _vector(text: str) -> tuple[float, ...]:
    return tuple(_embedder().embed_one(text))


@lru_cache(maxsize=1)
def _embedder() -> HashingEmbedder:
    return HashingEmbedder()


class Picker:
    """Hooks of one call: none repeated, none near an avoided hook."""

    def __init__(self, avoid: list[str]):
        self.used: set[str] = set()
        self.vectors = [_vector(text) for text in avoid if isinstance(text, str) and text.strip()][:200]
        self.used.update(text.casefold() for text in avoid if isinstance(text, str))

    def fits(self, hook: str) -> bool:
        if not hook or hook.casefold() in self.used:
            return False
        vector = _vector(hook)
        return all(sum(a * b for a, b in zip(vector, other, strict=True)) < NEAR for other in self.vectors)

    def take(self, hook: str) -> str:
        self.used.add(hook.casefold())
        self.vectors.append(_vector(hook))
        return hook

    def first_fit(self, lang: str, entries, n: int) -> tuple[Entry, str] | None:
        for entry in entries:
            hook = entry.render(lang, n)
            if self.fits(hook):
                return entry, self.take(hook)
        return None
