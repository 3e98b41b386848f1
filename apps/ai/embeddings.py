"""Text embeddings: a local embedder that downloads nothing, and OpenRouter's.

The local `HashingEmbedder` hashes character n-grams of the normalised text into a fixed
number of dimensions (the "hashing trick") and L2-normalises the result, so cosine
similarity is a dot product. It is language-agnostic, deterministic and fast; good enough
for near-duplicate detection (the similarity guard) and keyword-ish retrieval.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from typing import Protocol

from django.conf import settings

_WORDS = re.compile(r"\w+", re.UNICODE)


class Embedder(Protocol):
    name: str
    dimension: int

    def embed(self, texts: list[str]) -> list[list[float]]: ...


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_WORDS.findall(text))


class HashingEmbedder:
    def __init__(self, dimension: int | None = None, ngram_sizes: tuple[int, ...] = (3, 4), word_weight: float = 1.0):
        self.dimension = dimension or settings.VF_EMBEDDING_DIMENSION
        self.ngram_sizes = ngram_sizes
        self.word_weight = word_weight
        self.name = f"local-hash-{self.dimension}"

    def _features(self, text: str):
        padded = f" {text} "
        for n in self.ngram_sizes:
            for i in range(len(padded) - n + 1):
                yield padded[i : i + n], 1.0
        for word in text.split():
            yield f"w:{word}", self.word_weight

    def embed_one(self, text: str) -> list[float]:
        vector = [0.0] * self.dimension
        for feature, weight in self._features(normalise(text)):
            digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
            bucket = int.from_bytes(digest[:4], "little") % self.dimension
            sign = 1.0 if digest[4] & 1 else -1.0
            vector[bucket] += sign * weight
        norm = math.sqrt(sum(v * v for v in vector))
        return [v / norm for v in vector] if norm else vector

    def embed(self, texts: list[str]) -> list[list[float]]:
        return [self.embed_one(text) for text in texts]


def cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def get_embedder() -> Embedder:
    """The configured embedder (VF_EMBEDDER: "local" or "openrouter")."""
    if settings.VF_EMBEDDER == "openrouter":
        from apps.ai.providers.openrouter import OpenRouterEmbedder

        return OpenRouterEmbedder()
    return HashingEmbedder()
