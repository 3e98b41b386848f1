"""AI agents: `python -m bench.agents [--calls N] [--offline-calls N] [--client-calls N] [--skip-client]`.

Three figures, each with a same-run baseline:

- `offline_call_p95_ms` (target 50): the offline provider alone, every agent in German and
  English with realistic contexts (`bench.agents_offline.measure_offline`; baseline: validating
  the same answers against their contracts).
- `orchestrator_offline_p95_ms` (target 150): the whole `run_agent` path with the offline
  provider and the cache off: routing, prompt composition, quota reservation and release, the
  provider call, validation and the AIDecision row, in a throwaway organization whose rows are
  rolled back at the end. Reported also as a ratio to the bare provider call measured above.
- `client_overhead_p95_ms` (target 15): OpenRouterProvider.complete() against the sandbox on a
  server of its own, minus the sandbox's own handling time (`bench.agents_client`).
"""

import argparse
import logging
import sys
import time
import uuid

from bench.common import emit, median_ms, p95_ms, setup_django

BENCH = "agents"


class _Rollback(Exception):
    pass


def measure_orchestrator_offline(n: int = 300) -> dict:
    """p95/median (ms) of `n` run_agent calls with the offline provider, cache off; rolled back."""
    from django.db import transaction

    from apps.ai.contracts import AGENTS
    from apps.ai.orchestrator import run_agent
    from apps.orgs.models import Organization
    from apps.projects.models import Project
    from bench.agents_offline import BRAND, BRIEF, KNOWLEDGE, TOPICS

    agents = sorted(AGENTS)
    samples: list[float] = []
    outcomes: dict[str, int] = {}
    try:
        with transaction.atomic():
            tag = uuid.uuid4().hex[:8]
            org = Organization.objects.create(name=f"Bench {tag}", slug=f"bench-agents-{tag}")
            project = Project.objects.create(organization=org, name="Alpenglow", slug="alpenglow", language="de")

            def call(i: int):
                agent = agents[i % len(agents)]
                inputs = {"brief": f"{BRIEF} ({i})", "brand": BRAND, "topics": TOPICS}
                return run_agent(org, agent, inputs, project=project, knowledge=KNOWLEDGE, seed=i, cache=False)

            for i in range(len(agents) * 2):  # warm-up: prompts, schemas, pooled objects
                call(100_000 + i)
            for i in range(n):
                start = time.perf_counter()
                result = call(i)
                samples.append(time.perf_counter() - start)
                outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
            raise _Rollback
    except _Rollback:
        pass
    return {"calls": n, "p95_ms": p95_ms(samples), "median_ms": median_ms(samples), "outcomes": outcomes}


def measure_offline_provider(n: int) -> dict:
    try:
        from bench.agents_offline import measure_offline
    except ImportError:  # pragma: no cover - the bare provider with a minimal context instead
        from apps.ai.contracts import AGENTS
        from apps.ai.offline import OfflineProvider
        from apps.ai.types import LLMRequest, Message

        provider, specs, samples = OfflineProvider(), list(AGENTS.values()), []
        for i in range(n):
            spec = specs[i % len(specs)]
            request = LLMRequest(spec.key, (Message("user", "bench"),), spec.output_model, seed=i, context={})
            start = time.perf_counter()
            provider.complete(request)
            samples.append(time.perf_counter() - start)
        return {"p95_ms": p95_ms(samples), "median_ms": median_ms(samples)}
    return measure_offline(n)


def measure_client(n: int) -> dict | None:
    """The OpenRouter client overhead (bench.agents_client) on a server of its own, or None."""
    try:
        from bench.agents_client import (
            BENCH_KEY,
            _free_port,
            measure_client_overhead,
            start_server,
            stop_server,
        )
    except ImportError as exc:
        print(
            f"bench.agents: client_overhead_p95_ms skipped, bench/agents_client.py is missing ({exc}).", file=sys.stderr
        )
        return None
    from apps.sandbox.log import digest
    from apps.sandbox.models import SandboxCall

    port = _free_port()
    process = start_server(port)
    try:
        return measure_client_overhead(f"http://127.0.0.1:{port}/sandbox/openrouter/api/v1", n)
    finally:
        stop_server(process)
        SandboxCall.objects.filter(auth_digest=digest(f"Bearer {BENCH_KEY}")).delete()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300, help="run_agent calls (offline, cache off)")
    parser.add_argument("--offline-calls", type=int, default=500, help="bare offline provider calls")
    parser.add_argument("--client-calls", type=int, default=200, help="OpenRouter client calls against the sandbox")
    parser.add_argument("--skip-client", action="store_true", help="do not start a server for the client overhead")
    args = parser.parse_args()
    setup_django()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("viralforge").setLevel(logging.WARNING)

    offline = measure_offline_provider(args.offline_calls)
    orchestrator = measure_orchestrator_offline(args.calls)
    client = None if args.skip_client else measure_client(args.client_calls)

    emit(BENCH, "offline_call_median_ms", offline["median_ms"], "ms")
    emit(BENCH, "offline_call_p95_ms", offline["p95_ms"], "ms", target=50, better="lower")
    emit(BENCH, "orchestrator_offline_median_ms", orchestrator["median_ms"], "ms")
    emit(
        BENCH,
        "orchestrator_offline_ratio_to_offline_call",
        orchestrator["p95_ms"] / max(offline["p95_ms"], 1e-6),
        "ratio",
    )
    emit(BENCH, "orchestrator_offline_p95_ms", orchestrator["p95_ms"], "ms", target=150, better="lower")
    if client is None:
        if not args.skip_client:
            print("bench.agents: no client_overhead_p95_ms (see the message above).", file=sys.stderr)
        return
    emit(BENCH, "client_overhead_p95_ms", client["client_overhead_p95_ms"], "ms", target=15, better="lower")


if __name__ == "__main__":
    main()
