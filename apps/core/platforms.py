"""The per-platform table (apps/core/data/platforms.yaml) and the platforms' ways of counting text.

    platform("x").caption_max        # 280
    count("Hi 👋 https://example.com/long/path", "x")   # 3 + 2 + 23 = 28

Compliance, variants and publishing read their limits here; a new column goes into the data
file and the `Platform` model below. X's weighted length follows twitter-text's v3
configuration, which lives in the data file too (`twitter_text`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path
from typing import Literal

import regex
import yaml
from pydantic import BaseModel, ConfigDict, Field, PositiveInt, model_validator

DATA_FILE = Path(__file__).parent / "data" / "platforms.yaml"
# A grapheme cluster is one emoji when it shows as one: an emoji-presentation character, a flag
# (regional indicators), a keycap, or a pictograph asked to show as emoji (U+FE0F).
_CLUSTER = regex.compile(r"\X")
_EMOJI_CLUSTER = regex.compile(
    r"\p{Emoji_Presentation}|\p{Regional_Indicator}|\u20e3|\p{Extended_Pictographic}\ufe0f|\p{Extended_Pictographic}\u200d"
)
_TRAILING_PUNCTUATION = ".,;:!?)]}'\"…"


class Platform(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    name: str
    caption_max: PositiveInt
    title_max: PositiveInt | None = None
    title_required: bool = False
    hashtags_max: int = Field(ge=0)
    hashtags_recommended: int | None = Field(default=None, ge=0)
    hashtags_placement: Literal["end", "any"] = "any"
    counting: Literal["chars", "utf16", "twitter"]
    links_clickable: bool
    first_comment: bool = False
    mentions_max: int | None = Field(default=None, ge=0)
    emoji_per_100_max: float | None = Field(default=None, ge=0)
    caps_ratio_max: float = Field(default=0.3, ge=0, le=1)
    line_breaks: bool = True
    cta_expected: bool = True

    @model_validator(mode="after")
    def _title_rule(self):
        if self.title_required and self.title_max is None:
            raise ValueError(f"{self.key}: a required title needs a title_max")
        return self


class WeightRange(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    weight: PositiveInt


class TwitterText(BaseModel):
    """twitter-text's configuration (v3)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int
    max_weighted_length: PositiveInt
    scale: PositiveInt
    default_weight: PositiveInt
    transformed_url_length: PositiveInt
    emoji_parsing: bool
    ranges: list[WeightRange]
    bare_url_tlds: list[str] = Field(default_factory=list)


class PlatformTable(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int = 1
    twitter_text: TwitterText | None = None
    platforms: dict[str, Platform]


@functools.lru_cache(maxsize=1)
def table() -> PlatformTable:
    raw = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    for key, row in (raw.get("platforms") or {}).items():
        row.setdefault("key", key)
    return PlatformTable.model_validate(raw)


def version() -> int:
    """The table's version (stored with lint findings)."""
    return table().version


def platforms() -> list[Platform]:
    """Every platform, in the data file's order."""
    return list(table().platforms.values())


def platform(key: str) -> Platform:
    """The platform with this key; KeyError for an unknown one."""
    return table().platforms[key]


def choices() -> list[tuple[str, str]]:
    """(key, display name) pairs for forms."""
    return [(row.key, row.name) for row in platforms()]


@functools.lru_cache(maxsize=1)
def _url_pattern() -> re.Pattern:
    tlds = table().twitter_text.bare_url_tlds if table().twitter_text else []
    bare = ""
    if tlds:
        names = "|".join(sorted((re.escape(tld) for tld in tlds), key=len, reverse=True))
        # example.com, shop.example.de/path: a dotted host ending in a known TLD, not inside a word or e-mail
        bare = r"|(?<![\w@.])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:" + names + r")(?![\w-])(?:/[^\s<>\"']*)?"
    return re.compile(r"(?:https?://|www\.)[^\s<>\"']+" + bare, re.IGNORECASE)


def find_urls(text: str) -> list[tuple[int, int]]:
    """(start, end) of every link in `text` as X (and our link lint) sees it, trailing punctuation excluded."""
    spans = []
    for match in _url_pattern().finditer(text):
        start, end = match.span()
        while end > start and text[end - 1] in _TRAILING_PUNCTUATION:
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


def emoji_clusters(text: str) -> list[str]:
    """The emoji in `text`, one entry per emoji as people see it (a ZWJ family is one)."""
    return [cluster for cluster in _CLUSTER.findall(text) if _EMOJI_CLUSTER.search(cluster)]


def _code_point_weight(config: TwitterText, code: int) -> int:
    for item in config.ranges:
        if item.start <= code <= item.end:
            return item.weight
    return config.default_weight


def _twitter_units(config: TwitterText, text: str) -> int:
    total = 0
    for cluster in _CLUSTER.findall(text):
        if config.emoji_parsing and _EMOJI_CLUSTER.search(cluster):
            total += config.default_weight
        else:
            total += sum(_code_point_weight(config, ord(char)) for char in cluster)
    return total


def count_twitter(text: str) -> int:
    """X's weighted length (twitter-text v3): NFC, weight ranges, one emoji = 2, a URL = 23."""
    config = table().twitter_text
    text = unicodedata.normalize("NFC", text)
    units, last = 0, 0
    for start, end in find_urls(text):
        units += _twitter_units(config, text[last:start]) + config.transformed_url_length * config.scale
        last = end
    units += _twitter_units(config, text[last:])
    return -(-units // config.scale)  # whole characters, rounded up


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
