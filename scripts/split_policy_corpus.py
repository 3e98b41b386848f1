#!/usr/bin/env python3
"""Split tests/data/policy_corpus/all.tsv into a frozen test split (30%) and a tune split (70%).

Stratified by (language, category, expected != "pass"); reproducible via random.Random(20261203).
Pure standard library. Run from anywhere: python scripts/split_policy_corpus.py
"""
import random
from collections import defaultdict
from pathlib import Path

SEED = 20261203
TEST_SHARE = 0.30
DATA_DIR = Path(__file__).resolve().parent.parent / "tests" / "data" / "policy_corpus"
COLUMNS = ["id", "language", "category", "expected", "platform",
           "commercial_content", "ai_generated", "text"]


def read_rows(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    if header != COLUMNS:
        raise SystemExit(f"unexpected header in {path}: {header}")
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != len(COLUMNS):
            raise SystemExit(f"{path}:{number}: expected {len(COLUMNS)} fields, got {len(fields)}")
        rows.append((line, dict(zip(COLUMNS, fields, strict=True))))
    return header, rows


def split(rows, seed=SEED, share=TEST_SHARE):
    rng = random.Random(seed)
    strata = defaultdict(list)
    for index, (_, row) in enumerate(rows):
        key = (row["language"], row["category"], row["expected"] != "pass")
        strata[key].append(index)
    test_indices = set()
    for key in sorted(strata):
        members = list(strata[key])
        rng.shuffle(members)
        n_test = int(round(len(members) * share))
        test_indices.update(members[:n_test])
    test = [line for i, (line, _) in enumerate(rows) if i in test_indices]
    tune = [line for i, (line, _) in enumerate(rows) if i not in test_indices]
    return test, tune


def write(path, header, lines):
    path.write_text("\t".join(header) + "\n" + "".join(line + "\n" for line in lines), encoding="utf-8")


def main():
    header, rows = read_rows(DATA_DIR / "all.tsv")
    test, tune = split(rows)
    write(DATA_DIR / "test.tsv", header, test)
    write(DATA_DIR / "tune.tsv", header, tune)
    print(f"{len(rows)} rows -> test.tsv {len(test)}, tune.tsv {len(tune)}")


if __name__ == "__main__":
    main()
