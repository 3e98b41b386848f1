"""The application's one clock: a seam that tests, sandboxes and benches can set.

Code that needs "now" calls `clock.now()` (aware, UTC) instead of `timezone.now()`, and
waits with `clock.sleep()`. Tests freeze or move it in-process (`freeze`, `advance`);
benches compress time across processes with `VF_CLOCK_SCALE` (sandbox seconds per real
second) and `VF_CLOCK_ANCHOR` (the real Unix time at which scaled time starts), which
every process started with the same environment shares.
"""

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, tzinfo

_lock = threading.Lock()
_frozen: datetime | None = None
_offset = timedelta(0)


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, not {raw!r}") from exc
    if value <= 0:
        raise ValueError(f"{name} must be greater than 0")
    return value


_scale = _env_float("VF_CLOCK_SCALE", 1.0)
_anchor = _env_float("VF_CLOCK_ANCHOR", time.time())


def scale() -> float:
    """Clock seconds per real second (1.0 unless a bench compresses time)."""
    return _scale


def _scaled_real() -> float:
    real = time.time()
    return _anchor + (real - _anchor) * _scale


def now() -> datetime:
    """The current moment, aware and in UTC."""
    with _lock:
        if _frozen is not None:
            return _frozen + _offset
        offset = _offset
    return datetime.fromtimestamp(_scaled_real(), UTC) + offset


def timestamp() -> float:
    return now().timestamp()


def today(zone: tzinfo) -> "datetime.date":
    """Today's date in a time zone (a project's, say)."""
    return now().astimezone(zone).date()


def sleep(seconds: float) -> None:
    """Wait `seconds` of clock time: a frozen clock advances at once, a scaled one waits less."""
    if seconds <= 0:
        return
    with _lock:
        frozen = _frozen is not None
    if frozen:
        advance(timedelta(seconds=seconds))
    else:
        time.sleep(seconds / _scale)


def advance(delta: timedelta | float) -> None:
    """Move the clock forward (or back, with a negative delta)."""
    global _offset
    if not isinstance(delta, timedelta):
        delta = timedelta(seconds=delta)
    with _lock:
        _offset += delta


def set_scale(value: float, anchor: float | None = None) -> None:
    """Compress (or stretch) time in this process from `anchor` (real Unix time, default now)."""
    global _scale, _anchor
    if value <= 0:
        raise ValueError("the clock scale must be greater than 0")
    with _lock:
        _anchor = time.time() if anchor is None else anchor
        _scale = value


@contextmanager
def freeze(at: datetime | None = None) -> Iterator[None]:
    """Stop the clock at `at` (default: now) inside the block; `advance` still moves it."""
    global _frozen, _offset
    if at is not None and at.tzinfo is None:
        raise ValueError("freeze() needs an aware datetime")
    start = at or now()
    with _lock:
        saved = (_frozen, _offset)
        _frozen, _offset = start.astimezone(UTC), timedelta(0)
    try:
        yield
    finally:
        with _lock:
            _frozen, _offset = saved


def reset() -> None:
    """Back to real time (the test suite calls this between tests)."""
    global _frozen, _offset, _scale, _anchor
    with _lock:
        _frozen, _offset = None, timedelta(0)
        _scale = _env_float("VF_CLOCK_SCALE", 1.0)
        _anchor = _env_float("VF_CLOCK_ANCHOR", time.time())
