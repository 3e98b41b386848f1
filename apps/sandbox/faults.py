"""Switchable faults for the sandbox stand-ins (tests, benchmarks, chaos demos).

    set_faults("openrouter", latency_ms=20, rates={"429": 0.1, "500": 0.05}, retry_after=1, seed=7)
    clear_faults("openrouter")

The configuration lives in Redis (namespaced), so it applies to every process that serves the
sandbox: pytest's live_server thread, runserver, gunicorn workers. Each request to a faulty
endpoint draws one number in [0, 1) and picks at most one fault kind by walking `rates` in the
fixed order of `FAULT_KINDS` (so `{"429": 0.1, "500": 0.1}` = 10 % 429, 10 % 500, 80 % fine).
With a `seed` the draw is `sha256(seed, n)` where `n` is a Redis counter shared by all
processes: the sequence of faults is reproducible for a given sequence of requests. Without
a seed the draw is random. `latency_ms` delays every request (before the answer).

A request can also pick its fault itself with the header `X-Sandbox-Fault` (tests), e.g.
`X-Sandbox-Fault: 429`, `X-Sandbox-Fault: 429, retry_after=3` or `X-Sandbox-Fault: latency=20`.
The header replaces the stored configuration for that request.

Fault kinds (OpenRouter, see apps/sandbox/openrouter.py):
  "400", "401", "402", "403", "408", "429", "500", "502", "503": that HTTP error in the contract's shape
      (429 with `Retry-After`);
  "invalid_json": HTTP 200 whose message content is not JSON;
  "schema_violation": HTTP 200 with valid JSON that breaks the requested schema;
  "error_in_200": HTTP 200 whose body is `{"error": {...}}` (with usage).
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import asdict, dataclass, field

from viralforge.redis import get_redis, key

FAULT_KINDS = (
    "400",
    "401",
    "402",
    "403",
    "408",
    "429",
    "500",
    "502",
    "503",
    "invalid_json",
    "schema_violation",
    "error_in_200",
)
# Each stand-in has its own fault kinds (TikTok's are in apps/sandbox/tiktok/faults.py).
_KINDS_BY_SERVICE: dict[str, tuple[str, ...]] = {"openrouter": FAULT_KINDS}
HEADER = "X-Sandbox-Fault"


def register_kinds(service: str, kinds: tuple[str, ...]) -> None:
    """Declare the fault kinds of a stand-in (at import of its module)."""
    _KINDS_BY_SERVICE[service] = tuple(kinds)


def kinds_for(service: str) -> tuple[str, ...]:
    return _KINDS_BY_SERVICE.get(service, FAULT_KINDS)
MAX_LATENCY_MS = 60_000


class FaultConfigError(ValueError):
    """A fault configuration (or an X-Sandbox-Fault header) that makes no sense."""


@dataclass(frozen=True)
class FaultConfig:
    latency_ms: int = 0
    rates: dict[str, float] = field(default_factory=dict)
    retry_after: float = 1
    seed: int | str | None = None


@dataclass(frozen=True)
class Fault:
    """What one request gets: a fault kind (or None) and a delay."""

    kind: str | None = None
    latency_ms: int = 0
    retry_after: float = 1

    def __bool__(self) -> bool:
        return bool(self.kind or self.latency_ms)


NO_FAULT = Fault()


def _config_key(service: str) -> str:
    return key("sandbox", "faults", service)


def _counter_key(service: str) -> str:
    return key("sandbox", "faults", service, "n")


def _validate(latency_ms, rates: dict, retry_after, kinds=FAULT_KINDS) -> tuple[int, dict[str, float], float]:
    try:
        latency = int(latency_ms)
        retry = float(retry_after)
    except (TypeError, ValueError):
        raise FaultConfigError("latency_ms and retry_after must be numbers.") from None
    if not 0 <= latency <= MAX_LATENCY_MS:
        raise FaultConfigError(f"latency_ms must be between 0 and {MAX_LATENCY_MS}.")
    if retry < 0:
        raise FaultConfigError("retry_after must not be negative.")
    clean: dict[str, float] = {}
    for kind, rate in (rates or {}).items():
        kind = str(kind)
        if kind not in kinds:
            raise FaultConfigError(f"Unknown fault kind {kind!r}; known: {', '.join(kinds)}.")
        try:
            rate = float(rate)
        except (TypeError, ValueError):
            raise FaultConfigError(f"The rate of {kind!r} must be a number.") from None
        if not 0 <= rate <= 1:
            raise FaultConfigError(f"The rate of {kind!r} must be between 0 and 1.")
        if rate:
            clean[kind] = rate
    if sum(clean.values()) > 1 + 1e-9:
        raise FaultConfigError("The fault rates add up to more than 1.")
    return latency, clean, retry


def set_faults(
    service: str = "openrouter",
    *,
    latency_ms: int = 0,
    rates: dict[str, float] | None = None,
    retry_after: float = 1,
    seed: int | str | None = None,
    ttl_seconds: int | None = None,
) -> FaultConfig:
    """Switch faults on for `service` (replacing any earlier configuration; resets the counter)."""
    latency, clean, retry = _validate(latency_ms, rates or {}, retry_after, kinds_for(service))
    config = FaultConfig(latency_ms=latency, rates=clean, retry_after=retry, seed=seed)
    redis = get_redis()
    with redis.pipeline() as pipe:
        pipe.set(_config_key(service), json.dumps(asdict(config)), ex=ttl_seconds)
        pipe.delete(_counter_key(service))
        pipe.execute()
    return config


def clear_faults(service: str = "openrouter") -> None:
    get_redis().delete(_config_key(service), _counter_key(service))


def get_faults(service: str = "openrouter") -> FaultConfig | None:
    raw = get_redis().get(_config_key(service))
    if not raw:
        return None
    data = json.loads(raw)
    return FaultConfig(
        latency_ms=int(data.get("latency_ms", 0)),
        rates={k: float(v) for k, v in (data.get("rates") or {}).items()},
        retry_after=float(data.get("retry_after", 1)),
        seed=data.get("seed"),
    )


def seeded_draw(seed, n: int) -> float:
    """A reproducible number in [0, 1) for request number `n` under `seed`."""
    digest = hashlib.sha256(f"{seed}:{n}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def pick_kind(rates: dict[str, float], draw: float, kinds=FAULT_KINDS) -> str | None:
    threshold = 0.0
    for kind in kinds:
        threshold += rates.get(kind, 0.0)
        if draw < threshold:
            return kind
    return None


def parse_header(value: str, kinds=FAULT_KINDS) -> Fault:
    """`X-Sandbox-Fault: <kind>[, latency=<ms>][, retry_after=<s>]` (any order; kind optional)."""
    kind, latency, retry_after = None, 0, 1.0
    for token in (t.strip() for t in value.split(",")):
        if not token:
            continue
        name, sep, number = token.partition("=")
        name = name.strip().lower()
        if sep:
            if name not in ("latency", "latency_ms", "retry_after"):
                raise FaultConfigError(f"Unknown {HEADER} option {name!r}.")
            try:
                parsed = float(number)
            except ValueError:
                raise FaultConfigError(f"{HEADER}: {name} must be a number.") from None
            if name == "retry_after":
                retry_after = parsed
            else:
                latency = int(parsed)
        elif name in ("", "none"):
            continue
        elif name in kinds:
            kind = name
        else:
            raise FaultConfigError(f"Unknown sandbox fault {token!r}; known: {', '.join(kinds)}.")
    latency, _, retry_after = _validate(latency, {}, retry_after)
    return Fault(kind=kind, latency_ms=latency, retry_after=retry_after)


def draw_fault(service: str, header: str | None = None) -> Fault:
    """The fault for one request: from the header if there is one, else from the stored configuration."""
    if header is not None:
        return parse_header(header, kinds_for(service))
    config = get_faults(service)
    if config is None:
        return NO_FAULT
    kind = None
    if config.rates:
        if config.seed is not None:
            n = get_redis().incr(_counter_key(service))
            draw = seeded_draw(config.seed, n)
        else:
            draw = random.random()
        kind = pick_kind(config.rates, draw, kinds_for(service))
    return Fault(kind=kind, latency_ms=config.latency_ms, retry_after=config.retry_after)
