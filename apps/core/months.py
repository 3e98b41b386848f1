"""Calendar months as dates (the first day of the month), and their `YYYY-MM` form in URLs."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from django.http import Http404

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def month_start(day: date) -> date:
    return day.replace(day=1)


def shift_month(month: date, delta: int) -> date:
    """The first day of the month `delta` months after (or before) `month`'s."""
    index = month.year * 12 + month.month - 1 + delta
    return date(index // 12, index % 12 + 1, 1)


def next_month(month: date) -> date:
    return shift_month(month, 1)


def month_end(month: date) -> date:
    """The last day of `month`'s month."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def month_days(month: date) -> list[date]:
    """Every day of the month (28–31)."""
    first = month_start(month)
    return [first + timedelta(days=i) for i in range(month_end(first).day)]


def month_param(month: date) -> str:
    """`date(2026, 3, 1)` → `2026-03`."""
    return f"{month:%Y-%m}"


def parse_month(value: str) -> date:
    """`2026-03` → date(2026, 3, 1); ValueError for anything else (2026-13, 26-3, ...)."""
    match = MONTH_RE.match(value or "")
    if not match:
        raise ValueError(f"not a month: {value!r}")
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 1900 < year < 9999):
        raise ValueError(f"not a month: {value!r}")
    return date(year, month, 1)


def month_or_404(value: str) -> date:
    """The month of a `YYYY-MM` URL part; 404 for anything else."""
    try:
        return parse_month(value)
    except ValueError:
        raise Http404 from None
