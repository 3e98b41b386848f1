"""Where every sentence and word sits on the timeline.

Sentences come from the voice exactly (synthesised one by one). Words inside a sentence come
from the provider's alignment, else from splitting the sentence's time over its words by
syllables; a configured faster-whisper model can refine them from the voice track.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from apps.media.render.voice import Sentence, Word

LEAD_S = 0.08  # breath before the first sentence of scenes after the first
GAP_S = 0.2  # pause between sentences
TAIL_S = 0.1  # after the last sentence of a scene

_VOWELS = re.compile(r"[aeiouyäöüàáâéèêëíìîïóòôúùû]+", re.IGNORECASE)
_LETTERS = re.compile(r"[^\w]+", re.UNICODE)


def syllables(word: str) -> int:
    core = _LETTERS.sub("", word)
    if not core:
        return 0
    digits = sum(char.isdigit() for char in core)
    return max(1, len(_VOWELS.findall(core)) + digits)


def estimate_words(text: str, duration: float) -> list[Word]:
    """Split a sentence's duration over its words by syllables (plus a little per word and per pause)."""
    tokens = text.split()
    if not tokens:
        return []
    weights = [syllables(token) + 0.4 + (0.6 if token[-1] in ",;:–-" else 0.0) for token in tokens]
    total = sum(weights)
    words, cursor = [], 0.0
    for token, weight in zip(tokens, weights, strict=True):
        length = duration * weight / total
        words.append(Word(token, cursor, cursor + length))
        cursor += length
    return words


@dataclass
class PlacedSentence:
    sentence: Sentence
    offset: float  # seconds from the scene's start
    words: list[Word]  # seconds from the scene's start


@dataclass
class SceneTiming:
    index: int
    start_frame: int
    frames: int
    sentences: list[PlacedSentence] = field(default_factory=list)

    def seconds(self, fps: int) -> float:
        return self.frames / fps

    def start(self, fps: int) -> float:
        return self.start_frame / fps

    @property
    def words(self) -> list[Word]:
        return [word for placed in self.sentences for word in placed.words]


def layout(
    scene_sentences: list[list[Sentence]],
    silent_seconds: list[float],
    fps: int,
    min_first: float,
    min_seconds: list[float] | None = None,
) -> list[SceneTiming]:
    """Scenes back to back, each a whole number of frames long enough for its voice-over (and `min_seconds`)."""
    timings, start_frame = [], 0
    for index, sentences in enumerate(scene_sentences):
        placed, cursor = [], 0.0 if index == 0 else LEAD_S
        for position, sentence in enumerate(sentences):
            if position:
                cursor += GAP_S
            words = sentence.words if sentence.words is not None else estimate_words(sentence.text, sentence.duration)
            placed.append(
                PlacedSentence(sentence, cursor, [Word(w.text, cursor + w.start, cursor + w.end) for w in words])
            )
            cursor += sentence.duration
        seconds = cursor + TAIL_S if sentences else silent_seconds[index]
        if index == 0:
            seconds = max(seconds, min_first)
        if min_seconds:
            seconds = max(seconds, min_seconds[index])
        frames = max(1, math.ceil(seconds * fps - 1e-6))
        timings.append(SceneTiming(index, start_frame, frames, placed))
        start_frame += frames
    return timings


# --- refinement with faster-whisper ---------------------------------------------------------------


@lru_cache(maxsize=2)
def _whisper(model_path: str):
    from faster_whisper import WhisperModel  # heavy import, only when refinement is configured

    return WhisperModel(model_path, device="cpu", compute_type="int8", cpu_threads=2)


def _norm(text: str) -> str:
    return _LETTERS.sub("", text).lower()


def transcribe_words(model_path: str, wav_path: str, language: str) -> list[Word] | None:
    """Recognised words with times, or None when the model cannot hear this language (e.g. tiny.en and German)."""
    model = _whisper(model_path)
    if not model.model.is_multilingual and not language.startswith("en"):
        return None
    segments, _info = model.transcribe(
        wav_path,
        language=language.split("-")[0] if model.model.is_multilingual else None,
        word_timestamps=True,
        beam_size=1,
        condition_on_previous_text=False,
        vad_filter=False,
    )
    return [Word(w.word.strip(), float(w.start), float(w.end)) for segment in segments for w in segment.words or []]


def refine(timings: list[SceneTiming], heard: list[Word], fps: int) -> int:
    """Move our words to where the recogniser heard them (matched by text), keeping each sentence's span.

    Returns how many words got a recognised time. Unmatched words are spread between their matched neighbours.
    """
    ours = [(timing, placed, i) for timing in timings for placed in timing.sentences for i in range(len(placed.words))]
    our_tokens = [_norm(placed.words[i].text) for _, placed, i in ours]
    heard_tokens = [_norm(word.text) for word in heard]
    matcher = difflib.SequenceMatcher(a=our_tokens, b=heard_tokens, autojunk=False)
    anchors: dict[int, Word] = {}
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            anchors[block.a + k] = heard[block.b + k]
    matched = 0
    position = 0
    for timing in timings:
        base = timing.start(fps)
        for placed in timing.sentences:
            lo, hi = placed.offset, placed.offset + placed.sentence.duration
            new = list(placed.words)
            for i in range(len(new)):
                heard_word = anchors.get(position + i)
                if heard_word is None:
                    continue
                start = min(max(heard_word.start - base, lo), hi)
                end = min(max(heard_word.end - base, start), hi)
                if i and start < new[i - 1].start:
                    continue  # out of order: keep the estimate
                new[i] = replace(new[i], start=start, end=end)
                matched += 1
            placed.words = _monotonic(new, lo, hi)
            position += len(new)
    return matched


def _monotonic(words: list[Word], lo: float, hi: float) -> list[Word]:
    """Starts never go back; each word ends where the next begins at the latest."""
    out, cursor = [], lo
    for i, word in enumerate(words):
        start = max(word.start, cursor)
        limit = words[i + 1].start if i + 1 < len(words) else hi
        end = min(max(word.end, start + 0.05), max(limit, start + 0.05), hi)
        out.append(Word(word.text, start, max(end, start)))
        cursor = start
    return out
