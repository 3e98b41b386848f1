"""Deterministic rewrites of one text for the offline improver: shorter, longer, question, more
formal or casual, call to action, emoji, without hashtags. Word lists live in data/<lang>/improve.yaml."""

from __future__ import annotations

import re

from apps.ai.offline import library
from apps.ai.offline.text import pick, sentence

_SENTENCES = re.compile(r"(?<=[.!?…])\s+")
_HASHTAG = re.compile(r"\s*#[^\s#]+")


def _tidy(text: str) -> str:
    text = re.sub(r"\s+([,.!?:;])", r"\1", " ".join(text.split()))
    text = re.sub(r"([,:;–])(?=[,.!?])", "", text)
    # A sentence that now starts in lower case (its first word was a filler) starts in upper case.
    return re.sub(r"(^|[.!?]\s+)([a-zäöü])", lambda m: m.group(1) + m.group(2).upper(), text).strip()


def _words(text: str, table, *, whole=True) -> str:
    for old, new in table:
        pattern = (r"(?<!\w)" + re.escape(old) + r"(?!\w)") if whole else re.escape(old)
        text = re.sub(pattern, new, text)
    return text


def sentences(text: str) -> list[str]:
    return [part for part in _SENTENCES.split(text.strip()) if part]


def shorter(text: str, data: library.Improve) -> str:
    out = text
    for word, digit in data.number_words.items():
        out = re.sub(rf"(?<!\w){word}(?!\w)", digit, out, flags=re.IGNORECASE)
    for filler in sorted(data.fillers, key=len, reverse=True):
        out = re.sub(rf"(?<!\w){re.escape(filler)}(?!\w)", "", out, flags=re.IGNORECASE)
    out = _tidy(out)
    parts = sentences(out)
    while len(parts) > 1 and len(" ".join(parts)) > 0.7 * len(text):
        parts.pop(1 if len(parts) > 2 else len(parts) - 1)  # the middle first, so the topic at the end stays
    out = " ".join(parts)
    head, dash, tail = out.partition(" – ")
    if dash and len(out) > 0.9 * len(text) and len(tail.split()) > 3 and len(head.split()) >= 3:
        out = head
    return out if len(out) < len(text) else text


def longer(text: str, data: library.Improve) -> str:
    return f"{sentence(text)} {pick(data.longer, text)}"


def question(text: str, data: library.Improve, *, several: bool) -> str:
    text = text.strip()
    if text.endswith("?"):
        return text
    if several:  # a caption: a question of its own at the end
        return f"{sentence(text)} {pick(data.questions, text)}"
    return f"{text.rstrip('.!…')} – {pick(data.question_tags, text)}"


def formal(text: str, data: library.Improve) -> str:
    out = _words(text, data.formal_phrases)

    def conjugate(verb: str) -> str:
        lower = verb.casefold()
        plain = data.formal_verbs.get(lower) or (lower[:-2] + "en" if lower.endswith("st") else lower)
        return plain[:1].upper() + plain[1:] if verb[:1].isupper() else plain

    if data.formal_verbs or data.formal_pronouns:  # German: du → Sie
        # With "du" as the subject, "dir"/"dich" are reflexive: "Sie machen es sich".
        out = " ".join(
            re.sub(r"(?<!\w)di(?:r|ch)(?!\w)", "sich", part) if re.search(r"(?<!\w)[Dd]u(?!\w)", part) else part
            for part in sentences(out)
        )
        out = re.sub(r"(?<!\w)(\w+st) du(?!\w)", lambda m: f"{conjugate(m.group(1))} Sie", out)
        out = re.sub(r"(?<!\w)[Dd]u (\w+st)(?!\w)", lambda m: f"Sie {conjugate(m.group(1))}", out)
        out = re.sub(r"(?<!\w)[Dd]u(?!\w)", "Sie", out)
        for word, formal_word in data.formal_pronouns.items():
            out = re.sub(rf"(?<!\w){word}(?!\w)", formal_word, out)
            out = re.sub(rf"(?<!\w){word.capitalize()}(?!\w)", formal_word, out)
    return out.replace("!", ".")


def casual(text: str, data: library.Improve, *, opener: bool) -> str:
    out = _words(text, data.casual_phrases)
    if out.endswith("."):
        out = out[:-1] + "!"
    elif out and out[-1] not in "!?…":
        out += "!"
    if opener and not out.startswith(data.casual_opener.strip()):
        out = data.casual_opener + out
    return out


def with_cta(text: str, data: library.Improve, cta: str, *, several: bool) -> str:
    if several:
        return text if cta.casefold() in text.casefold() else f"{sentence(text)} {sentence(cta)}"
    return f"{text.rstrip('.!…')} – {data.hook_cta}"


def with_emoji(text: str, data: library.Improve) -> str:
    emoji = pick(data.emoji, text)
    return text if emoji in text else f"{emoji} {text}"


def without_hashtags(text: str) -> str:
    return " ".join(_HASHTAG.sub("", text).split())


def apply(text: str, intents, lang: str, *, several: bool = False, cta: str = "") -> str:
    """`text` rewritten for every intent in `intents` (translation is done by the caller)."""
    data = library.language(lang).improve
    out = text
    for intent in intents:
        if intent == "remove_hashtags":
            out = without_hashtags(out)
        elif intent == "shorter":
            out = shorter(out, data)
        elif intent == "longer":
            out = longer(out, data)
        elif intent == "formal":
            out = formal(out, data)
        elif intent == "casual":
            out = casual(out, data, opener="shorter" not in intents)
        elif intent == "cta":
            out = with_cta(out, data, cta or library.language(lang).banks.defaults.cta, several=several)
        elif intent == "emoji":
            out = with_emoji(out, data)
        elif intent == "question" and "shorter" in intents and not several:
            out = out if out.endswith("?") else out.rstrip(".!…") + "?"  # a tag would undo "shorter"
        elif intent == "question":
            out = question(out, data, several=several)
    return _tidy(out) if out != text else text
