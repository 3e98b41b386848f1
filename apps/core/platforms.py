"""The per-platform table (apps/core/data/platforms.yaml) and the platforms' ways of counting text.

    platform("x").caption_max        # 280
    count("Hi 👋 https://example.com/long/path", "x")   # 3 + 2 + 23 = 28

Compliance, variants and publishing read their limits here; a new column goes into the data
file and the `Platform` model below.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PositiveInt

DATA_FILE = Path(__file__).parent / "data" / "platforms.yaml"
X_URL_LENGTH = 23  # X shortens every link to t.co: each URL counts this much, whatever its length
# Code point ranges X counts as 1 (Latin, Greek, Cyrillic, Hebrew, Arabic, Indic …, general punctuation);
# everything else (CJK, emoji) counts 2. From twitter-text's v3 configuration.
X_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
ZWJ = "\u200d"
# Joined to the emoji before them: variation selectors, skin tones, tag characters, the keycap mark.
EMOJI_JOINERS = re.compile("[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f\u20e3]")


class Platform(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    name: str
    caption_max: PositiveInt
    title_max: PositiveInt | None = None
    hashtags_max: int = Field(ge=0)
    counting: Literal["chars", "utf16", "twitter"]
    links_clickable: bool


class PlatformTable(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    platforms: dict[str, Platform]


@functools.lru_cache(maxsize=1)
def table() -> PlatformTable:
    raw = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    for key, row in (raw.get("platforms") or {}).items():
        row.setdefault("key", key)
    return PlatformTable.model_validate(raw)


def platforms() -> list[Platform]:
    """Every platform, in the data file's order."""
    return list(table().platforms.values())


def platform(key: str) -> Platform:
    """The platform with this key; KeyError for an unknown one."""
    return table().platforms[key]


def choices() -> list[tuple[str, str]]:
    """(key, display name) pairs for forms."""
    return [(row.key, row.name) for row in platforms()]


def _x_weight(char: str) -> int:
    code = ord(char)
    return 1 if any(low <= code <= high for low, high in X_LIGHT_RANGES) else 2


def _x_text_length(text: str) -> int:
    total, joined = 0, False
    for char in text:
        if char == ZWJ:
            joined = True  # the next emoji belongs to the sequence already counted
            continue
        if EMOJI_JOINERS.match(char):
            continue
        weight = _x_weight(char)
        if joined and weight == 2:
            joined = False
            continue
        joined = False
        total += weight
    return total


def count_twitter(text: str) -> int:
    """X's weighted length: see X_LIGHT_RANGES; an emoji sequence counts 2, a URL 23."""
    total, last = 0, 0
    for match in URL_RE.finditer(text):
        total += _x_text_length(text[last : match.start()]) + X_URL_LENGTH
        last = match.end()
    return total + _x_text_length(text[last:])


def count_utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def count(text: str, platform_key: str) -> int:
    """The length of `text` as the platform counts it (its `counting` rule)."""
    rule = platform(platform_key).counting
    if rule == "utf16":
        return count_utf16(text)
    if rule == "twitter":
        return count_twitter(text)
    return len(text)
