"""The slots of a month plan: every day of the month × 3 (from a first day on, for the current month)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from apps.core.months import month_days

SLOTS_PER_DAY = 3


@dataclass(frozen=True)
class Slot:
    date: date
    number: int  # 1..3

    @property
    def label(self) -> str:
        return f"{self.date.isoformat()} #{self.number}"

    @property
    def key(self) -> tuple[date, int]:
        return (self.date, self.number)


def month_slots(month: date, since: date | None = None) -> list[Slot]:
    """Every day of the month × 3 slots: 90 for a 30-day month (84–93 in general); with `since`,
    only the days from `since` on (a plan of the current month starts today)."""
    return [
        Slot(day, n)
        for day in month_days(month)
        if since is None or day >= since
        for n in range(1, SLOTS_PER_DAY + 1)
    ]
