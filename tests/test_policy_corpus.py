"""The engine with the default rule set reproduces every label of the corpus (tests/policy_corpus.py)."""

import pytest

from apps.compliance.policy import PolicyInput, evaluate
from tests.support.policy_corpus import (
    BLOCK,
    CORPUS,
    DISCLOSURE,
    ENGLISH,
    FINANCIAL,
    GERMAN,
    MEDICAL,
    PASS,
    PLATFORM,
    RESTRICTED,
    REVIEW,
    TABOO,
    default_rule_set,
)

ALL_CATEGORIES = {MEDICAL, FINANCIAL, TABOO, RESTRICTED, PLATFORM, DISCLOSURE}


def _input(example) -> PolicyInput:
    return PolicyInput(
        text=example.text,
        title=example.title,
        hashtags=example.hashtags,
        language=example.language,
        ai_generated=example.ai_generated,
        disclosure=example.disclosure,
        platform=example.platform,
    )


@pytest.mark.parametrize(("name", "examples"), [("German", GERMAN), ("English", ENGLISH)])
def test_corpus_covers_every_label_and_category(name, examples):
    assert len(examples) >= 50, name
    assert {e.language for e in examples} == {examples[0].language}
    for outcome in (PASS, REVIEW, BLOCK):
        assert sum(e.outcome == outcome for e in examples) >= 10, (name, outcome)
    for category in ALL_CATEGORIES:
        assert any(category in e.categories and e.outcome == REVIEW for e in examples) or category == DISCLOSURE, (
            name,
            category,
            "needs_review",
        )
        assert any(category in e.categories and e.outcome == BLOCK for e in examples) or category == RESTRICTED, (
            name,
            category,
            "hard_block",
        )
    assert all(not e.categories for e in examples if e.outcome == PASS)
    assert all(e.categories for e in examples if e.outcome != PASS)


def test_engine_reproduces_every_label(db):
    default_rule_set()
    mismatches = []
    for example in CORPUS:
        verdict = evaluate(_input(example))
        if verdict.outcome != example.outcome or verdict.categories != set(example.categories):
            found = "; ".join(f"{m.code} {m.text!r}" for m in verdict.matches) or "nothing"
            mismatches.append(
                f"{example}: expected {example.outcome} {sorted(example.categories)}, "
                f"got {verdict.outcome} {sorted(verdict.categories)} ({found})"
            )
    assert not mismatches, f"{len(mismatches)} of {len(CORPUS)} examples differ:\n" + "\n".join(mismatches)


def test_every_default_rule_is_exercised_by_the_corpus(db):
    """Each pattern rule of the default set matches at least one corpus example (no dead rules)."""
    rule_set = default_rule_set()
    matched = set()
    for example in CORPUS:
        matched |= {m.code for m in evaluate(_input(example)).matches}
    pattern_rules = set(rule_set.rules.exclude(kind__in=["max_length", "max_count"]).values_list("code", flat=True))
    assert pattern_rules - matched == set()
