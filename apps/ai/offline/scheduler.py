"""The scheduler, offline: proven slots from past metrics (exploit) plus good default hours (explore)."""

from __future__ import annotations

import random
import statistics
import zoneinfo
from datetime import datetime

from apps.ai import contracts as c
from apps.ai.offline.inputs import Inputs
from apps.ai.offline.text import as_float, as_int, number

DEFAULT_TIMEZONE = "Europe/Berlin"
_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_GERMAN = ("montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag")
_WEEKDAY_NAMES = {
    **{day: day for day in c.WEEKDAYS},
    **{name: c.WEEKDAYS[i] for i, name in enumerate(_NAMES)},
    **{name: c.WEEKDAYS[i] for i, name in enumerate(("mo", "di", "mi", "do", "fr", "sa", "so"))},
    **{name: c.WEEKDAYS[i] for i, name in enumerate(_GERMAN)},
}


def records(inputs: Inputs) -> list[dict]:
    for key in ("metrics", "posts", "performance", "results", "history"):
        value = inputs.context.get(key)
        if isinstance(value, list):
            return [item for item in value if isinstance(item, dict)][:2000]
    return []


def posts_word(inputs: Inputs, count: int) -> str:
    return inputs.label("post" if count == 1 else "posts")


def _weekday_hour(record: dict, tz: str) -> tuple[str, int] | None:
    weekday, hour = record.get("weekday", record.get("day")), record.get("hour")
    when = record.get("published_at") or record.get("posted_at") or record.get("time")
    if isinstance(when, str):
        try:
            moment = datetime.fromisoformat(when.replace("Z", "+00:00"))
        except ValueError:
            moment = None
        if moment is not None:
            if moment.tzinfo is not None:
                moment = moment.astimezone(zoneinfo.ZoneInfo(tz))
            weekday = weekday if weekday is not None else moment.weekday()
            hour = hour if hour is not None else moment.hour
    if isinstance(weekday, int) and not isinstance(weekday, bool) and 0 <= weekday <= 6:
        weekday = c.WEEKDAYS[weekday]
    elif isinstance(weekday, str):
        weekday = _WEEKDAY_NAMES.get(weekday.strip().casefold()[:10])
    else:
        weekday = None
    hour = as_int(hour, -1)
    if weekday is None or not 0 <= hour <= 23:
        return None
    return weekday, hour


def _score(record: dict) -> float:
    for key in ("score", "engagement_rate", "views", "plays", "watch_time"):
        if key in record:
            return as_float(record.get(key))
    return 0.0


def _timezone(inputs: Inputs) -> str:
    if inputs.timezone:
        try:
            zoneinfo.ZoneInfo(inputs.timezone)
            return inputs.timezone
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return DEFAULT_TIMEZONE


def compose(inputs: Inputs, rng: random.Random) -> dict:
    tz = _timezone(inputs)
    hours = inputs.data.banks.hours
    count = max(1, min(21, as_int(inputs.context.get("count") or inputs.context.get("slots_per_week"), 7)))
    stats: dict[tuple[str, int], list[float]] = {}
    for record in records(inputs):
        slot = _weekday_hour(record, tz)
        if slot is not None:
            stats.setdefault(slot, []).append(_score(record))
    ranked = sorted(stats.items(), key=lambda item: (-statistics.fmean(item[1]), item[0]))
    if ranked:  # proven = at least as good as the median slot
        median = statistics.median(statistics.fmean(scores) for _, scores in ranked)
        ranked = [item for item in ranked if statistics.fmean(item[1]) >= median]
    recommendations = []
    chosen: set[tuple[str, int]] = set()
    for (weekday, hour), scores in ranked[: min(len(ranked), round(count * 0.7))]:
        mean = statistics.fmean(scores)
        why = inputs.label(
            "sched_exploit",
            score=number(mean, inputs.lang, 0 if mean >= 100 else 2),
            count=len(scores),
            posts=posts_word(inputs, len(scores)),
        )
        recommendations.append({"weekday": weekday, "hour": hour, "timezone": tz, "mode": "exploit", "why": why})
        chosen.add((weekday, hour))
    weekdays = list(c.WEEKDAYS)
    rng.shuffle(weekdays)
    attempts = 0
    while len(recommendations) < count and attempts < 500:
        weekday, hour = weekdays[attempts % 7], rng.choice(list(hours))
        attempts += 1
        if (weekday, hour) in chosen or (weekday, hour) in stats:
            continue
        chosen.add((weekday, hour))
        why = inputs.label("sched_explore" if stats else "sched_default", reason=hours[hour])
        recommendations.append({"weekday": weekday, "hour": hour, "timezone": tz, "mode": "explore", "why": why})
    order = {day: i for i, day in enumerate(c.WEEKDAYS)}
    recommendations.sort(key=lambda item: (order[item["weekday"]], item["hour"]))
    exploit = sum(item["mode"] == "exploit" for item in recommendations)
    base = 0.45 + min(0.4, len(stats) * 0.02)
    return {
        "confidence": round(min(0.95, base + rng.uniform(-0.03, 0.03)), 2),
        "rationale": inputs.label("sched_rationale", exploit=exploit, explore=len(recommendations) - exploit, tz=tz),
        "recommendations": recommendations,
    }
