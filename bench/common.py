"""Shared helpers for benchmarks: Django setup, timing and the one-JSON-line-per-figure output."""

import io
import json
import os
import statistics
import time


def setup_django() -> None:
    """Django with its services started, the database migrated and the defaults seeded: a bench
    runs on its own, in a fresh clone too."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "viralforge.settings")
    import django
    from django.core.management import call_command

    django.setup()
    from viralforge import embedded

    embedded.start_configured()
    quiet = io.StringIO()  # stdout carries only the figures' JSON lines
    call_command("migrate", interactive=False, verbosity=0, stdout=quiet)
    call_command("ensure_defaults", verbosity=0, stdout=quiet)


def p95_ms(samples_s: list[float]) -> float:
    ordered = sorted(samples_s)
    index = max(0, int(round(0.95 * len(ordered))) - 1)
    return ordered[index] * 1000


def time_calls(fn, repeat: int, warmup: int = 5) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def emit(bench: str, metric: str, value: float, unit: str, target: float | None = None, better: str = "lower") -> None:
    line = {
        "bench": bench,
        "metric": metric,
        "value": round(value, 3),
        "unit": unit,
        "target": target,
        "better": better,
    }
    print(json.dumps(line), flush=True)


def median_ms(samples_s: list[float]) -> float:
    return statistics.median(samples_s) * 1000
