"""Evaluate a rule set against a labelled TSV: precision, recall and F1 per category and language.

TSV columns (header line): id, language, category, expected, platform, commercial_content,
ai_generated, text. `expected` is block, review or pass; a row counts as *flagged* when the
verdict is not a pass. Per category and language: recall = flagged among the rows that must
be flagged; the false-positive rate = flagged among the harmless rows; precision and F1 follow.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from apps.compliance.models import Category, Outcome
from apps.compliance.policy import PolicyInput, Verdict, evaluate

COLUMNS = ("id", "language", "category", "expected", "platform", "commercial_content", "ai_generated", "text")
EXPECTED = {"block": "hard_block", "review": "needs_review", "pass": "pass"}
CATEGORY_ALIASES = {"political": "restricted", "politics": "restricted"}
MAX_ROWS = 5000
# Platform names as people write them in a TSV.
PLATFORM_ALIASES = {"youtube": "youtube_shorts", "shorts": "youtube_shorts", "twitter": "x"}


class EvalError(ValueError):
    """A TSV that cannot be read; the message (in the active language) names the line."""


# What a bad value in a column means, for the messages (pydantic's own are English only).
COLUMN_PROBLEMS = {
    "language": _("the language must be de or en"),
    "expected": _("expected must be block, review or pass"),
    "commercial_content": _("commercial_content must be none, own_brand or paid_partnership"),
    "id": _("the id is missing"),
    "category": _("the category is missing"),
    "text": _("the text is missing"),
}


class Row(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    language: Literal["de", "en"]
    category: str
    expected: Literal["block", "review", "pass"]
    platform: str = ""
    # A TSV without the column: the setting is unknown and the caption alone decides.
    commercial_content: Literal["none", "own_brand", "paid_partnership", "unknown"] = "unknown"
    ai_generated: bool = False
    text: str

    @field_validator("commercial_content", mode="before")
    @classmethod
    def _commercial(cls, value):
        return (value or "none").strip() or "none"

    @field_validator("ai_generated", mode="before")
    @classmethod
    def _flag(cls, value):
        return str(value).strip().lower() in ("1", "true", "yes", "y")

    def policy_input(self) -> PolicyInput:
        platform = PLATFORM_ALIASES.get(self.platform.strip().lower(), self.platform.strip().lower()) or None
        return PolicyInput(
            text=self.text,
            language=self.language,
            platform=platform,
            ai_generated=self.ai_generated,
            commercial_content=self.commercial_content,
        )


def parse_tsv(content: str) -> list[Row]:
    reader = csv.DictReader(io.StringIO(content), delimiter="\t", quoting=csv.QUOTE_NONE)
    missing = [
        name for name in ("id", "language", "category", "expected", "text") if name not in (reader.fieldnames or [])
    ]
    if missing:
        raise EvalError(gettext("missing columns: %(columns)s") % {"columns": ", ".join(missing)})
    rows = []
    for number, raw in enumerate(reader, start=2):
        if len(rows) >= MAX_ROWS:
            raise EvalError(gettext("more than %(limit)s rows") % {"limit": MAX_ROWS})
        try:
            rows.append(Row.model_validate({k: v for k, v in raw.items() if k is not None}))
        except ValidationError as exc:
            column = ".".join(map(str, exc.errors()[0]["loc"]))
            problem = COLUMN_PROBLEMS.get(column, _("invalid value"))
            params = {"line": number, "column": column, "problem": problem}
            raise EvalError(gettext("line %(line)s: %(column)s: %(problem)s") % params) from None
    return rows


@dataclass
class Cell:
    positives: int = 0  # rows that must be flagged
    negatives: int = 0  # harmless rows
    true_positives: int = 0
    false_positives: int = 0

    @property
    def recall(self) -> float | None:
        return self.true_positives / self.positives if self.positives else None

    @property
    def fp_rate(self) -> float | None:
        return self.false_positives / self.negatives if self.negatives else None

    @property
    def precision(self) -> float | None:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p and r else (0.0 if p is not None and r is not None else None)


LANGUAGE_LABELS = {"all": _("All"), "de": _("German"), "en": _("English")}
EXPECTED_LABELS = {key: Outcome(value).label for key, value in EXPECTED.items()}


def category_label(category: str) -> str:
    """A category of the report in the viewer's language (a TSV's own category as written)."""
    if category == "all":
        return str(_("All"))
    return str(Category(category).label) if category in Category.values else category


@dataclass
class Report:
    cells: dict[tuple[str, str], Cell] = field(default_factory=lambda: defaultdict(Cell))
    misclassified: list[tuple[Row, Verdict]] = field(default_factory=list)
    severity_agreement: int = 0
    total: int = 0

    @property
    def overall(self) -> Cell:
        return self.cells[("all", "all")]

    def rows(self) -> list[tuple[str, str, Cell]]:
        return [(category, language, cell) for (category, language), cell in sorted(self.cells.items())]

    def labelled_rows(self) -> list[dict]:
        """The table for a page: codes for the markup, labels in the viewer's language."""
        return [
            {
                "category": category,
                "language": language,
                "category_label": category_label(category),
                "language_label": str(LANGUAGE_LABELS.get(language, language)),
                "cell": cell,
            }
            for category, language, cell in self.rows()
        ]

    def labelled_misclassified(self) -> list[dict]:
        return [
            {
                "row": row,
                "verdict": verdict,
                "category_label": category_label(CATEGORY_ALIASES.get(row.category, row.category)),
                "language_label": str(LANGUAGE_LABELS.get(row.language, row.language)),
                "expected_label": str(EXPECTED_LABELS[row.expected]),
            }
            for row, verdict in self.misclassified
        ]


def run(rows: list[Row], *, org=None, rule_sets=None) -> Report:
    report = Report()
    for row in rows:
        verdict = evaluate(row.policy_input(), org=org, rule_sets=rule_sets)
        flagged = verdict.outcome != "pass"
        positive = row.expected != "pass"
        category = CATEGORY_ALIASES.get(row.category, row.category)
        for key in ((category, row.language), (category, "all"), ("all", row.language), ("all", "all")):
            cell = report.cells[key]
            if positive:
                cell.positives += 1
                cell.true_positives += flagged
            else:
                cell.negatives += 1
                cell.false_positives += flagged
        report.total += 1
        report.severity_agreement += verdict.outcome == EXPECTED[row.expected]
        if flagged != positive:
            report.misclassified.append((row, verdict))
    return report


def _pct(value: float | None) -> str:
    return "   -  " if value is None else f"{value * 100:5.1f}%"


def format_report(report: Report, *, rows: bool = True) -> str:
    lines = [
        f"{'category':<12} {'lang':<4} {'n+':>4} {'n-':>4} {'precision':>9} {'recall':>7} {'F1':>7} {'FP rate':>8}",
    ]
    for category, language, cell in report.rows():
        lines.append(
            f"{category:<12} {language:<4} {cell.positives:>4} {cell.negatives:>4} {_pct(cell.precision):>9} "
            f"{_pct(cell.recall):>7} {_pct(cell.f1):>7} {_pct(cell.fp_rate):>8}"
        )
    if report.total:
        lines.append(f"exact severity agreement: {report.severity_agreement}/{report.total}")
    if rows:
        lines.append(f"misclassified: {len(report.misclassified)}")
        for row, verdict in report.misclassified:
            found = "; ".join(f"{m.code} “{m.text}”" for m in verdict.matches) or "-"
            got = f"{verdict.outcome} ({found})"
            lines.append(f"  {row.id} [{row.language} {row.category} expected {row.expected}] got {got}: {row.text}")
    return "\n".join(lines)
