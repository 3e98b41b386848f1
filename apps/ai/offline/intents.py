"""What an "AI improve" instruction asks for (German or English keywords in data/intents.yaml)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from apps.ai.offline import library

ORDER = ("translate", "remove_hashtags", "shorter", "longer", "formal", "casual", "cta", "emoji", "question")


@dataclass(frozen=True)
class Instruction:
    intents: tuple[str, ...]  # in the order they are applied (ORDER)
    target: str | None = None  # the language a translation goes to, when named

    @property
    def known(self) -> bool:
        return bool(self.intents)


def _mentions(text: str, keywords) -> bool:
    return any(re.search(r"(?<!\w)" + re.escape(keyword.casefold()), text) for keyword in keywords)


def parse(instruction: str) -> Instruction:
    text = " ".join(str(instruction or "").casefold().split())
    data = library.intents()
    found = {name for name in ORDER if name != "translate" and _mentions(text, getattr(data, name))}
    target = next((code for code, words in data.targets.items() if _mentions(text, words)), None)
    if _mentions(text, data.translate) or target:
        found.add("translate")
    if "remove_hashtags" in found:  # "ohne Hashtags, kürzer" is not a wish for a question or emoji
        found.discard("emoji")
    if {"shorter", "longer"} <= found:
        found.discard("longer")
    if {"formal", "casual"} <= found:
        found.discard("casual")
    return Instruction(tuple(name for name in ORDER if name in found), target)


def understands(instruction: str) -> bool:
    """Whether the offline writer can follow `instruction` (at least one known intent)."""
    return parse(instruction).known
