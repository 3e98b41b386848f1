"""The default rule set on the blind corpus (tests/data/policy_corpus): only aggregates are asserted.

The test split is frozen and never inspected row by row: it runs as a whole, and only its
recall and false-positive rates are checked (overall, per category and per language).
"""

from pathlib import Path

import pytest
from django.core.management import call_command

from apps.compliance.evaluation import parse_tsv, run
from tests.support.policy_corpus import default_rule_set

CORPUS = Path(__file__).resolve().parent / "data" / "policy_corpus"


@pytest.fixture
def defaults(db):
    return default_rule_set()


def _report(name: str):
    return run(parse_tsv((CORPUS / name).read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    "split",
    ["tune.tsv"],
)
def test_recall_and_false_positives_on_the_corpus(defaults, split):
    report = _report(split)
    overall = report.overall
    assert overall.positives >= 100 and overall.negatives >= 80
    failures = []
    if overall.recall < 0.95:
        failures.append(f"overall recall {overall.recall:.3f} < 0.95")
    if overall.fp_rate > 0.03:
        failures.append(f"overall false-positive rate {overall.fp_rate:.3f} > 0.03")
    for category, language, cell in report.rows():
        if cell.positives and cell.recall < 0.9:
            failures.append(f"recall {category}/{language} {cell.recall:.3f} < 0.9")
    assert not failures, "; ".join(failures)


# Reached on the frozen split (run as a whole, never row by row): recall 0.806, false positives
# 0.070 (6 of 86) overall. The targets (0.95 / 0.03) are not met yet: these floors keep
# rule work from silently making the held-out figures worse. Raise them as the rules improve.
TEST_SPLIT_RECALL = {"all": 0.80, "de": 0.79, "en": 0.81}
TEST_SPLIT_FP = {"all": 0.075, "de": 0.10, "en": 0.05}
TEST_SPLIT_CATEGORY_RECALL = {
    "disclosure": 0.85,
    "financial": 0.75,
    "medical": 0.90,
    "platform": 1.0,
    "restricted": 0.65,
    "taboo": 0.80,
}
# extra.tsv (a second blind writer, 520 rows, also used for tuning): recall 0.856, false positives 0.024.
EXTRA_RECALL = {"all": 0.85, "de": 0.82, "en": 0.88}
EXTRA_FP = {"all": 0.025, "de": 0.03, "en": 0.03}


def _floors(report, recall: dict, fp: dict, category_recall: dict | None = None) -> list[str]:
    failures = []
    for language, floor in recall.items():
        cell = report.cells[("all", language)]
        if cell.recall < floor:
            failures.append(f"recall {language} {cell.recall:.3f} < {floor}")
    for language, ceiling in fp.items():
        cell = report.cells[("all", language)]
        if cell.fp_rate > ceiling:
            failures.append(f"false-positive rate {language} {cell.fp_rate:.3f} > {ceiling}")
    for category, floor in (category_recall or {}).items():
        cell = report.cells[(category, "all")]
        if cell.recall < floor:
            failures.append(f"recall {category} {cell.recall:.3f} < {floor}")
    return failures


def test_frozen_test_split_does_not_fall_below_todays_figures(defaults):
    report = _report("test.tsv")
    assert report.overall.positives >= 100 and report.overall.negatives >= 80
    failures = _floors(report, TEST_SPLIT_RECALL, TEST_SPLIT_FP, TEST_SPLIT_CATEGORY_RECALL)
    assert not failures, "; ".join(failures)


def test_the_second_blind_corpus_does_not_fall_below_todays_figures(defaults):
    report = _report("extra.tsv")
    assert report.overall.positives >= 250 and report.overall.negatives >= 230
    failures = _floors(report, EXTRA_RECALL, EXTRA_FP)
    assert not failures, "; ".join(failures)


# heldout3.tsv (a third blind writer, 600 rows; see the corpus README). Run once as a whole before
# any of its rows was read, with the rules of that day: recall 0.430, false positives 0.143
# (disclosure 0.03, taboo 0.42, financial 0.53, medical 0.53, political 0.63). Rule work then used
# the even-numbered rows only; the odd-numbered rows were never read and are the held-out figure.
# After the rule work: odd half (held out) recall 0.513, false positives 0.100 (the rules of that
# day on the same half: 0.400 / 0.147); even half (tuned on) 0.933 / 0.013. The rules still do not
# generalise to the targets (0.90 / 0.05): these floors only catch regressions.
# Then the learned classifier (apps/compliance/classifier.py, trained on tune.tsv, extra.tsv and the
# even rows; its threshold chosen on the even rows with a model that had not seen them) reviews what
# the rules let pass: odd half 0.627 / 0.107 (16 of 150; one more than the rules alone), whole file
# 0.813 / 0.060.
HELDOUT3_RECALL = {"all": 0.81, "de": 0.82, "en": 0.80}
HELDOUT3_FP = {"all": 0.06, "de": 0.06, "en": 0.067}
HELDOUT3_ODD_RECALL = {"all": 0.62, "de": 0.65, "en": 0.60}
HELDOUT3_ODD_FP = {"all": 0.107, "de": 0.107, "en": 0.107}


def _heldout3(half: int | None):
    rows = parse_tsv((CORPUS / "heldout3.tsv").read_text(encoding="utf-8"))
    return run([row for row in rows if half is None or int(row.id[1:]) % 2 == half])


def test_the_third_blind_corpus_does_not_fall_below_todays_figures(defaults):
    whole, odd = _heldout3(None), _heldout3(1)
    assert (whole.overall.positives, whole.overall.negatives) == (300, 300)
    failures = _floors(whole, HELDOUT3_RECALL, HELDOUT3_FP)
    failures += [f"odd half: {failure}" for failure in _floors(odd, HELDOUT3_ODD_RECALL, HELDOUT3_ODD_FP)]
    assert not failures, "; ".join(failures)


# heldout4.tsv (a fourth blind writer, 400 rows, written while the classifier was being trained and
# never used for rules or training). Run once as a whole, unseen: the rules alone (main before the
# classifier) recall 0.571, false positives 0.062; with the classifier 0.633 / 0.062 (disclosure
# 0.31, taboo 0.56, financial 0.71, political 0.77, medical 0.81). Far from the 0.90 / 0.05:
# these floors only catch regressions; keep it unread so it stays a held-out figure.
HELDOUT4_RECALL = {"all": 0.63, "de": 0.65, "en": 0.61}
HELDOUT4_FP = {"all": 0.0625, "de": 0.075, "en": 0.05}


def test_the_fourth_blind_corpus_does_not_fall_below_its_first_figures(defaults):
    report = _report("heldout4.tsv")
    assert (report.overall.positives, report.overall.negatives) == (240, 160)
    failures = _floors(report, HELDOUT4_RECALL, HELDOUT4_FP)
    assert not failures, "; ".join(failures)


def test_policy_eval_prints_the_table_without_rows(defaults, capsys):
    call_command("policy_eval", str(CORPUS / "tune.tsv"), "--no-rows")
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["category", "lang", "n+", "n-", "precision", "recall", "F1", "FP", "rate"]
    assert any(line.startswith("medical      de") for line in out.splitlines())
    assert "misclassified" not in out


def test_policy_eval_lists_misclassified_rows(defaults, tmp_path, capsys):
    tsv = tmp_path / "mine.tsv"
    tsv.write_text(
        "id\tlanguage\tcategory\texpected\tplatform\tcommercial_content\tai_generated\ttext\n"
        "a\tde\tmedical\tblock\ttiktok\tnone\tfalse\tDieser Tee heilt Krebs.\n"
        "b\tde\tmedical\tpass\ttiktok\tnone\tfalse\tFrischer Kaffee aus den Alpen.\n"
        "c\ten\tfinancial\tblock\ttiktok\tnone\tfalse\tOur beans taste great.\n",
        encoding="utf-8",
    )
    call_command("policy_eval", str(tsv))
    out = capsys.readouterr().out
    assert "misclassified: 1" in out
    assert "c [en financial expected block] got pass" in out


def test_policy_eval_refuses_a_broken_file(defaults, tmp_path):
    from django.core.management.base import CommandError

    tsv = tmp_path / "broken.tsv"
    tsv.write_text("id\tlanguage\tcategory\texpected\ttext\nx\tfr\tmedical\tblock\tBonjour\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 2: language"):
        call_command("policy_eval", str(tsv))
