"""Measurable style features of short posts, and how close a text's style is to example posts.

    features = measure(text)                 # StyleFeatures
    score = match(text, examples)            # 0–100, None without examples

Style, not topic: sentence length, emoji, hashtag, question and exclamation rates, line breaks,
the form of address (German Sie/du, English contractions) and the share of the text's words that
the examples use too (vocabulary). Used by the brand-voice trainer (the offline provider derives
the traits from these figures) and by the caption variants (the style match shown next to each).
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from dataclasses import dataclass

import regex

_EMOJI = regex.compile(
    r"\p{Emoji_Presentation}|\p{Regional_Indicator}{2}|\p{Extended_Pictographic}\ufe0f?(?:\u200d\p{Extended_Pictographic}\ufe0f?)*"
)
_SENTENCE_END = re.compile(r"[.!?…]+(?:\s|$)|\n+")
_WORD = regex.compile(r"[\p{L}][\p{L}'’-]*")
_HASHTAG = re.compile(r"#[^\s#]+")
_FORMAL = re.compile(r"(?<!^)(?<![.!?]\s)\b(Sie|Ihnen|Ihr|Ihre|Ihren|Ihrem|Ihrer)\b")
_INFORMAL = re.compile(r"\b(du|dich|dir|dein|deine|deinen|deinem|deiner|euch|eure?)\b", re.IGNORECASE)
_CONTRACTION = re.compile(r"\b\w+['’](?:s|re|ve|ll|d|t|m)\b", re.IGNORECASE)
STOPWORDS = frozenset(
    "the a an and or of to in on for with is are be it this that you we our your at as by from der die das "
    "und oder ein eine einen einem zu im in auf für mit ist sind es wir unser unsere du dich dir sie ihr den "
    "dem des nicht auch wie was".split()
)


@dataclass(frozen=True)
class StyleFeatures:
    words_per_sentence: float
    emoji_per_100: float  # emoji per 100 characters
    hashtags: float  # per post
    questions: float  # share of sentences that ask
    exclamations: float  # share of sentences that exclaim
    line_breaks: float  # per post
    formality: float  # -1 informal (du, contractions) … +1 formal (Sie, no contractions); 0 unknown
    vocabulary: frozenset[str]


def words(text: str) -> list[str]:
    return [word.casefold() for word in _WORD.findall(_HASHTAG.sub(" ", text))]


def _sentences(text: str) -> list[str]:
    body = _HASHTAG.sub(" ", text)
    parts = [part.strip() for part in _SENTENCE_END.split(body) if part and part.strip()]
    return parts or [body.strip()]


def measure(text: str) -> StyleFeatures:
    text = str(text or "")
    sentences = _sentences(text)
    ends = [match.group(0).strip() for match in _SENTENCE_END.finditer(_HASHTAG.sub(" ", text))]
    count = max(1, len(sentences))
    formal, informal = len(_FORMAL.findall(text)), len(_INFORMAL.findall(text)) + len(_CONTRACTION.findall(text))
    all_words = words(text)
    return StyleFeatures(
        words_per_sentence=len(all_words) / count,
        emoji_per_100=100 * len(_EMOJI.findall(text)) / max(1, len(text)),
        hashtags=float(len(_HASHTAG.findall(text))),
        questions=sum("?" in end for end in ends) / count,
        exclamations=sum("!" in end for end in ends) / count,
        line_breaks=float(text.count("\n")),
        formality=0.0 if formal == informal else (formal - informal) / (formal + informal),
        vocabulary=frozenset(word for word in all_words if word not in STOPWORDS and len(word) > 2),
    )


@dataclass(frozen=True)
class Profile:
    """The examples' style: the mean of each figure and the words they use at least twice (or at all, when few)."""

    words_per_sentence: float
    emoji_per_100: float
    hashtags: float
    questions: float
    exclamations: float
    line_breaks: float
    formality: float
    vocabulary: frozenset[str]
    examples: int


def profile(examples: list[str]) -> Profile | None:
    measured = [measure(text) for text in examples if str(text or "").strip()]
    if not measured:
        return None
    counts = Counter(word for item in measured for word in item.vocabulary)
    common = frozenset(word for word, n in counts.items() if n >= 2) or frozenset(counts)

    def mean(name: str) -> float:
        return statistics.fmean(getattr(item, name) for item in measured)

    return Profile(
        words_per_sentence=mean("words_per_sentence"),
        emoji_per_100=mean("emoji_per_100"),
        hashtags=mean("hashtags"),
        questions=mean("questions"),
        exclamations=mean("exclamations"),
        line_breaks=mean("line_breaks"),
        formality=mean("formality"),
        vocabulary=common,
        examples=len(measured),
    )


def _closeness(value: float, target: float, scale: float) -> float:
    """1 when equal, falling off with the difference relative to `scale` (never below 0)."""
    return math.exp(-abs(value - target) / scale)


# Each figure's weight and the difference that costs about two thirds of its points.
WEIGHTS = {
    "words_per_sentence": (0.2, 6.0),
    "emoji_per_100": (0.15, 1.0),
    "hashtags": (0.1, 3.0),
    "questions": (0.1, 0.4),
    "exclamations": (0.1, 0.4),
    "formality": (0.15, 0.8),
}
VOCABULARY_WEIGHT = 0.2


def match(text: str, examples: list[str] | Profile | None) -> int | None:
    """How well `text`'s style matches the examples', 0–100 (None without examples)."""
    target = examples if isinstance(examples, Profile) or examples is None else profile(examples)
    if target is None:
        return None
    features = measure(text)
    score = sum(
        weight * _closeness(getattr(features, name), getattr(target, name), scale)
        for name, (weight, scale) in WEIGHTS.items()
    )
    if features.vocabulary:
        shared = len(features.vocabulary & target.vocabulary) / len(features.vocabulary)
        score += VOCABULARY_WEIGHT * min(1.0, shared * 2.5)  # 40 % shared words is a full match
    return round(100 * score / (sum(weight for weight, _ in WEIGHTS.values()) + VOCABULARY_WEIGHT))
