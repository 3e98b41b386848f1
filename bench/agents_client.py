"""Client overhead of OpenRouterProvider.complete(): `python -m bench.agents_client [--n 200] [--latency-ms 20]`.

Starts a web server of its own (gunicorn with one sync worker, as in the Procfile, on a free port),
waits for /healthz, then times N `OpenRouterProvider.complete()` calls against the OpenRouter sandbox
with an injected latency (`X-Sandbox-Fault: latency=<ms>`). The sandbox reports its own handling
time (incl. the injected latency) in `X-Sandbox-Duration-Ms`; client overhead per call is the
client's wall time minus that: schema derivation, body encoding, HTTP over loopback, the server's
WSGI and middleware stack, response parsing. As a same-run baseline it also measures the round trip
of the trivial /healthz view. The server is stopped and the sandbox log rows it wrote are deleted
at the end.

Why not `manage.py runserver`: its wsgiref server writes headers and body in separate packets
without TCP_NODELAY, so on a kept-alive connection every response waits ~40 ms for a delayed ACK
(Nagle); that measures the dev server, not the client. gunicorn sets TCP_NODELAY.

`measure_client_overhead(base_url, n)` is importable (base_url: the OpenRouter API base, e.g.
`http://127.0.0.1:8000/sandbox/openrouter/api/v1`).
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

from bench.common import emit, p95_ms, setup_django

BENCH = "agents"
BENCH_KEY = "sk-or-bench-agents-client-4c1f0a9e7b"
DURATION_HEADER = "X-Sandbox-Duration-Ms"
ROOT = Path(__file__).resolve().parent.parent


class _ServerTiming(httpx.HTTPTransport):
    """Remembers the sandbox's own handling time of every response."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.durations_ms: list[float] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        self.durations_ms.append(float(response.headers.get(DURATION_HEADER, "nan")))
        return response


def _request(i: int):
    from pydantic import BaseModel, Field

    from apps.ai.types import LLMRequest, Message

    class BenchIdea(BaseModel):
        hook: str = Field(min_length=3, max_length=120)
        caption: str
        hashtags: list[str] = Field(min_length=1, max_length=5)
        confidence: float = Field(ge=0, le=1)
        rationale: str

    return LLMRequest(
        agent="bench_idea",
        messages=(
            Message("system", "You write short-video ideas as JSON."),
            Message("user", f"Idea number {i} for a coffee brand."),
        ),
        output_model=BenchIdea,
        model="openai/gpt-5-mini",
        fallback_models=("anthropic/claude-haiku-4.5",),
        max_tokens=800,
    )


def measure_client_overhead(
    base_url: str, n: int = 200, *, latency_ms: int = 20, warmup: int = 10, api_key: str = BENCH_KEY
) -> dict:
    """Time `n` provider calls against the sandbox at `base_url`; p95s in milliseconds.

    Needs Django set up (settings) in this process; the server needs nothing but the sandbox.
    """
    from apps.ai.providers.openrouter import OpenRouterProvider

    timing = _ServerTiming()
    headers = {"X-Sandbox-Fault": f"latency={latency_ms}"}
    requests = [_request(i) for i in range(n)]
    with OpenRouterProvider(api_key, base_url=base_url, timeout=30, headers=headers, transport=timing) as provider:
        for request in requests[: max(1, warmup)]:
            provider.complete(request)
        timing.durations_ms.clear()
        wall_s: list[float] = []
        for request in requests:
            started = time.perf_counter()
            provider.complete(request)
            wall_s.append(time.perf_counter() - started)
    server_s = [d / 1000 for d in timing.durations_ms]
    if len(server_s) != len(wall_s) or any(d != d for d in server_s):  # NaN: header missing
        raise RuntimeError(f"The sandbox did not report {DURATION_HEADER} on every response.")
    overhead_s = [wall - server for wall, server in zip(wall_s, server_s, strict=True)]
    return {
        "n": n,
        "latency_ms": latency_ms,
        "client_wall_p95_ms": p95_ms(wall_s),
        "sandbox_server_p95_ms": p95_ms(server_s),
        "client_overhead_p95_ms": p95_ms(overhead_s),
        "client_overhead_median_ms": statistics.median(overhead_s) * 1000,
    }


def measure_trivial_roundtrip(server_url: str, n: int = 200) -> float:
    """p95 (ms) of GET /healthz over one keep-alive connection: the same-run baseline."""
    with httpx.Client(base_url=server_url, timeout=10) as client:
        for _ in range(10):
            client.get("/healthz")
        samples = []
        for _ in range(n):
            started = time.perf_counter()
            client.get("/healthz").raise_for_status()
            samples.append(time.perf_counter() - started)
    return p95_ms(samples)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, timeout_s: float = 40, *, extra_args: tuple[str, ...] = ()) -> subprocess.Popen:
    """gunicorn (one sync worker unless `extra_args` say otherwise) on 127.0.0.1:<port>, returned once
    /healthz answers."""
    env = {**os.environ, "VF_BASE_URL": f"http://127.0.0.1:{port}", "DJANGO_SETTINGS_MODULE": "viralforge.settings"}
    log = tempfile.TemporaryFile()  # the request log; a pipe nobody reads would fill up and block the server
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "viralforge.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            *extra_args,
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    process.log = log  # type: ignore[attr-defined]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            error = log.read().decode(errors="replace")[-2000:]
            log.close()
            raise RuntimeError(f"The web server exited with {process.returncode}: {error}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    stop_server(process)
    raise RuntimeError(f"The web server did not answer /healthz within {timeout_s:.0f} s.")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
    log = getattr(process, "log", None)
    if log is not None and not log.closed:
        log.close()


@contextmanager
def openrouter_sandbox(port: int, latency_ms: int):
    """Point OpenRouter at the stand-in served on `port`, `latency_ms` per call; afterwards the
    previous base URL and fault configuration come back and the pooled providers are closed."""
    from django.conf import settings

    from apps.ai import routing
    from apps.sandbox import faults

    previous_base, previous_faults = settings.OPENROUTER_BASE_URL, faults.get_faults("openrouter")
    settings.OPENROUTER_BASE_URL = f"http://127.0.0.1:{port}/sandbox/openrouter/api/v1"
    faults.set_faults("openrouter", latency_ms=latency_ms, ttl_seconds=900)
    try:
        yield
    finally:
        if previous_faults is not None:
            faults.set_faults(
                "openrouter",
                latency_ms=previous_faults.latency_ms,
                rates=previous_faults.rates,
                retry_after=previous_faults.retry_after,
                seed=previous_faults.seed,
            )
        else:
            faults.clear_faults("openrouter")
        settings.OPENROUTER_BASE_URL = previous_base
        routing.close_pooled_providers()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200, help="timed provider calls")
    parser.add_argument("--latency-ms", type=int, default=20, help="latency the sandbox injects per call")
    args = parser.parse_args()
    setup_django()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request otherwise

    from django.core.management import call_command

    from apps.sandbox.log import digest
    from apps.sandbox.models import SandboxCall

    call_command("migrate", "sandbox", verbosity=0, interactive=False)  # the server logs every call
    port = _free_port()
    server_url = f"http://127.0.0.1:{port}"
    process = start_server(port)
    try:
        result = measure_client_overhead(f"{server_url}/sandbox/openrouter/api/v1", args.n, latency_ms=args.latency_ms)
        trivial = measure_trivial_roundtrip(server_url, args.n)
    finally:
        stop_server(process)
        SandboxCall.objects.filter(auth_digest=digest(f"Bearer {BENCH_KEY}")).delete()

    emit(BENCH, "healthz_roundtrip_p95_ms", trivial, "ms")
    emit(BENCH, "client_wall_p95_ms", result["client_wall_p95_ms"], "ms")
    emit(BENCH, "sandbox_server_p95_ms", result["sandbox_server_p95_ms"], "ms")
    emit(BENCH, "client_overhead_median_ms", result["client_overhead_median_ms"], "ms")
    emit(BENCH, "client_overhead_ratio_to_healthz", result["client_overhead_p95_ms"] / trivial, "ratio")
    emit(BENCH, "client_overhead_p95_ms", result["client_overhead_p95_ms"], "ms", target=15, better="lower")


if __name__ == "__main__":
    main()
