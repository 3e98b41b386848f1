"""A small learned text classifier beside the rules: it catches claims the term lists do not name.

A multinomial logistic regression over words, word pairs and character 3–4-grams of the folded
text (so German compound parts such as "krebs" in "Krebsheilung" count), trained by
`scripts/train_policy_classifier.py` on the labelled corpora (tune.tsv, extra.tsv and the even
rows of heldout3.tsv; never test.tsv nor the odd heldout3 rows). Its weights are data
(`data/classifier.json`, validated at load, loaded once per process); inference is numpy only and
deterministic.

The engine asks it only when the default rules let a text pass: when the probability of
"harmless" falls below the stored threshold, the text needs a review in the most likely category.
It never blocks and never lowers a rule's verdict.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import lru_cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from apps.compliance.patterns import fold

DATA = Path(__file__).resolve().parent / "data" / "classifier.json"
CHAR_NGRAMS = (3, 4)
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?|[€$£%]")
WORD_MEMO_LIMIT = 200_000
PASS = "pass"  # noqa: S105 (the harmless class, not a password)


def word_features(word: str) -> list[str]:
    """The features of one folded word: itself and, for words of letters, its character 3–4-grams."""
    found = ["w:" + word]
    if len(word) > 2 and word.isalpha():
        padded = "<" + word + ">"
        low, high = CHAR_NGRAMS
        for n in range(low, high + 1):
            found.extend("c:" + padded[start : start + n] for start in range(len(padded) - n + 1))
    return found


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def features(text: str) -> set[str]:
    """Words, adjacent word pairs and the character 3–4-grams of each word (folded)."""
    found: set[str] = set()
    previous = ""
    for word in words(text):
        found.update(word_features(word))
        if previous:
            found.add("b:" + previous + " " + word)
        previous = word
    return found


class ClassifierData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1)
    classes: list[str] = Field(min_length=2)
    threshold: float = Field(gt=0, lt=1)  # flag when P(pass) is below this
    bias: list[float]
    weights: dict[str, list[float]]
    trained_on: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _shapes(self):
        if self.classes[0] != PASS:
            raise ValueError("the first class must be 'pass'")
        width = len(self.classes)
        if len(self.bias) != width or any(len(row) != width for row in self.weights.values()):
            raise ValueError("bias and every weight row need one value per class")
        return self


@dataclass(frozen=True)
class Classifier:
    version: int
    classes: tuple[str, ...]
    threshold: float
    bias: np.ndarray
    matrix: np.ndarray
    index: dict[str, int]
    # Per distinct word: the matrix rows of its features (a running process meets the same words again).
    _word_rows: dict[str, tuple[int, ...]] = dataclass_field(default_factory=dict, compare=False, repr=False)

    def rows(self, text: str) -> set[int]:
        """The matrix rows of `features(text)` that the model knows, without building the strings twice."""
        index, memo = self.index, self._word_rows
        found: set[int] = set()
        previous = ""
        for word in words(text):
            known = memo.get(word)
            if known is None:
                if len(memo) >= WORD_MEMO_LIMIT:
                    memo.clear()
                known = memo[word] = tuple(index[name] for name in word_features(word) if name in index)
            found.update(known)
            if previous:
                pair = index.get("b:" + previous + " " + word)
                if pair is not None:
                    found.add(pair)
            previous = word
        return found

    def probabilities(self, text: str) -> np.ndarray:
        rows = list(self.rows(text))
        scores = self.bias.copy()
        if rows:
            scores += self.matrix[rows].sum(axis=0) / math.sqrt(len(rows))
        scores -= scores.max()
        exp = np.exp(scores)
        return exp / exp.sum()

    def flag(self, text: str) -> tuple[str, float] | None:
        """(category, probability) when the text looks like a problem, else None."""
        probabilities = self.probabilities(text)
        if probabilities[0] >= self.threshold:
            return None
        best = int(np.argmax(probabilities[1:])) + 1
        return self.classes[best], float(probabilities[best])


@lru_cache(maxsize=1)
def classifier() -> Classifier:
    data = ClassifierData.model_validate(json.loads(DATA.read_text(encoding="utf-8")))
    names = sorted(data.weights)
    matrix = np.array([data.weights[name] for name in names], dtype=np.float64)
    return Classifier(
        version=data.version,
        classes=tuple(data.classes),
        threshold=data.threshold,
        bias=np.array(data.bias, dtype=np.float64),
        matrix=matrix.reshape(len(names), len(data.classes)),
        index={name: number for number, name in enumerate(names)},
    )
