"""Month plan end to end: `python -m bench.plan [--skip-llm] [--latency-ms 1000] [--concurrency N]`.

Two runs, each a full month (June 2027: 30 days × 3 slots = 90 posts) requested the way the
"Generate" button does it (`do_request_month_plan`) and timed until the plan is ready, through a
real Dramatiq worker started in this process on the development broker (embedded Redis):

- `plan_offline_s` (target 10): the offline provider.
- `plan_llm_1s_latency_s` (target 60): OpenRouter routes for every agent, answered by the
  OpenRouter sandbox of a web server started here (gunicorn, threaded, on a free port) with
  1 s of injected latency per call (`apps.sandbox.faults`, restored afterwards). The plan's
  independent calls run `VF_PLAN_CONCURRENCY` at a time.

Same-run baselines: the median of one offline agent call (`plan_offline_ratio_to_agent_call`)
and the number of LLM calls with the sequential time they would take (`plan_llm_calls`,
`plan_llm_parallel_speedup`). A throwaway organization, its user, the sandbox log rows and the
fault configuration are removed at the end. Note: a `make run` worker on the same broker may
pick up the job as well; stop it for clean numbers.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import subprocess
import time
import uuid
from datetime import date
from pathlib import Path

from bench.common import emit, setup_django

BENCH = "plan"
MONTH = date(2027, 6, 1)
ROOT = Path(__file__).resolve().parent.parent
PLAN_AGENTS = ("research", "trend_format", "creative_director", "script", "prompt_engineer", "qa_judge")


def start_threaded_server(port: int, threads: int) -> subprocess.Popen:
    """One gthread worker with `threads` threads: the sandbox must answer the plan's parallel calls in parallel."""
    from bench.agents_client import start_server

    return start_server(port, extra_args=("--worker-class", "gthread", "--threads", str(threads), "--timeout", "120"))


def _setup(tag: str):
    from apps.accounts.models import User
    from apps.billing.testing import subscribe
    from apps.orgs.models import Membership, Organization
    from apps.orgs.roles import Role

    org = Organization.objects.create(name=f"Bench plan {tag}", slug=f"bench-plan-{tag}")
    user = User.objects.create_user(email=f"bench-plan-{tag}@bench.invalid", password=uuid.uuid4().hex)
    membership = Membership.objects.create(organization=org, user=user, role=Role.OWNER)
    subscribe(org, posts_per_month=1_000_000, monthly_tokens=10_000_000_000, allows_managed_keys=False)
    return org, user, membership


def _project(org, slug: str):
    from apps.projects.models import Project

    return Project.objects.create(
        organization=org,
        name="Alpenglow Coffee",
        slug=slug,
        language="de",
        audience="Kaffeeliebhaber zwischen 20 und 40 in der Stadt",
        cta="Folge uns für mehr Kaffeewissen",
        hashtags=["#alpenglowcoffee"],
        topics=["Kaffee", "Espresso", "Filterkaffee", "Latte Art", "Kaffeebohnen", "Milchschaum"],
        content_pillars=["Barista-Tipps", "Hinter den Kulissen", "Röstung", "Rezepte"],
        target_platforms=["tiktok", "instagram"],
    )


def _run_plan(membership, project, timeout_s: float) -> tuple[float, object]:
    """Request the month plan like the Generate button and wait until it is ready (or failed)."""
    from django.db import transaction

    from apps.planning import plan_actions
    from apps.planning.models import ContentPlan, PlanStatus

    started = time.perf_counter()
    with transaction.atomic():
        plan = plan_actions.do_request_month_plan(membership, project, MONTH, language="en")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        current = ContentPlan.objects.for_org(project.organization).filter(id=plan.id).values("status", "error")[0]
        if current["status"] == PlanStatus.READY:
            return time.perf_counter() - started, plan
        if current["status"] == PlanStatus.FAILED:
            raise RuntimeError(f"The plan failed: {current['error']}")
        time.sleep(0.05)
    raise RuntimeError(f"The plan was not ready within {timeout_s:.0f} s.")


def _agent_call_baseline(org, project, n: int = 15) -> float:
    from apps.ai.offline import OfflineProvider
    from apps.ai.orchestrator import run_agent

    provider = OfflineProvider()
    concept = {"hook": "3 Fehler beim Espresso", "format": "Tutorial", "pillar": "Espresso", "beats": ["a", "b"]}
    samples = []
    for i in range(n):
        started = time.perf_counter()
        run_agent(org, "script", {"concept": concept}, project=project, seed=i, provider=provider, cache=False)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples[3:])


def _posts(plan) -> int:
    from apps.planning.models import ContentPlan, PlanStatus

    ready = ContentPlan.objects.for_org(plan.organization_id).get(
        project=plan.project_id, month=MONTH, status=PlanStatus.READY
    )
    return ready.posts.count()


def _llm_run(org, membership, latency_ms: int, threads: int) -> dict:

    from apps.ai.actions import do_save_agent_route
    from apps.ai.models import AIDecision
    from apps.credentials.actions import do_add_credential
    from bench.agents_client import _free_port, openrouter_sandbox, stop_server

    key = f"sk-or-bench-plan-{uuid.uuid4().hex}"
    do_add_credential(org, provider="openrouter", secret=key, label="bench")
    project = _project(org, "alpenglow-llm")
    for agent in PLAN_AGENTS:
        do_save_agent_route(org, agent, project=project, provider="openrouter", model="openai/gpt-5-mini")
    port = _free_port()
    process = start_threaded_server(port, threads)
    try:
        with openrouter_sandbox(port, latency_ms):
            seconds, plan = _run_plan(membership, project, timeout_s=600)
    finally:
        stop_server(process)
        _delete_sandbox_log(key)
    decisions = AIDecision.objects.for_org(org).filter(project=project)
    calls = sum(decisions.values_list("attempts", flat=True))
    providers = set(decisions.values_list("provider", flat=True))
    if providers != {"openrouter"}:
        raise RuntimeError(f"Expected only OpenRouter calls, got {providers}.")
    return {"seconds": seconds, "calls": calls, "posts": _posts(plan)}


def _delete_sandbox_log(key: str) -> None:
    from apps.sandbox.log import digest
    from apps.sandbox.models import SandboxCall

    SandboxCall.objects.filter(auth_digest=digest(f"Bearer {key}")).delete()


def _cleanup(org, user) -> None:
    from apps.ai.models import SimilarityEntry

    SimilarityEntry.objects.filter(organization=org).delete()
    org.delete()
    user.delete()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-llm", action="store_true", help="only the offline run")
    parser.add_argument("--latency-ms", type=int, default=1000, help="latency the sandbox LLM adds per call")
    parser.add_argument("--concurrency", type=int, default=None, help="VF_PLAN_CONCURRENCY for this run")
    parser.add_argument("--server-threads", type=int, default=32, help="threads of the sandbox web server")
    args = parser.parse_args()
    setup_django()
    for name in ("httpx", "viralforge", "dramatiq", "django"):
        logging.getLogger(name).setLevel(logging.WARNING)

    import dramatiq
    from django.conf import settings

    if args.concurrency:
        settings.VF_PLAN_CONCURRENCY = args.concurrency
    tag = uuid.uuid4().hex[:10]
    org, user, membership = _setup(tag)
    worker = dramatiq.Worker(dramatiq.get_broker(), worker_threads=2, worker_timeout=100)
    worker.start()
    try:
        project = _project(org, "alpenglow")
        baseline = _agent_call_baseline(org, project)
        offline_s, plan = _run_plan(membership, project, timeout_s=300)
        posts = _posts(plan)
        llm = None if args.skip_llm else _llm_run(org, membership, args.latency_ms, args.server_threads)
    finally:
        worker.stop()
        _cleanup(org, user)

    emit(BENCH, "plan_offline_posts", posts, "count", better="higher")
    emit(BENCH, "agent_call_offline_median_ms", baseline * 1000, "ms")
    emit(BENCH, "plan_offline_ratio_to_agent_call", offline_s / baseline, "ratio")
    emit(BENCH, "plan_offline_s", offline_s, "s", target=8, better="lower")
    if llm is not None:
        sequential = llm["calls"] * args.latency_ms / 1000
        emit(BENCH, "plan_llm_posts", llm["posts"], "count", better="higher")
        emit(BENCH, "plan_llm_calls", llm["calls"], "count")
        emit(BENCH, "plan_llm_parallel_speedup", sequential / llm["seconds"], "ratio", better="higher")
        emit(BENCH, "plan_llm_1s_latency_s", llm["seconds"], "s", target=60, better="lower")


if __name__ == "__main__":
    main()
