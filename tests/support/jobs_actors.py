"""Dramatiq actors used only by the job tests (tests/test_jobs_*.py).

They run in the in-process `worker` fixture, so plain module state is enough to
steer them and to count how often their bodies really ran.
"""

import logging
import threading
import time
from collections import Counter

import dramatiq
import pytest

from apps.jobs.models import JobRun, JobStatus
from apps.jobs.progress import report_progress

logger = logging.getLogger("viralforge.jobs.tests")

QUEUE = "default"
calls: Counter = Counter()  # token → how many times the actor body started
broken: set[str] = set()  # tokens for which `switchable` raises
gates: dict[str, threading.Event] = {}  # token → event `gated` waits for before finishing
_lock = threading.Lock()


def reset() -> None:
    with _lock:
        calls.clear()
        broken.clear()
        gates.clear()


def _count(token: str) -> int:
    with _lock:
        calls[token] += 1
        return calls[token]


def wait_for_run(job_run_id, *statuses: str, timeout: float = 20.0, **fields) -> JobRun:
    """Poll the database until the run has one of `statuses` (and the given field values)."""
    deadline = time.monotonic() + timeout
    while True:
        run = JobRun.objects.unscoped().get(id=job_run_id)
        if run.status in statuses and all(getattr(run, k) == v for k, v in fields.items()):
            return run
        if time.monotonic() > deadline:
            pytest.fail(
                f"job {job_run_id} stuck at {run.status} {run.progress}% {run.step!r}, wanted {statuses} {fields}"
            )
        time.sleep(0.05)


def dead_switchable_run(org, token: str, **fields) -> JobRun:
    """A dead-lettered run of `switchable` (the state re-queue starts from)."""
    return JobRun.objects.create(
        organization=org,
        kind="vf_test_switchable",
        actor_name="vf_test_switchable",
        payload={"token": token},
        status=JobStatus.DEAD,
        **fields,
    )


class JobTestFailure(Exception):
    pass


@dramatiq.actor(actor_name="vf_test_succeed", queue_name=QUEUE)
def succeed(token: str) -> None:
    _count(token)
    logger.info("test actor ran for %s", token)


@dramatiq.actor(actor_name="vf_test_fail_times", queue_name=QUEUE)
def fail_times(token: str, failures: int) -> None:
    """Fails the first `failures` attempts for `token`, then succeeds."""
    attempt = _count(token)
    if attempt <= failures:
        raise JobTestFailure(f"attempt {attempt} of {token} failed on purpose")


@dramatiq.actor(actor_name="vf_test_switchable", queue_name=QUEUE)
def switchable(token: str) -> None:
    _count(token)
    logger.info("switchable actor ran for %s", token)
    if token in broken:
        raise JobTestFailure(f"{token} is broken")


@dramatiq.actor(actor_name="vf_test_gated", queue_name=QUEUE)
def gated(token: str) -> None:
    """Reports progress, then waits until the test has looked at it."""
    _count(token)
    report_progress(40, "rendering")
    report_progress(25, "going backwards")  # progress never moves back
    gates[token].wait(timeout=15)
