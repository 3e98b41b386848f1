"""The offline provider: drafts without network, deterministic for a seed.

`OfflineProvider().complete(request)` composes an answer for the request's contract from the
structured inputs in `request.context` and the format and phrase library
(apps/ai/offline_library.py), in the request's language (German or English; German unless the
language starts with "en"). The same request and seed give the same answer; another seed gives
another valid answer. The answer always validates against `request.output_model`: the nine
agent contracts (apps.ai.contracts) get specific content, any other pydantic model is filled
from its JSON schema.

Context keys it reads (all optional; unknown keys are ignored):

    brief            str: the client's brief
    brand / brand_kit  dict: name, voice, tone, do, dont, audience, cta, hashtags, visual_style,
                     pillars, timezone (a plain string is taken as the brand name)
    audience, cta, hashtags, tone, voice, brand_name, project   top-level overrides
    topics / pillars / content_pillars   list or comma/newline-separated string
    formats / format_mix   format keys or names, or [{"format": ..., "share": ...}]
    knowledge        list of retrieved snippets (str, or dicts with "text")
    slots / slot_count   creative director: slot labels, or how many ideas
    concept / idea   script: {"hook", "title", "format", "pillar", "beats", "angle"}
    duration_seconds script: target length
    script / draft   prompt engineer, compliance, QA judge: a ScriptOutput-shaped dict
    text / caption   compliance: the content to check
    ai_generated     compliance: whether the post needs an AI label (default true)
    taboo            compliance: extra phrases that must not appear
    pass_threshold   QA judge: overall score needed to pass (default 7)
    metrics / posts  scheduler and analytics: [{"weekday", "hour", "views", "format", "hook", ...}]
    timezone, count  scheduler

Brand voice lines that the prompt library put into the system message ("Voice: ...",
"Tone: ...", "Do:"/"Don't:" bullets) are used when the context has none.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import math
import random
import re
import statistics
import time
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel, ValidationError

from apps.ai import contracts as c
from apps.ai import offline_library as lib
from apps.ai.types import LLMRequest, LLMResponse, ProviderFatalError, Usage

logger = logging.getLogger("viralforge.ai")

MODEL = "offline/templates-v1"
DEFAULT_TIMEZONE = "Europe/Berlin"


# --- small text helpers ---------------------------------------------------------------------


class _Blank(dict):
    def __missing__(self, key):
        return ""


def fill(template: str, **values) -> str:
    return template.format_map(_Blank(values))


def clip(text, limit: int) -> str:
    """`text` cut to `limit` characters at a word boundary, with an ellipsis when cut."""
    text = " ".join(str(text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: max(1, limit - 1)]
    if text[len(cut)] != " ":  # the cut falls inside a word: drop that word
        space = cut.rfind(" ")
        if space > limit // 2:
            cut = cut[:space]
    return cut.rstrip(" ,;:–-") + "…"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?…" else text + "."


def as_list(value, limit: int = 20) -> list[str]:
    """Strings from a list, or from a newline/comma/semicolon-separated string; bullets removed."""
    if value is None:
        return []
    if isinstance(value, str):
        items = re.split(r"[\n;,]+", value)
    elif isinstance(value, (list, tuple)):
        items = []
        for item in value:
            if isinstance(item, dict):
                item = item.get("text") or item.get("name") or item.get("title") or ""
            items.append(str(item))
    else:
        return []
    cleaned = []
    for item in items:
        item = " ".join(item.strip().lstrip("-•*#").split())
        if item and item.casefold() not in {seen.casefold() for seen in cleaned}:
            cleaned.append(item)
    return cleaned[:limit]


def _text_of(value) -> str:
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, dict):
        for key in ("text", "brief", "goal", "description", "name", "title"):
            if isinstance(value.get(key), str):
                return " ".join(value[key].split())
    return ""


def hashtag(value: str) -> str | None:
    word = re.sub(r"[^\w]", "", str(value).casefold())
    return f"#{word[:39]}" if len(word) >= 2 else None


def number(value: float, lang: str, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".") if lang == "de" else text


def _as_int(value, default: int) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return default


def _as_float(value, default: float = 0.0) -> float:
    try:
        result = float(value)
    except (TypeError, ValueError):
        return default
    return result if math.isfinite(result) else default


# --- the inputs -----------------------------------------------------------------------------

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
    formats: list[tuple[lib.FormatSpec, float]] = field(default_factory=list)
    knowledge: list[str] = field(default_factory=list)
    context: dict = field(default_factory=dict)

    @property
    def defaults(self) -> dict[str, str]:
        return lib.DEFAULTS[self.lang]

    @property
    def brand_name(self) -> str:
        return self.brand or self.defaults["brand"]

    @property
    def audience_text(self) -> str:
        return self.audience or self.defaults["audience"]

    @property
    def tone_text(self) -> str:
        return self.tone or self.voice or self.defaults["tone"]

    @property
    def cta_text(self) -> str:
        return self.cta or self.defaults["cta"]

    @property
    def topic_list(self) -> list[str]:
        return self.topics or [self.defaults["topic"]]

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
                    text = _text_of(where.get(key))
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
        inputs.dont = [
            clip(item, 120)
            for item in as_list(brand.get("dont") or brand.get("dont_list") or brand.get("don't") or brand.get("donts"))
        ]
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
        inputs.formats = _formats(context.get("format_mix") or context.get("formats"))
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


def _formats(value) -> list[tuple[lib.FormatSpec, float]]:
    """Library formats named in the inputs, with their shares (equal shares when none are given)."""
    if isinstance(value, dict):
        value = value.get("formats") or []
    if isinstance(value, str):
        value = as_list(value)
    if not isinstance(value, (list, tuple)):
        return []
    found: dict[str, tuple[lib.FormatSpec, float]] = {}
    for item in value:
        name, share = (
            (item.get("format") or item.get("name") or item.get("key"), item.get("share"))
            if isinstance(item, dict)
            else (item, None)
        )
        spec = lib.find_format(name)
        if spec is not None and spec.key not in found:
            found[spec.key] = (spec, max(0.0, _as_float(share, 0.0)))
    items = list(found.values())[:8]
    if items and not any(share for _, share in items):
        items = [(spec, 1.0) for spec, _ in items]
    return [(spec, share) for spec, share in items if share > 0]


def _confidence(inputs: Inputs, rng: random.Random, base: float) -> float:
    richness = sum(bool(x) for x in (inputs.brief, inputs.topics, inputs.knowledge, inputs.brand or inputs.tone))
    return round(min(0.95, max(0.05, base + 0.07 * richness + rng.uniform(-0.04, 0.04))), 2)


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` into integer parts proportional to `weights` (largest remainder)."""
    if not weights:
        return []
    weight_sum = sum(weights) or 1.0
    exact = [total * w / weight_sum for w in weights]
    parts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: exact[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _hook(
    spec: lib.FormatSpec, inputs: Inputs, rng: random.Random, topic: str, used: set[str], values: dict | None = None
) -> str:
    templates = list(spec.hooks[inputs.lang])
    rng.shuffle(templates)
    values = values or inputs.values(rng, topic)
    for template in templates:
        hook = clip(fill(template, **values), 150)
        if hook.casefold() not in used:
            used.add(hook.casefold())
            return hook
    base = clip(fill(templates[0], **values), 130)
    part = "Teil" if inputs.lang == "de" else "part"
    for k in range(2, 100):
        hook = f"{base} ({part} {k})"
        if hook.casefold() not in used:
            used.add(hook.casefold())
            return hook
    return base


def _pick_formats(
    inputs: Inputs, rng: random.Random, low: int = 3, high: int = 4
) -> list[tuple[lib.FormatSpec, float]]:
    if inputs.formats:
        return inputs.formats
    specs = rng.sample(list(lib.FORMATS.values()), rng.randint(low, high))
    return [(spec, 1.0) for spec in specs]


def _beat_lines(
    spec: lib.FormatSpec,
    inputs: Inputs,
    rng: random.Random,
    topic: str,
    count: int | None = None,
    values: dict | None = None,
) -> list[tuple[str, str]]:
    """(outline beat, spoken line) pairs of a format: the first and last beat and some in between."""
    values = values or inputs.values(rng, topic)
    pairs = [
        (clip(fill(beat, **values), 160), fill(line, **values))
        for beat, line in zip(spec.beats[inputs.lang], spec.lines[inputs.lang], strict=True)
    ]
    count = count or rng.randint(3, len(pairs))
    if count >= len(pairs):
        return pairs
    middle = sorted(rng.sample(range(1, len(pairs) - 1), max(0, count - 2)))
    return [pairs[0], *(pairs[i] for i in middle), pairs[-1]]


def _beats(spec: lib.FormatSpec, inputs: Inputs, rng: random.Random, topic: str, values: dict) -> list[str]:
    return [beat for beat, _ in _beat_lines(spec, inputs, rng, topic, values=values)]


# --- the nine agents ------------------------------------------------------------------------


def compose_research(inputs: Inputs, rng: random.Random) -> dict:
    lang, labels = inputs.lang, lib.LABELS[inputs.lang]
    topics = inputs.topic_list
    insights = []
    if inputs.brief:
        insights.append(
            {
                "title": labels["brief_title"],
                "detail": fill(labels["brief_detail"], brief=clip(inputs.brief, 220), topic=topics[0]),
            }
        )
    if inputs.knowledge:
        insights.append(
            {
                "title": labels["knowledge_title"],
                "detail": fill(
                    labels["knowledge_detail"],
                    knowledge=clip(inputs.knowledge[0], 250).rstrip("."),
                    brand=inputs.brand_name,
                    audience=inputs.audience_text,
                ),
            }
        )
    pool = list(lib.INSIGHTS[lang])
    rng.shuffle(pool)
    wanted = rng.randint(4, 5)
    for i, (title, detail) in enumerate(pool):
        if len(insights) >= wanted:
            break
        values = inputs.values(rng, topics[i % len(topics)])
        insights.append({"title": title, "detail": fill(detail, **values)})

    formats = _pick_formats(inputs, rng)
    relevance = ("high", "medium", "low")
    trends = [
        {
            "name": spec.name[lang],
            "description": fill(lib.TREND_LINES[lang], name=spec.name[lang], why=spec.why[lang]),
            "relevance": relevance[min(i, 2)],
        }
        for i, (spec, _) in enumerate(formats[:5])
    ]
    pains = list(lib.PAINS[lang])
    rng.shuffle(pains)
    pains = [*as_list(inputs.context.get("pains")), *pains][: rng.randint(3, 5)]
    used: set[str] = set()
    angles = []
    for i, (spec, _) in enumerate(formats[:5]):
        hook = _hook(spec, inputs, rng, topics[i % len(topics)], used)
        prefixed = hook.casefold().startswith(spec.name[lang].casefold())
        angles.append(hook if prefixed else fill(labels["angle"], format=spec.name[lang], hook=hook))
    sources = [fill(labels["source_knowledge"], text=clip(item, 250)) for item in inputs.knowledge[:4]]
    if inputs.brief:
        sources.append(fill(labels["source_brief"], text=clip(inputs.brief, 250)))
    sources.append(labels["source_offline"])
    return {
        "confidence": _confidence(inputs, rng, 0.45),
        "rationale": fill(
            labels["research_rationale"],
            topics=len(inputs.topics),
            snippets=len(inputs.knowledge),
            tone=inputs.tone_text,
            topic=", ".join(topics[:3]),
        ),
        "insights": insights,
        "trends": trends,
        "audience_pains": pains,
        "content_angles": angles,
        "sources": sources,
    }


def compose_trend_format(inputs: Inputs, rng: random.Random) -> dict:
    lang, labels = inputs.lang, lib.LABELS[inputs.lang]
    formats = _pick_formats(inputs, rng)
    weights = [share * rng.uniform(0.8, 1.2) if not inputs.formats else share for spec, share in formats]
    units = [max(1, part) for part in _allocate(20, weights)]  # shares in steps of 5 %
    while sum(units) > 20:
        units[units.index(max(units))] -= 1
    topics = inputs.topic_list
    used: set[str] = set()
    items = []
    for i, ((spec, _), unit) in enumerate(zip(formats, units, strict=True)):
        topic = topics[i % len(topics)]
        items.append(
            {
                "format": spec.name[lang],
                "share": unit / 20,
                "why": fill(labels["format_why"], why=spec.why[lang], topic=topic, tone=inputs.tone_text),
                "example_hook": _hook(spec, inputs, rng, topic, used),
            }
        )
    items.sort(key=lambda item: item["share"], reverse=True)
    avoid = [fill(labels["avoid_default"], audience=inputs.audience_text)]
    avoid += [fill(labels["avoid_dont"], dont=dont) for dont in inputs.dont[:3]]
    return {
        "confidence": _confidence(inputs, rng, 0.5),
        "rationale": fill(
            labels["trend_rationale"],
            count=len(items),
            brand=inputs.brand_name,
            top=items[0]["format"],
            share=round(items[0]["share"] * 100),
        ),
        "formats": items,
        "avoid": avoid,
    }


def _slot_labels(inputs: Inputs) -> list[str]:
    labels_in = inputs.context.get("slots")
    labels: list[str] = []
    if isinstance(labels_in, (list, tuple)):
        for item in labels_in:
            if isinstance(item, dict):
                parts = [item.get("date") or item.get("day"), item.get("slot") or item.get("index")]
                item = item.get("label") or " #".join(str(part) for part in parts if part) or item.get("id") or ""
            label = clip(item, 40)
            if label and label.casefold() not in {seen.casefold() for seen in labels}:
                labels.append(label)
    if labels:
        return labels[:30]
    count = max(1, min(30, _as_int(inputs.context.get("slot_count") or inputs.context.get("count"), 3)))
    return [fill(lib.LABELS[inputs.lang]["slot"], n=i + 1) for i in range(count)]


def compose_creative_director(inputs: Inputs, rng: random.Random) -> dict:
    lang, labels = inputs.lang, lib.LABELS[inputs.lang]
    slots = _slot_labels(inputs)
    formats = _pick_formats(inputs, rng)
    counts = _allocate(len(slots), [share for _, share in formats])
    sequence = [spec for (spec, _), n in zip(formats, counts, strict=True) for _ in range(n)]
    rng.shuffle(sequence)
    topics = list(inputs.topic_list)
    rng.shuffle(topics)
    used: set[str] = set()
    concepts = []
    for i, slot in enumerate(slots):
        spec = sequence[i]
        topic = topics[i % len(topics)]
        values = inputs.values(rng, topic)
        beats = _beats(spec, inputs, rng, topic, values)
        if inputs.knowledge and i % 3 == 0:
            angle = fill(
                labels["concept_angle_knowledge"],
                format=spec.name[lang],
                topic=topic,
                knowledge=inputs.knowledge[(i // 3) % len(inputs.knowledge)],
            )
        else:
            angle = fill(
                labels["concept_angle"],
                format=spec.name[lang],
                topic=topic,
                audience=inputs.audience_text,
                beat=beats[1],
            )
        concepts.append(
            {
                "slot": slot,
                "title": clip(f"{spec.name[lang]}: {topic}", 100),
                "hook": _hook(spec, inputs, rng, topic, used, values),
                "angle": clip(angle, 300),
                "format": spec.name[lang],
                "pillar": clip(topic, 80),
                "beats": beats,
            }
        )
    return {
        "confidence": _confidence(inputs, rng, 0.5),
        "rationale": clip(
            fill(
                labels["creative_rationale"],
                count=len(concepts),
                pillars=len({concept["pillar"] for concept in concepts}),
                formats=len({concept["format"] for concept in concepts}),
                brief=clip(inputs.brief, 220) or "–",
            ),
            600,
        ),
        "concepts": concepts,
    }


def _concept(inputs: Inputs) -> dict:
    concept = inputs.context.get("concept") or inputs.context.get("idea") or {}
    if isinstance(concept, dict) and isinstance(concept.get("concepts"), list) and concept["concepts"]:
        concept = concept["concepts"][0]
    if isinstance(concept, str):
        concept = {"hook": concept}
    return concept if isinstance(concept, dict) else {}


def _hashtags(inputs: Inputs, *extra: str) -> list[str]:
    tags: list[str] = []
    for item in [*inputs.hashtags, *extra]:
        tag = item if item and item.startswith("#") else hashtag(item or "")
        if tag and tag.casefold() not in {seen.casefold() for seen in tags}:
            tags.append(tag)
    return tags[:8]


def compose_script(inputs: Inputs, rng: random.Random) -> dict:
    lang, labels = inputs.lang, lib.LABELS[inputs.lang]
    concept = _concept(inputs)
    spec = lib.find_format(concept.get("format")) or (
        inputs.formats[0][0] if inputs.formats else rng.choice(list(lib.FORMATS.values()))
    )
    topic = clip(_text_of(concept.get("pillar")) or _text_of(concept.get("topic")), 60) or rng.choice(inputs.topic_list)
    values = inputs.values(rng, topic)
    hook = clip(_text_of(concept.get("hook")), 150) or _hook(spec, inputs, rng, topic, set(), values)
    title = clip(_text_of(concept.get("title")), 100) or clip(f"{spec.name[lang]}: {topic}", 100)
    library = _beat_lines(spec, inputs, rng, topic, count=len(spec.beats[lang]), values=values)
    spoken = {beat.casefold(): line for beat, line in library}
    given = [clip(beat, 160) for beat in as_list(concept.get("beats"), limit=7)]
    pairs = (
        [(beat, spoken.get(beat.casefold(), "")) for beat in given]
        if given
        else _beat_lines(spec, inputs, rng, topic, values=values)
    )

    target = _as_int(inputs.context.get("duration_seconds") or inputs.context.get("duration"), spec.duration)
    target = max(10, min(90, target))
    hook_seconds = 3 if target >= 20 else 2
    cta_seconds = 3
    middle = max(2 * len(pairs), target - hook_seconds - cta_seconds)
    per_beat = [min(30, part) for part in _allocate(middle, [1.0] * len(pairs))]

    details = list(labels["scene_detail"])
    rng.shuffle(details)
    knowledge_at = len(pairs) // 2 if inputs.knowledge else -1
    values["pain"] = rng.choice(lib.PAINS[lang])
    scenes = [
        {
            "index": 1,
            "voiceover": hook,
            "on_screen_text": clip(hook, 80),
            "visual": clip(fill(labels["scene_hook_visual"], visual=spec.visual[lang]), 300),
            "duration_seconds": hook_seconds,
        }
    ]
    for i, ((beat, line), seconds) in enumerate(zip(pairs, per_beat, strict=True)):
        voiceover = line or fill(details[i % len(details)], **values)
        if i == knowledge_at:
            voiceover += " " + fill(labels["scene_knowledge"], knowledge=_sentence(rng.choice(inputs.knowledge)))
        scenes.append(
            {
                "index": len(scenes) + 1,
                "voiceover": clip(voiceover, 400),
                "on_screen_text": clip(line or beat, 60),
                "visual": clip(f"{beat.rstrip('.')}: {spec.visual[lang]}, {rng.choice(lib.CAMERA[lang])}", 300),
                "duration_seconds": seconds,
            }
        )
    cta = clip(inputs.cta_text, 150)
    scenes.append(
        {
            "index": len(scenes) + 1,
            "voiceover": clip(fill(labels["scene_cta_voice"], cta=cta.rstrip(".!"), brand=inputs.brand_name), 400),
            "on_screen_text": clip(cta, 80),
            "visual": clip(fill(labels["scene_cta_visual"], brand=inputs.brand_name), 300),
            "duration_seconds": cta_seconds,
        }
    )
    caption = fill(
        labels["caption"], hook=_sentence(hook), brief=_sentence(clip(inputs.brief, 200)), cta=_sentence(cta)
    )
    rationale = fill(
        labels["script_rationale"],
        format=spec.name[lang],
        scenes=len(scenes),
        seconds=sum(scene["duration_seconds"] for scene in scenes),
        brand=inputs.brand_name,
        tone=inputs.tone_text,
    )
    if inputs.dont:
        rationale += fill(labels["dont_note"], dont="; ".join(inputs.dont[:3]))
    return {
        "confidence": _confidence(inputs, rng, 0.5),
        "rationale": clip(rationale, 600),
        "language": lang,
        "title": title,
        "hook": hook,
        "scenes": scenes,
        "cta": cta,
        "caption": clip(" ".join(caption.split()), 500),
        "hashtags": _hashtags(inputs, topic, spec.key.replace("_", "")),
        "total_duration_seconds": sum(scene["duration_seconds"] for scene in scenes),
    }


def _script_source(inputs: Inputs, rng: random.Random) -> dict:
    script = inputs.context.get("script") or inputs.context.get("draft")
    if isinstance(script, dict) and isinstance(script.get("scenes"), list) and script["scenes"]:
        return script
    return compose_script(inputs, rng)


def compose_prompt_engineer(inputs: Inputs, rng: random.Random) -> dict:
    lang, labels = inputs.lang, lib.LABELS[inputs.lang]
    script = _script_source(inputs, rng)
    title = clip(_text_of(script.get("title")) or _text_of(script.get("hook")) or inputs.topic_list[0], 100)
    style = inputs.visual_style or rng.choice(lib.STYLES[lang])
    negative = ", ".join([labels["negative"], *inputs.dont[:3]])
    cameras = list(lib.CAMERA[lang])
    rng.shuffle(cameras)
    prompts = []
    for i, scene in enumerate([s for s in script["scenes"] if isinstance(s, dict)][:10]):
        camera = cameras[i % len(cameras)]
        prompt = fill(
            labels["prompt_scene"],
            title=title,
            visual=_text_of(scene.get("visual")).rstrip(".") or rng.choice(list(lib.FORMATS.values())).visual[lang],
            beat=clip(_text_of(scene.get("on_screen_text")) or _text_of(scene.get("voiceover")), 160).rstrip(".")
            or "–",
            camera=camera,
            style=style,
            tone=inputs.tone_text,
        )
        prompts.append(
            {
                "scene_index": i + 1,
                "prompt": clip(prompt, 800),
                "negative_prompt": clip(negative, 300),
                "camera": clip(camera, 120),
                "style": clip(style, 120),
                "duration_seconds": max(1, min(30, _as_int(scene.get("duration_seconds"), 4))),
            }
        )
    if not prompts:
        raise ValueError("the script has no scenes")
    ratio = inputs.context.get("aspect_ratio")
    return {
        "confidence": _confidence(inputs, rng, 0.55),
        "rationale": clip(fill(labels["prompt_rationale"], count=len(prompts), style=style), 600),
        "aspect_ratio": ratio if ratio in ("9:16", "1:1", "16:9") else "9:16",
        "style": clip(fill(labels["prompt_style"], style=style, tone=inputs.tone_text), 200),
        "prompts": prompts,
    }


def _content_text(inputs: Inputs) -> str:
    ctx = inputs.context
    parts: list[str] = []

    def add(value):
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, dict):
            for key in ("title", "hook", "angle", "caption", "cta", "voiceover", "on_screen_text", "text"):
                add(value.get(key))
            for key in ("scenes", "beats", "hashtags"):
                add(value.get(key))
        elif isinstance(value, (list, tuple)):
            for item in value:
                add(item)

    for key in ("text", "caption", "content", "hook", "script", "draft", "concept"):
        add(ctx.get(key))
    if not parts and inputs.brief:
        parts.append(inputs.brief)
    return "\n".join(part.strip() for part in parts if part and part.strip())


def _snippet(text: str, start: int, end: int) -> str:
    left = max(text.rfind(mark, 0, start) for mark in ".!?\n") + 1
    rights = [i for i in (text.find(mark, end) for mark in ".!?\n") if i != -1]
    right = min(rights) if rights else len(text)
    snippet = text[left:right].strip()
    if len(snippet) > 200:
        snippet = text[max(left, start - 60) : min(right, end + 60)].strip()
    return snippet or text[start:end]


def find_claims(text: str, inputs: Inputs) -> list[dict]:
    """Keyword heuristics: risky claims in `text` (medical, financial, platform, restricted, taboo)."""
    explanations = lib.CLAIM_EXPLANATIONS[inputs.lang]
    claims: list[dict] = []
    seen: set[tuple[str, str]] = set()

    def add(category, severity, start, end):
        phrase = clip(_snippet(text, start, end), 300)
        if (category, phrase) in seen or len(claims) >= 10:
            return
        seen.add((category, phrase))
        claims.append({"text": phrase, "category": category, "severity": severity, "explanation": ""})

    for category, severity, pattern in lib.CLAIM_PATTERNS:
        for match in pattern.finditer(text):
            add(category, severity, match.start(), match.end())
    taboo = [item for item in [*inputs.dont, *as_list(inputs.context.get("taboo"))] if len(item.split()) <= 4]
    for phrase in taboo:
        for match in re.finditer(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", text, re.IGNORECASE):
            add("taboo", "high", match.start(), match.end())
    severity_rank = {"high": 0, "medium": 1, "low": 2}
    claims.sort(key=lambda claim: severity_rank[claim["severity"]])
    for claim in claims:
        claim["explanation"] = explanations[claim["category"]]
    return claims


def _flag(value, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() not in ("0", "false", "no", "off", "")
    return default if value is None else bool(value)


def compose_compliance(inputs: Inputs, rng: random.Random) -> dict:
    labels = lib.LABELS[inputs.lang]
    text = _content_text(inputs)
    claims = find_claims(text, inputs)
    needs_disclosure = _flag(inputs.context.get("ai_generated"), True)
    labelled = bool(lib.DISCLOSURE_MARKERS.search(text))
    fixes = list(dict.fromkeys(fill(labels["fix_claim"], phrase=clip(claim["text"], 120)) for claim in claims))
    if needs_disclosure and not labelled:
        fixes.append(labels["fix_disclosure"])
    if any(claim["severity"] == "high" for claim in claims):
        verdict = "hard_block"
    elif claims:
        verdict = "needs_review"
    else:
        verdict = "pass"
    rationale = fill(labels["compliance_rationale"], claims=len(claims), verdict=verdict)
    if not claims:
        rationale = labels["compliance_clean"] + " " + rationale
    return {
        "confidence": round(min(0.9, 0.6 + 0.03 * len(claims) + rng.uniform(0, 0.08)), 2),
        "rationale": clip(rationale, 600),
        "verdict": verdict,
        "claims": claims,
        "needs_disclosure": needs_disclosure,
        "disclosure_text": labels["disclosure"] if needs_disclosure else "",
        "suggested_fixes": [clip(fix, 300) for fix in fixes[:10]],
    }


def compose_qa_judge(inputs: Inputs, rng: random.Random) -> dict:
    lang, labels = inputs.lang, lib.LABELS[inputs.lang]
    draft = inputs.context.get("script") or inputs.context.get("draft")
    if isinstance(draft, str):
        draft = {"caption": draft}
    if not isinstance(draft, dict) or not draft:
        draft = compose_script(inputs, rng)
    scenes = [scene for scene in draft.get("scenes") or [] if isinstance(scene, dict)]
    hook = _text_of(draft.get("hook")) or (_text_of(scenes[0].get("voiceover")) if scenes else "")
    total = _as_int(draft.get("total_duration_seconds"), 0) or sum(
        _as_int(scene.get("duration_seconds"), 0) for scene in scenes
    )
    cta = _text_of(draft.get("cta"))
    text = "\n".join([_content_text(Inputs(lang=lang, context={"draft": draft})), _content_text(inputs)])
    claims = find_claims(text, inputs)
    high = any(claim["severity"] == "high" for claim in claims)

    raw = {
        "hook_strength": (8.0 if 10 <= len(hook) <= 90 else 5.0) + (0.5 if re.search(r"\d|\?", hook) else 0.0),
        "clarity": 8.0 if 3 <= len(scenes) <= 7 else (6.0 if scenes else 5.0),
        "originality": rng.uniform(6.0, 8.5),
        "brand_fit": 8.5 if inputs.brand and inputs.brand.casefold() in text.casefold() else 6.5,
        "platform_fit": 8.5 if 15 <= total <= 60 else (6.0 if total else 5.0),
        "cta": 8.5 if cta else 3.0,
        "compliance": 2.0 if high else (6.0 if claims else 9.0),
        "pacing": 8.5 if scenes and _as_int(scenes[0].get("duration_seconds"), 9) <= 3 else 6.0,
    }
    comments, fixes_bank, names = lib.QA_COMMENTS[lang], lib.QA_FIXES[lang], lib.QA_CRITERION_NAMES[lang]
    scores, issues, fixes = [], [], []
    for criterion, value in raw.items():
        score = round(max(0.0, min(10.0, value + rng.uniform(-0.4, 0.4))), 1)
        bad, good = comments[criterion]
        scores.append({"criterion": criterion, "score": score, "comment": bad if score < 7 else good})
        if score < 7:
            issues.append(bad)
            fixes.append(fixes_bank[criterion])
    for claim in claims[:3]:
        issues.append(clip(f"{claim['explanation']} „{claim['text']}“", 300))
    overall = round(statistics.fmean(item["score"] for item in scores), 1)
    threshold = max(0.0, min(10.0, _as_float(inputs.context.get("pass_threshold"), 7.0)))
    passed = overall >= threshold and not high
    if not passed and not issues:
        issues.append(f"{names['clarity']}: {overall} < {threshold}")
        fixes.append(fixes_bank["originality"])
    best = max(scores, key=lambda item: item["score"])["criterion"]
    worst = min(scores, key=lambda item: item["score"])["criterion"]
    return {
        "confidence": round(0.55 + rng.uniform(0, 0.15), 2),
        "rationale": fill(
            labels["qa_rationale"],
            overall=number(overall, lang, 1),
            threshold=number(threshold, lang, 1),
            best=names[best],
            worst=names[worst],
        ),
        "scores": scores,
        "overall": overall,
        "passed": passed,
        "issues": [clip(issue, 300) for issue in issues[:10]],
        "fixes": [clip(fix, 300) for fix in fixes[:10]],
    }


_WEEKDAY_NAMES = {
    **{day: day for day in c.WEEKDAYS},
    **{name: c.WEEKDAYS[i] for i, name in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday"))},
    "saturday": "sat",
    "sunday": "sun",
    **{name: c.WEEKDAYS[i] for i, name in enumerate(("mo", "di", "mi", "do", "fr", "sa", "so"))},
    **{
        name: c.WEEKDAYS[i]
        for i, name in enumerate(("montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag"))
    },
}


def _weekday_hour(record: dict, tz: str) -> tuple[str, int] | None:
    weekday, hour = record.get("weekday", record.get("day")), record.get("hour")
    when = record.get("published_at") or record.get("posted_at") or record.get("time")
    if isinstance(when, str):
        try:
            moment = datetime.fromisoformat(when.replace("Z", "+00:00"))
        except ValueError:
            moment = None
        if moment is not None:
            if moment.tzinfo is not None:
                moment = moment.astimezone(zoneinfo.ZoneInfo(tz))
            weekday = weekday if weekday is not None else moment.weekday()
            hour = hour if hour is not None else moment.hour
    if isinstance(weekday, int) and not isinstance(weekday, bool) and 0 <= weekday <= 6:
        weekday = c.WEEKDAYS[weekday]
    elif isinstance(weekday, str):
        weekday = _WEEKDAY_NAMES.get(weekday.strip().casefold()[:10])
    else:
        weekday = None
    hour = _as_int(hour, -1)
    if weekday is None or not 0 <= hour <= 23:
        return None
    return weekday, hour


def _records(inputs: Inputs) -> list[dict]:
    for key in ("metrics", "posts", "performance", "results", "history"):
        value = inputs.context.get(key)
        if isinstance(value, list):
            return [item for item in value if isinstance(item, dict)][:2000]
    return []


def _score(record: dict) -> float:
    for key in ("score", "engagement_rate", "views", "plays", "watch_time"):
        if key in record:
            return _as_float(record.get(key))
    return 0.0


def _timezone(inputs: Inputs) -> str:
    name = inputs.timezone
    if name:
        try:
            zoneinfo.ZoneInfo(name)
            return name
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return DEFAULT_TIMEZONE


def compose_scheduler_optimizer(inputs: Inputs, rng: random.Random) -> dict:
    lang, labels = inputs.lang, lib.LABELS[inputs.lang]
    tz = _timezone(inputs)
    count = max(1, min(21, _as_int(inputs.context.get("count") or inputs.context.get("slots_per_week"), 7)))
    stats: dict[tuple[str, int], list[float]] = {}
    for record in _records(inputs):
        slot = _weekday_hour(record, tz)
        if slot is not None:
            stats.setdefault(slot, []).append(_score(record))
    ranked = sorted(stats.items(), key=lambda item: (-statistics.fmean(item[1]), item[0]))
    if ranked:  # proven = at least as good as the median slot
        median = statistics.median(statistics.fmean(scores) for _, scores in ranked)
        ranked = [item for item in ranked if statistics.fmean(item[1]) >= median]
    n_exploit = min(len(ranked), round(count * 0.7))
    recommendations = []
    chosen: set[tuple[str, int]] = set()
    for (weekday, hour), scores in ranked[:n_exploit]:
        mean = statistics.fmean(scores)
        recommendations.append(
            {
                "weekday": weekday,
                "hour": hour,
                "timezone": tz,
                "mode": "exploit",
                "why": fill(
                    labels["sched_exploit"],
                    score=number(mean, lang, 0 if mean >= 100 else 2),
                    count=len(scores),
                    posts=_posts(len(scores), lang),
                ),
            }
        )
        chosen.add((weekday, hour))
    weekdays = list(c.WEEKDAYS)
    rng.shuffle(weekdays)
    hours = list(lib.DEFAULT_HOURS)
    attempts = 0
    while len(recommendations) < count and attempts < 500:
        weekday = weekdays[attempts % 7]
        hour = rng.choice(hours)
        attempts += 1
        if (weekday, hour) in chosen or (weekday, hour) in stats:
            continue
        chosen.add((weekday, hour))
        reason = lib.DEFAULT_HOURS[hour][lang]
        why = (
            fill(labels["sched_explore"], reason=reason)
            if stats
            else fill(labels["sched_default"], reason=reason, audience=inputs.audience_text)
        )
        recommendations.append({"weekday": weekday, "hour": hour, "timezone": tz, "mode": "explore", "why": why})
    order = {day: i for i, day in enumerate(c.WEEKDAYS)}
    recommendations.sort(key=lambda item: (order[item["weekday"]], item["hour"]))
    exploit = sum(item["mode"] == "exploit" for item in recommendations)
    base = 0.45 + min(0.4, len(stats) * 0.02)
    return {
        "confidence": round(min(0.95, base + rng.uniform(-0.03, 0.03)), 2),
        "rationale": fill(labels["sched_rationale"], exploit=exploit, explore=len(recommendations) - exploit, tz=tz),
        "recommendations": recommendations,
    }


def _posts(count: int, lang: str) -> str:
    return lib.LABELS[lang]["post" if count == 1 else "posts"]


def _evidence(count: int) -> str:
    return "strong" if count >= 10 else ("moderate" if count >= 4 else "weak")


def compose_analytics_insight(inputs: Inputs, rng: random.Random) -> dict:
    lang, labels = inputs.lang, lib.LABELS[inputs.lang]
    records = _records(inputs)
    by_format: dict[str, list[float]] = {}
    hooks: list[tuple[float, str]] = []
    for record in records:
        views = _as_float(record.get("views", record.get("plays", record.get("score"))))
        name = _text_of(record.get("format"))
        if name:
            spec = lib.find_format(name)
            by_format.setdefault(clip(spec.name[lang] if spec else name, 80), []).append(views)
        hook = _text_of(record.get("hook")) or _text_of(record.get("title"))
        if hook:
            hooks.append((views, clip(hook, 150)))
    topics = inputs.topic_list
    findings = []
    winning_formats: list[str] = []
    if by_format:
        average = statistics.fmean(v for values in by_format.values() for v in values) or 1.0
        ranked = sorted(by_format.items(), key=lambda item: statistics.fmean(item[1]), reverse=True)
        top_name, top_values = ranked[0]
        top_avg = statistics.fmean(top_values)
        findings.append(
            {
                "title": fill(labels["analytics_format_title"], format=top_name),
                "detail": fill(
                    labels["analytics_format"],
                    format=top_name,
                    avg=number(top_avg, lang),
                    count=len(top_values),
                    posts=_posts(len(top_values), lang),
                    ratio=number(top_avg / average, lang, 1),
                ),
                "evidence": _evidence(len(top_values)),
            }
        )
        if len(ranked) > 1:
            low_name, low_values = ranked[-1]
            findings.append(
                {
                    "title": fill(labels["analytics_weak_title"], format=low_name),
                    "detail": fill(
                        labels["analytics_weak"],
                        format=low_name,
                        avg=number(statistics.fmean(low_values), lang),
                        count=len(low_values),
                        posts=_posts(len(low_values), lang),
                    ),
                    "evidence": _evidence(len(low_values)),
                }
            )
        winning_formats = [name for name, values in ranked if statistics.fmean(values) >= average][:5]
    hooks.sort(key=lambda item: item[0], reverse=True)
    winning_hooks: list[str] = []
    for _, hook in hooks:
        if hook.casefold() not in {seen.casefold() for seen in winning_hooks}:
            winning_hooks.append(hook)
    winning_hooks = winning_hooks[:3]
    if hooks:
        findings.append(
            {
                "title": labels["analytics_hook_title"],
                "detail": fill(labels["analytics_hook"], hook=hooks[0][1], views=number(hooks[0][0], lang)),
                "evidence": _evidence(len(hooks)),
            }
        )
    if not findings:
        findings.append(
            {
                "title": labels["analytics_none_title"],
                "detail": fill(labels["analytics_none"], topic=topics[0]),
                "evidence": "weak",
            }
        )
    if inputs.knowledge:
        findings.append(
            {
                "title": lib.LABELS[lang]["knowledge_title"],
                "detail": clip(inputs.knowledge[0], 400),
                "evidence": "weak",
            }
        )
    test_format = (lib.find_format(winning_formats[-1]) if winning_formats else None) or rng.choice(
        list(lib.FORMATS.values())
    )
    experiments = list(lib.EXPERIMENTS[lang])
    rng.shuffle(experiments)
    values = {"format": test_format.name[lang], "topic": rng.choice(topics)}
    next_experiments = [
        {
            "hypothesis": fill(hypothesis, **values),
            "change": fill(change, **values),
            "metric": metric,
            "duration_days": rng.choice((7, 14, 21, 28)),
        }
        for hypothesis, change, metric in experiments[: rng.randint(2, 3)]
    ]
    return {
        "confidence": round(min(0.9, 0.4 + min(0.45, len(records) * 0.01) + rng.uniform(-0.03, 0.03)), 2),
        "rationale": fill(labels["analytics_rationale"], count=len(records), posts=_posts(len(records), lang)),
        "findings": findings[:8],
        "winning_formats": winning_formats,
        "winning_hooks": winning_hooks,
        "next_experiments": next_experiments,
    }


COMPOSERS = {
    c.ResearchOutput: compose_research,
    c.TrendFormatOutput: compose_trend_format,
    c.CreativeDirectorOutput: compose_creative_director,
    c.ScriptOutput: compose_script,
    c.PromptEngineerOutput: compose_prompt_engineer,
    c.ComplianceOutput: compose_compliance,
    c.QAJudgeOutput: compose_qa_judge,
    c.SchedulerOptimizerOutput: compose_scheduler_optimizer,
    c.AnalyticsInsightOutput: compose_analytics_insight,
}


def composer_for(model: type[BaseModel]):
    for known in model.__mro__:
        if known in COMPOSERS:
            return COMPOSERS[known]
    return None


# --- any other model: filled from its JSON schema ----------------------------------------------


@functools.lru_cache(maxsize=128)
def _schema(model: type[BaseModel]) -> dict:
    return model.model_json_schema()


def _humanise(name: str) -> str:
    return name.replace("_", " ").strip().capitalize() or "Text"


def _fill_node(node: dict, defs: dict, inputs: Inputs, rng: random.Random, name: str, depth: int = 0):
    if depth > 8:
        return None
    if "$ref" in node:
        node = {**defs.get(node["$ref"].rsplit("/", 1)[-1], {}), **{k: v for k, v in node.items() if k != "$ref"}}
    for key in ("anyOf", "oneOf"):
        if key in node:
            options = [option for option in node[key] if option.get("type") != "null"]
            return _fill_node(options[0], defs, inputs, rng, name, depth + 1) if options else None
    if "allOf" in node and node["allOf"]:
        merged = {}
        for part in node["allOf"]:
            merged.update(part)
        return _fill_node(merged, defs, inputs, rng, name, depth + 1)
    if "const" in node:
        return node["const"]
    if "enum" in node and node["enum"]:
        if name == "language" and inputs.lang in node["enum"]:
            return inputs.lang
        return rng.choice(node["enum"])
    kind = node.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind == "object" or "properties" in node:
        return {
            key: _fill_node(child, defs, inputs, rng, key, depth + 1)
            for key, child in (node.get("properties") or {}).items()
        }
    if kind == "array":
        low = node.get("minItems", 0)
        high = node.get("maxItems", max(low, 2))
        count = max(low, min(high, 2))
        item = node.get("items") or {"type": "string"}
        return [_fill_node(item, defs, inputs, rng, name, depth + 1) for _ in range(count)]
    if kind in ("integer", "number"):
        return _fill_number(node, kind, inputs, rng, name)
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "null":
        return None
    # strings (and anything without a type)
    fmt = node.get("format")
    if fmt == "date-time":
        return "2026-01-05T09:00:00Z"
    if fmt == "date":
        return "2026-01-05"
    if fmt in ("uri", "url"):
        return "https://example.com/"
    if fmt == "email":
        return "hello@example.com"
    if name == "rationale":
        text = fill(lib.GENERIC_RATIONALE[inputs.lang], brief=clip(inputs.brief, 200) or "–")
    else:
        text = fill(lib.GENERIC[inputs.lang], field=_humanise(name), topic=rng.choice(inputs.topic_list))
    low, high = node.get("minLength", 0), node.get("maxLength", 300)
    while len(text) < low:
        text = f"{text} {text}"
    return clip(text, high) if len(text) > high else text


def _fill_number(node: dict, kind: str, inputs: Inputs, rng: random.Random, name: str):
    step = 1 if kind == "integer" else 0.01
    low, high = node.get("minimum"), node.get("maximum")
    if low is None and "exclusiveMinimum" in node:
        low = node["exclusiveMinimum"] + step
    if high is None and "exclusiveMaximum" in node:
        high = node["exclusiveMaximum"] - step
    if low is None:
        low = 0 if high is None or high >= 0 else high - 10
    if high is None:
        high = low + 10
    if kind == "integer":
        return rng.randint(math.ceil(low), max(math.ceil(low), math.floor(high)))
    value = _confidence(inputs, rng, 0.4) if name == "confidence" else round(rng.uniform(low, high), 2)
    return value if low <= value <= high else low


def compose_generic(model: type[BaseModel], inputs: Inputs, rng: random.Random) -> dict:
    schema = _schema(model)
    return _fill_node(schema, schema.get("$defs", {}), inputs, rng, model.__name__)


# --- validation with small repairs -----------------------------------------------------------


def _repair(data, errors) -> bool:
    """Fix what is mechanical (too long strings and lists, empty strings); False if nothing could be."""
    repaired = False
    for error in errors:
        loc, kind, ctx = error.get("loc") or (), error.get("type"), error.get("ctx") or {}
        if not loc:
            continue
        try:
            container = data
            for key in loc[:-1]:
                container = container[key]
            value = container[loc[-1]]
        except (KeyError, IndexError, TypeError):
            continue
        if kind == "string_too_long" and isinstance(value, str):
            container[loc[-1]] = clip(value, int(ctx.get("max_length", len(value))))
            repaired = True
        elif kind == "too_long" and isinstance(value, list):
            del value[int(ctx.get("max_length", len(value))) :]
            repaired = True
        elif kind == "string_too_short" and isinstance(value, str):
            container[loc[-1]] = (value + " " + "–" * int(ctx.get("min_length", 1))).strip()
            repaired = True
    return repaired


def validated(model: type[BaseModel], data) -> BaseModel:
    for _ in range(5):
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            if not _repair(data, exc.errors(include_url=False)):
                raise
    return model.model_validate(data)


# --- the provider ---------------------------------------------------------------------------


def _digest(request: LLMRequest, lang: str) -> bytes:
    payload = json.dumps(
        [
            request.agent,
            request.seed,
            lang,
            f"{request.output_model.__module__}.{request.output_model.__qualname__}",
            request.context,
            [[m.role, m.content] for m in request.messages],
        ],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode()).digest()


class OfflineProvider:
    """An `LLMProvider` that composes drafts locally: no network, no cost, deterministic per seed."""

    name = "offline"

    def complete(self, request: LLMRequest) -> LLMResponse:
        started = time.perf_counter()
        inputs = Inputs.from_request(request)
        seed = int.from_bytes(_digest(request, inputs.lang)[:8], "big")
        output = self._compose(request.output_model, inputs, seed)
        content = output.model_dump_json()
        prompt_chars = sum(len(m.content) for m in request.messages) or len(
            json.dumps(request.context, ensure_ascii=False, default=str)
        )
        prompt_tokens = math.ceil(prompt_chars / 4)
        completion_tokens = math.ceil(len(content) / 4)
        return LLMResponse(
            content=content,
            model=MODEL,
            provider=self.name,
            usage=Usage(
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
                total_tokens=prompt_tokens + completion_tokens,
            ),
            latency_ms=(time.perf_counter() - started) * 1000,
            offline=True,
        )

    def _compose(self, model: type[BaseModel], inputs: Inputs, seed: int) -> BaseModel:
        composer = composer_for(model)
        attempts = []
        if composer is not None:
            attempts.append(lambda rng: self._specific(model, composer, inputs, rng))
            # Inputs the composer could not use (odd types, contradictions): the plain library.
            plain = Inputs(lang=inputs.lang, brief=inputs.brief, topics=inputs.topics, brand=inputs.brand)
            attempts.append(lambda rng: self._specific(model, composer, plain, rng))
        attempts.append(lambda rng: validated(model, compose_generic(model, inputs, rng)))
        attempts.append(lambda rng: validated(model, compose_generic(model, inputs, rng)))
        problem = None
        for i, attempt in enumerate(attempts):
            try:
                return attempt(random.Random(seed + i))
            except Exception as exc:  # fall back to the next, simpler composition
                problem = exc
                logger.warning("Offline provider: composition %s for %s failed: %s", i, model.__name__, exc)
        raise ProviderFatalError(f"The offline provider cannot produce a valid {model.__name__}: {problem}")

    @staticmethod
    def _specific(model, composer, inputs: Inputs, rng: random.Random) -> BaseModel:
        data = composer(inputs, rng)
        missing = {name for name in model.model_fields if name not in data}
        if missing:  # a subclass of a known contract with extra fields
            generic = compose_generic(model, inputs, rng)
            data.update({name: generic[name] for name in missing})
        return validated(model, data)
