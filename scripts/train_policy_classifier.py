"""Train the policy engine's text classifier: `python scripts/train_policy_classifier.py [--out PATH]`.

Reads tests/data/policy_corpus/tune.tsv, extra.tsv and the EVEN rows of heldout3.tsv (never
test.tsv, never the odd heldout3 rows: those stay held out) and writes the weights to
apps/compliance/data/classifier.json. Deterministic: full-batch Adam from zero weights.

Flagged rows whose label depends on the post's settings rather than its text (platform rules,
AI-generated content, a commercial-content setting) are left out; every harmless row is used.
The threshold was chosen on the even heldout3 rows with a model trained on tune.tsv and extra.tsv
only (`--without-even` reproduces that model).
"""

import argparse
import csv
import io
import json
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from apps.compliance.classifier import DATA, PASS, features  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "policy_corpus"
CLASSES = [PASS, "medical", "financial", "restricted", "taboo", "disclosure"]
ALIASES = {"political": "restricted", "politics": "restricted"}
VERSION = 1
THRESHOLD = 0.10
L2 = 1e-6
STEP = 0.1
ITERATIONS = 150
MIN_DOCUMENTS = 2  # a feature seen in fewer training texts is dropped
KEEP = 0.002  # weights below this (all classes) are not stored


def read(name: str) -> list[dict]:
    text = (CORPUS / name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))


def label(row: dict) -> int | None:
    if row["expected"] == "pass":
        return 0
    category = ALIASES.get(row["category"], row["category"])
    return CLASSES.index(category) if category in CLASSES else None


def usable(row: dict) -> bool:
    """Harmless rows always (a labelled ad is harmless by its text); flagged rows when the text alone
    shows the problem (not a platform limit, an AI setting or a commercial-content setting)."""
    if row["expected"] == "pass":
        return True
    if row.get("category") == "platform" or (row.get("ai_generated") or "").lower() == "true":
        return False
    if row.get("category") == "disclosure" and row.get("commercial_content") in ("paid_partnership", "own_brand"):
        return False
    return label(row) is not None


def training_rows(with_even: bool = True) -> list[dict]:
    rows = read("tune.tsv") + read("extra.tsv")
    if with_even:
        rows += [row for row in read("heldout3.tsv") if int(row["id"][1:]) % 2 == 0]
    return [row for row in rows if usable(row)]


class Sparse:
    """A row-normalised binary document-feature matrix as coordinate lists."""

    def __init__(self, documents: list[set[str]], vocabulary: dict[str, int]):
        rows, cols, values = [], [], []
        for number, document in enumerate(documents):
            ids = sorted(vocabulary[name] for name in document if name in vocabulary)
            rows += [number] * len(ids)
            cols += ids
            values += [1 / math.sqrt(len(ids))] * len(ids) if ids else []
        self.rows, self.cols, self.values = np.array(rows), np.array(cols), np.array(values)
        self.shape = (len(documents), len(vocabulary))

    def times(self, matrix: np.ndarray) -> np.ndarray:
        part = matrix[self.cols] * self.values[:, None]
        return np.stack([np.bincount(self.rows, part[:, j], self.shape[0]) for j in range(matrix.shape[1])], 1)

    def transposed_times(self, matrix: np.ndarray) -> np.ndarray:
        part = matrix[self.rows] * self.values[:, None]
        return np.stack([np.bincount(self.cols, part[:, j], self.shape[1]) for j in range(matrix.shape[1])], 1)


def train(rows: list[dict]) -> tuple[dict[str, int], np.ndarray, np.ndarray]:
    documents = [features(row["text"]) for row in rows]
    counts: dict[str, int] = {}
    for document in documents:
        for name in document:
            counts[name] = counts.get(name, 0) + 1
    vocabulary = {name: i for i, name in enumerate(sorted(n for n, c in counts.items() if c >= MIN_DOCUMENTS))}
    x = Sparse(documents, vocabulary)
    y = np.eye(len(CLASSES))[[label(row) for row in rows]]
    weights = np.zeros((len(vocabulary), len(CLASSES)))
    bias = np.zeros(len(CLASSES))
    moments = [np.zeros_like(weights), np.zeros_like(weights), np.zeros_like(bias), np.zeros_like(bias)]
    for step in range(1, ITERATIONS + 1):
        scores = x.times(weights) + bias
        scores -= scores.max(axis=1, keepdims=True)
        probabilities = np.exp(scores)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        error = (probabilities - y) / len(rows)
        for value, gradient, first, second in (
            (weights, x.transposed_times(error) + L2 * weights, moments[0], moments[1]),
            (bias, error.sum(axis=0), moments[2], moments[3]),
        ):
            first *= 0.9
            first += 0.1 * gradient
            second *= 0.999
            second += 0.001 * gradient * gradient
            value -= STEP * (first / (1 - 0.9**step)) / (np.sqrt(second / (1 - 0.999**step)) + 1e-8)
    return vocabulary, weights, bias


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=DATA)
    parser.add_argument("--without-even", action="store_true", help="train on tune.tsv and extra.tsv only")
    args = parser.parse_args()
    rows = training_rows(with_even=not args.without_even)
    vocabulary, weights, bias = train(rows)
    stored = {
        name: [round(float(w), 4) for w in weights[i]]
        for name, i in vocabulary.items()
        if np.abs(weights[i]).max() >= KEEP
    }
    data = {
        "version": VERSION,
        "classes": CLASSES,
        "threshold": THRESHOLD,
        "bias": [round(float(b), 4) for b in bias],
        "trained_on": ["tune.tsv", "extra.tsv"] + ([] if args.without_even else ["heldout3.tsv even rows"]),
        "weights": dict(sorted(stored.items())),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{len(rows)} rows, {len(stored)} of {len(vocabulary)} features stored -> {args.out}")


if __name__ == "__main__":
    main()
