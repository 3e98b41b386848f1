"""The offline copywriter: one caption variant per platform from a brief, and the brand-voice trainer.

A variant request's context carries `brief` (topic, goal, key_message, link, cta, audience),
`platform` (the row of apps.core.platforms as a dict), `variant_index` (1…) and optionally
`formality` ("formal" turns German du into Sie). Texts come from `data/<lang>/variants.yaml`
(parallel across languages). A rewrite request also carries `instruction` and `variant`: the
text is rewritten with the same intents and word lists as the post editor's "AI improve"
(intents.py, rewrite.py); a translation writes the variant again from the brief in the other
language, as the data is parallel.
"""

from __future__ import annotations

import dataclasses
import random
from functools import lru_cache

from pydantic import Field, model_validator

from apps.ai import contracts as c
from apps.ai import style
from apps.ai.offline import intents as parsing
from apps.ai.offline import library, rewrite
from apps.ai.offline.inputs import Inputs, confidence
from apps.ai.offline.text import clip, hashtag, sentence, text_of

MAX_TEXT = 3000
HASHTAG_DEFAULTS = {"x": 2, "threads": 1, "linkedin": 3, "youtube_shorts": 3}


class PlatformTexts(library.Strict):
    media: str
    emoji: list[str] = Field(min_length=1)
    texts: list[library.T] = Field(min_length=3)
    titles: list[library.T] = Field(default_factory=list)


class VariantData(library.Strict):
    questions: list[str] = Field(min_length=3)
    link_lead: library.T
    link_in_bio: str
    first_comment: library.T
    media: dict[str, library.T]
    platforms: dict[str, PlatformTexts]

    @model_validator(mode="after")
    def _media_known(self):
        unknown = {row.media for row in self.platforms.values()} - set(self.media)
        if unknown:
            raise ValueError(f"unknown media kinds {sorted(unknown)}")
        return self


def _slots(templates) -> list[set[str]]:
    return [set(template.slots) for template in templates]


@lru_cache(maxsize=1)
def data() -> dict[str, VariantData]:
    """Both languages' variant texts, validated and checked to be parallel."""
    loaded = {
        code: VariantData.model_validate(library._read(library.DATA / code / "variants.yaml")) for code in library.LANGS
    }
    first, *others = loaded.values()
    for other in others:
        if set(first.platforms) != set(other.platforms):
            raise ValueError("variants.yaml: the languages name different platforms")
        for key, row in first.platforms.items():
            for part in ("texts", "titles"):
                if _slots(getattr(row, part)) != _slots(getattr(other.platforms[key], part)):
                    raise ValueError(f"variants.yaml: {key}.{part} are not parallel")
    return loaded


def _brief(context: dict) -> dict:
    brief = context.get("brief") if isinstance(context.get("brief"), dict) else {}
    return {key: text_of(brief.get(key)) for key in ("topic", "goal", "key_message", "link", "cta", "audience")}


def _platform(context: dict) -> dict:
    row = context.get("platform") if isinstance(context.get("platform"), dict) else {}
    return row if row.get("key") in data()["en"].platforms else {**row, "key": "instagram"}


def _fits(text: str, limit: int) -> str:
    """`text` within `limit` characters: whole sentences dropped from the middle first, then cut."""
    if len(text) <= limit:
        return text
    parts = rewrite.sentences(text)
    while len(parts) > 2 and len(" ".join(parts)) > limit:
        parts.pop(len(parts) // 2)
    return clip(" ".join(parts), limit)


def compose_variant(inputs: Inputs, rng: random.Random) -> dict:
    context = inputs.context
    if context.get("instruction") and isinstance(context.get("variant"), dict):
        return _rewrite(inputs, rng)
    return _draft(inputs, inputs.lang, rng)


def _draft(inputs: Inputs, lang: str, rng: random.Random) -> dict:
    context = inputs.context
    texts = data()[lang]
    brief, row = _brief(context), _platform(context)
    key = row["key"]
    spec = texts.platforms[key]
    index = max(1, int(context.get("variant_index") or 1))
    defaults = library.language(lang).banks.defaults
    topic = clip(brief["topic"] or (inputs.topics[0] if inputs.topics else defaults.topic), 80)
    message = sentence(brief["key_message"] or brief["goal"] or topic)
    cta = sentence(brief["cta"] or inputs.cta_text)
    question = texts.questions[(index - 1) % len(texts.questions)]
    values = {
        "topic": topic,
        "audience": clip(brief["audience"] or inputs.audience_text, 60),
        "brand": inputs.brand_name,
        "goal": brief["goal"],
        "message": message,
        "cta": cta,
        "question": question,
    }
    template = spec.texts[(index - 1) % len(spec.texts)]
    text = template.render(**values)
    used_cta = cta if "cta" in template.slots else ""
    link, placement, first_comment = brief["link"], "none", ""
    if link and row.get("links_clickable", True):
        gap = "\n\n" if "\n" in text else " "
        text = f"{text.rstrip()}{gap}{texts.link_lead.render(link=link)}"
        placement = "in_text"
    elif link:
        text = f"{text.rstrip()} {texts.link_in_bio}"
        placement = "bio"
    if row.get("first_comment"):
        first_comment = texts.first_comment.render(question=question)
        placement = "first_comment" if link else placement
    if context.get("formality") == "formal" and lang == "de":
        text = "\n".join(rewrite.formal(line, library.language(lang).improve) for line in text.split("\n"))
    limit = min(int(row.get("caption_max") or MAX_TEXT), MAX_TEXT)
    hashtag_count = int(row.get("hashtags_recommended") or HASHTAG_DEFAULTS.get(key, 3))
    hashtag_count = min(hashtag_count, int(row.get("hashtags_max") if row.get("hashtags_max") is not None else 30))
    candidates = [hashtag(topic.replace(" ", "")), *inputs.hashtags, *(hashtag(t) for t in inputs.topics)]
    tags = list(dict.fromkeys(tag for tag in candidates if tag))[:hashtag_count]
    title = ""
    if spec.titles:
        title = clip(spec.titles[(index - 1) % len(spec.titles)].render(**values), int(row.get("title_max") or 100))
    media = texts.media[spec.media].render(topic=topic)
    return {
        "confidence": confidence(inputs, rng, 0.55),
        "rationale": clip(f"{key} #{index}: {template.text[:200]}", 600),
        "language": lang,
        "text": _fits(text, limit),
        "title": clip(title, 120),
        "hashtags": tags,
        "cta": clip(used_cta, 300),
        "link_placement": placement,
        "first_comment": clip(first_comment, 300),
        "media_prompt": clip(media, 400),
    }


def _rewrite(inputs: Inputs, rng: random.Random) -> dict:
    context = inputs.context
    current = context["variant"]
    instruction = parsing.parse(str(context.get("instruction") or ""))
    lang = inputs.lang
    tags = [tag for tag in current.get("hashtags") or [] if isinstance(tag, str) and tag.startswith("#")][:30]
    if "translate" in instruction.intents:
        lang = instruction.target or ("en" if inputs.lang == "de" else "de")
        drafted = _draft(inputs, lang, rng)
        text, title = drafted["text"], drafted["title"]
    else:
        text, title = str(current.get("text") or ""), str(current.get("title") or "")
    others = tuple(intent for intent in instruction.intents if intent != "translate")
    data_cta = str(current.get("cta") or "") or _brief(context)["cta"] or inputs.cta_text
    rewritten = _rewrite_paragraphs(text, others, lang, data_cta)
    if "remove_hashtags" in others:
        tags = []
    elif "shorter" in others and len(tags) > 1:
        tags = tags[: max(1, len(tags) // 2)]
    return {
        "confidence": 0.6 if instruction.known else 0.0,
        "rationale": clip(", ".join(library.language(lang).improve.names.get(i, i) for i in instruction.intents), 600)
        or "–",
        "language": lang,
        "text": clip(rewritten, MAX_TEXT) or clip(text, MAX_TEXT) or "–",
        "title": clip(title, 120),
        "hashtags": tags,
        "cta": clip(data_cta if "cta" in others else str(current.get("cta") or ""), 300),
        "link_placement": current.get("link_placement")
        if current.get("link_placement") in ("in_text", "first_comment", "bio", "none")
        else "none",
        "first_comment": clip(str(current.get("first_comment") or ""), 300),
        "media_prompt": clip(str(current.get("media_prompt") or "") or "–", 400),
    }


def _rewrite_paragraphs(text: str, intents: tuple[str, ...], lang: str, cta: str) -> str:
    """`text` rewritten paragraph by paragraph, so its line breaks stay: an opener or emoji goes to the
    first paragraph, a call to action, question or extra sentence to the last; "shorter" drops middle ones."""
    parts = text.split("\n\n")
    if len(parts) == 1:
        return rewrite.apply(text, intents, lang, several=True, cta=cta)
    if "shorter" in intents:
        while len(parts) > 2 and len("\n\n".join(parts)) > 0.7 * len(text):
            parts.pop(len(parts) // 2)
    every = ("remove_hashtags", "shorter", "formal")
    first = [i for i in intents if i in (*every, "casual", "emoji")]
    last = [i for i in intents if i in (*every, "longer", "cta", "question")]
    middle = [i for i in intents if i in every]
    out = []
    for n, part in enumerate(parts):
        wanted = first if n == 0 else last if n == len(parts) - 1 else middle
        out.append(rewrite.apply(part, tuple(wanted), lang, several=True, cta=cta) if part.strip() else part)
    return "\n\n".join(out)


# --- the brand-voice trainer ------------------------------------------------------------------

VOICE_WORDS = {
    "de": {
        "formal": "förmlich (Sie)", "informal": "persönlich (du)", "neutral": "sachlich",
        "short": "kurze Sätze (%d Wörter)", "long": "längere Sätze (%d Wörter)",
        "emoji_many": "viele Emoji (%.1f je 100 Zeichen)", "emoji_few": "kaum Emoji",
        "tags": "%.1f Hashtags je Beitrag", "questions": "stellt oft Fragen", "exclaims": "viele Ausrufe",
        "voice": "Schreibt %s, %s.", "do_vocab": "Wörter wie %s verwenden", "dont_formal": "Nicht siezen",
        "dont_informal": "Nicht duzen", "dont_emoji": "Keine Emoji-Ketten", "do_question": "Mit einer Frage enden",
    },
    "en": {
        "formal": "formal", "informal": "personal and informal", "neutral": "neutral",
        "short": "short sentences (%d words)", "long": "longer sentences (%d words)",
        "emoji_many": "many emoji (%.1f per 100 characters)", "emoji_few": "hardly any emoji",
        "tags": "%.1f hashtags per post", "questions": "often asks questions", "exclaims": "many exclamations",
        "voice": "Writes in a %s way, with %s.", "do_vocab": "Use words like %s",
        "dont_formal": "Do not use formal address", "dont_informal": "Do not use informal address",
        "dont_emoji": "No strings of emoji",
        "do_question": "End with a question",
    },
}  # fmt: skip


def compose_voice(inputs: Inputs, rng: random.Random) -> dict:
    examples = [text_of(item) if not isinstance(item, str) else item for item in inputs.context.get("examples") or []]
    found = style.profile([item for item in examples if item])
    w = VOICE_WORDS[inputs.lang]
    if found is None:  # nothing to learn from: a neutral description that says so by its low confidence
        found = style.profile([" ".join(inputs.topic_list)]) or style.profile(["–"])
        found = dataclasses.replace(found, examples=0)
    address = "formal" if found.formality > 0.2 else "informal" if found.formality < -0.2 else "neutral"
    length = (w["short"] if found.words_per_sentence < 12 else w["long"]) % round(found.words_per_sentence)
    emoji = w["emoji_many"] % found.emoji_per_100 if found.emoji_per_100 >= 0.5 else w["emoji_few"]
    vocabulary = sorted(found.vocabulary, key=lambda word: (-len(word), word))[:12]
    do = [w["do_vocab"] % ", ".join(vocabulary[:3])] if vocabulary else []
    if found.questions >= 0.2:
        do.append(w["do_question"])
    dont = [w["dont_formal"] if address == "informal" else w["dont_informal"]] if address != "neutral" else []
    if found.emoji_per_100 < 0.5:
        dont.append(w["dont_emoji"])
    habits = [w[address], length]
    if found.questions >= 0.2:
        habits.append(w["questions"])
    if found.exclamations >= 0.3:
        habits.append(w["exclaims"])
    return {
        "confidence": round(min(0.9, 0.4 + 0.02 * found.examples), 2) if found.examples else 0.1,
        "rationale": clip(f"{found.examples} examples", 600),
        "voice": clip(w["voice"] % (w[address], length), 200),
        "tone": clip(", ".join(habits), 120),
        "vocabulary": [clip(word, 40) for word in vocabulary],
        "sentence_length": clip(length, 120),
        "emoji_habit": clip(emoji, 120),
        "hashtag_habit": clip(w["tags"] % found.hashtags, 120),
        "do": [clip(item, 160) for item in do],
        "dont": [clip(item, 160) for item in dont],
    }


COMPOSERS = {c.VariantOutput: compose_variant, c.VoiceTraitsOutput: compose_voice}
