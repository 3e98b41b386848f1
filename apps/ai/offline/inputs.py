"""What a request gives the offline writer: the structured context, read leniently."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from apps.ai.offline import library
from apps.ai.offline.text import as_float, as_list, clip, hashtag, text_of
from apps.ai.types import LLMRequest

_VOICE_LINE = re.compile(r"^Voice:\s*(.+)$", re.MULTILINE)
_TONE_LINE = re.compile(r"^Tone:\s*(.+)$", re.MULTILINE)
_DO_BLOCK = re.compile(r"^Do:\n((?:- .*\n?)+)", re.MULTILINE)
_DONT_BLOCK = re.compile(r"^Don't:\n((?:- .*\n?)+)", re.MULTILINE)


@dataclass
class Inputs:
    lang: str
    brief: str = ""
    brand: str = ""
    voice: str = ""
    tone: str = ""
    do: list[str] = field(default_factory=list)
    dont: list[str] = field(default_factory=list)
    audience: str = ""
    cta: str = ""
    hashtags: list[str] = field(default_factory=list)
    visual_style: str = ""
    timezone: str = ""
    topics: list[str] = field(default_factory=list)
    formats: list[tuple[str, float]] = field(default_factory=list)  # (format key, share)
    knowledge: list[str] = field(default_factory=list)
    context: dict = field(default_factory=dict)

    @property
    def data(self) -> library.Language:
        return library.language(self.lang)

    @property
    def labels(self) -> dict:
        return self.data.labels

    @property
    def defaults(self) -> library.Defaults:
        return self.data.banks.defaults

    def label(self, key: str, **values) -> str:
        return self.labels[key].render(**values)

    def format(self, key: str) -> library.Format:
        return self.data.formats[key]

    @property
    def brand_name(self) -> str:
        return self.brand or self.defaults.brand

    @property
    def audience_text(self) -> str:
        return self.audience or self.defaults.audience

    @property
    def tone_text(self) -> str:
        return self.tone or self.voice or self.defaults.tone

    @property
    def cta_text(self) -> str:
        return self.cta or self.defaults.cta

    @property
    def topic_list(self) -> list[str]:
        return self.topics or [self.defaults.topic]

    def values(self, rng: random.Random, topic: str | None = None) -> dict:
        return {
            "topic": topic or self.topic_list[0],
            "audience": self.audience_text,
            "brand": self.brand_name,
            "n": rng.randint(3, 5),
        }

    @classmethod
    def from_request(cls, request: LLMRequest) -> Inputs:
        lang = "en" if str(request.language or "de").lower().startswith("en") else "de"
        context = request.context if isinstance(request.context, dict) else {}
        return cls.from_context(lang, context, request.messages)

    @classmethod
    def from_context(cls, lang: str, context: dict, messages=()) -> Inputs:
        brand = context.get("brand") or context.get("brand_kit") or {}
        if isinstance(brand, str):
            brand = {"name": brand}
        if not isinstance(brand, dict):
            brand = {}

        def pick(*keys, source=None):
            for where in (context, brand) if source is None else (source,):
                for key in keys:
                    text = text_of(where.get(key))
                    if text:
                        return text
            return ""

        inputs = cls(lang=lang, context=context)
        inputs.brief = pick("brief", "goal", "description", source=context)
        inputs.brand = clip(
            pick("brand_name", source=context) or pick("name", "brand_name", source=brand) or pick("project"), 60
        )
        inputs.voice = clip(pick("voice"), 200)
        inputs.tone = clip(pick("tone"), 120)
        inputs.audience = clip(pick("audience", "target_audience"), 120)
        inputs.cta = clip(pick("cta", "call_to_action"), 140)
        inputs.visual_style = clip(pick("visual_style", "style"), 120)
        inputs.timezone = pick("timezone", "time_zone")
        inputs.do = [clip(item, 120) for item in as_list(brand.get("do") or brand.get("do_list") or brand.get("dos"))]
        donts = brand.get("dont") or brand.get("dont_list") or brand.get("don't") or brand.get("donts")
        inputs.dont = [clip(item, 120) for item in as_list(donts)]
        tags = as_list(context.get("hashtags") or brand.get("hashtags"))
        inputs.hashtags = [tag for tag in (hashtag(item) for item in tags) if tag]
        topics = (
            context.get("topics")
            or context.get("pillars")
            or context.get("content_pillars")
            or context.get("topic")
            or brand.get("pillars")
            or brand.get("topics")
        )
        inputs.topics = [clip(topic, 60) for topic in as_list(topics)]
        inputs.formats = read_formats(context.get("format_mix") or context.get("formats"))
        inputs.knowledge = [clip(item, 220) for item in as_list(context.get("knowledge"), limit=12)]

        system = "\n".join(m.content for m in messages if getattr(m, "role", "") == "system")
        if system:
            if not inputs.voice and (match := _VOICE_LINE.search(system)):
                inputs.voice = clip(match.group(1), 200)
            if not inputs.tone and (match := _TONE_LINE.search(system)):
                inputs.tone = clip(match.group(1), 120)
            if not inputs.do and (match := _DO_BLOCK.search(system)):
                inputs.do = [clip(item, 120) for item in as_list(match.group(1).replace("\n", ";"))]
            if not inputs.dont and (match := _DONT_BLOCK.search(system)):
                inputs.dont = [clip(item, 120) for item in as_list(match.group(1).replace("\n", ";"))]
        return inputs


def read_formats(value) -> list[tuple[str, float]]:
    """Library formats named in the inputs, with their shares (equal shares when none are given)."""
    if isinstance(value, dict):
        value = value.get("formats") or []
    if isinstance(value, str):
        value = as_list(value)
    if not isinstance(value, (list, tuple)):
        return []
    found: dict[str, float] = {}
    for item in value:
        name, share = (
            (item.get("format") or item.get("name") or item.get("key"), item.get("share"))
            if isinstance(item, dict)
            else (item, None)
        )
        key = library.find_format(name)
        if key is not None and key not in found:
            found[key] = max(0.0, as_float(share, 0.0))
    items = list(found.items())[:8]
    if items and not any(share for _, share in items):
        items = [(key, 1.0) for key, _ in items]
    return [(key, share) for key, share in items if share > 0]


def confidence(inputs: Inputs, rng: random.Random, base: float) -> float:
    richness = sum(bool(x) for x in (inputs.brief, inputs.topics, inputs.knowledge, inputs.brand or inputs.tone))
    return round(min(0.95, max(0.05, base + 0.07 * richness + rng.uniform(-0.04, 0.04))), 2)
