"""Jobs through a real Dramatiq worker on the real Redis: JobRun bookkeeping, retries, dead letters."""

import threading
import time
import uuid

import dramatiq
import pytest
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from apps.jobs import heartbeat
from apps.jobs.actions import do_enqueue_job
from apps.jobs.middleware import ConfiguredRetries
from apps.jobs.models import JobRun, JobStatus
from tests.support import jobs_actors as actors
from tests.support.jobs_actors import wait_for_run
from viralforge.redis import get_redis, key


@pytest.fixture(autouse=True)
def _reset_actors():
    actors.reset()
    yield
    for gate in actors.gates.values():
        gate.set()  # never leave a worker thread waiting
    actors.reset()


def token() -> str:
    return uuid.uuid4().hex


def test_retry_limits_come_from_settings(broker):
    retries = next(m for m in broker.middleware if isinstance(m, ConfiguredRetries))
    assert (retries.max_retries, retries.min_backoff, retries.max_backoff) == (2, 20, 200)
    assert settings.VF_JOB_MAX_RETRIES == 2


def test_job_goes_from_queued_to_succeeded(org, worker):
    t = token()
    with transaction.atomic():
        job = do_enqueue_job(actors.succeed, organization=org, target="post:1", token=t)
        # Nothing is sent before the transaction commits, so the worker cannot have seen it.
        assert JobRun.objects.for_org(org).get(id=job.id).status == JobStatus.QUEUED
    run = wait_for_run(job.id, JobStatus.SUCCEEDED, JobStatus.DEAD)
    assert run.status == JobStatus.SUCCEEDED
    assert (run.progress, run.attempts, run.last_error) == (100, 1, "")
    assert run.kind == run.actor_name == "vf_test_succeed"
    assert run.payload == {"token": t}
    assert run.message_id
    assert run.started_at is not None and run.finished_at >= run.started_at
    assert actors.calls[t] == 1


def test_report_progress_moves_progress_and_step(org, worker):
    t = token()
    actors.gates[t] = threading.Event()
    job = do_enqueue_job(actors.gated, organization=org, token=t)
    # The actor reported 40 then 25: the bar stays at 40, the step is the latest one.
    run = wait_for_run(job.id, JobStatus.RUNNING, step="going backwards")
    assert run.progress == 40
    assert run.attempts == 1
    actors.gates[t].set()
    run = wait_for_run(job.id, JobStatus.SUCCEEDED)
    assert run.progress == 100


def test_failing_job_retries_then_lands_in_dead_letters(org, worker):
    t = token()
    job = do_enqueue_job(actors.fail_times, organization=org, token=t, failures=99)
    run = wait_for_run(job.id, JobStatus.DEAD)
    assert run.attempts == settings.VF_JOB_MAX_RETRIES + 1 == 3
    assert actors.calls[t] == 3
    assert "JobTestFailure" in run.last_error
    assert "attempt 3" in run.last_error
    assert run.finished_at is not None
    assert run.progress < 100


def test_job_that_fails_once_then_succeeds(org, worker):
    t = token()
    job = do_enqueue_job(actors.fail_times, organization=org, token=t, failures=1)
    run = wait_for_run(job.id, JobStatus.SUCCEEDED, JobStatus.DEAD)
    assert run.status == JobStatus.SUCCEEDED
    assert run.attempts == 2
    assert run.last_error == ""  # the earlier failure no longer describes the job
    assert actors.calls[t] == 2


def test_redelivered_message_for_finished_job_is_skipped(org, broker, worker):
    t = token()
    job = do_enqueue_job(actors.succeed, organization=org, token=t)
    run = wait_for_run(job.id, JobStatus.SUCCEEDED)
    assert actors.calls[t] == 1

    # The broker hands the same message out again (e.g. a worker died before acking it).
    redelivered = dramatiq.Message(
        queue_name=actors.QUEUE,
        actor_name="vf_test_succeed",
        args=(),
        kwargs={"token": t},
        options={"job_run_id": str(job.id)},
        message_id=run.message_id,
    )
    broker.enqueue(redelivered)
    broker.join(actors.QUEUE, timeout=10_000)
    worker.join()

    assert actors.calls[t] == 1
    again = JobRun.objects.unscoped().get(id=job.id)
    assert (again.status, again.attempts, again.finished_at) == (JobStatus.SUCCEEDED, 1, run.finished_at)


def test_dead_job_requeued_by_owner_runs_again(org, owner, client_for, worker):
    t = token()
    actors.broken.add(t)
    job = do_enqueue_job(actors.switchable, organization=org, token=t)
    wait_for_run(job.id, JobStatus.DEAD)
    assert actors.calls[t] == 3

    actors.broken.discard(t)  # the cause is fixed
    worker.pause()
    try:
        response = client_for(owner).post(reverse("job_requeue", args=[org.slug, job.id]))
        assert response.status_code == 302
        assert response["Location"] == reverse("job_queue", args=[org.slug])
        run = JobRun.objects.for_org(org).get(id=job.id)
        assert (run.status, run.progress, run.requeued_count) == (JobStatus.QUEUED, 0, 1)
    finally:
        worker.resume()

    run = wait_for_run(job.id, JobStatus.SUCCEEDED, JobStatus.DEAD)
    assert run.status == JobStatus.SUCCEEDED
    assert run.attempts == 4
    assert run.last_error == ""
    assert actors.calls[t] == 4


def test_admin_requeue_over_htmx_runs_the_job(org, admin_user, client_for, worker):
    t = token()
    job = actors.dead_switchable_run(org, t, attempts=3, last_error="JobTestFailure: boom")
    response = client_for(admin_user).post(
        reverse("job_requeue", args=[org.slug, job.id]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'id="job-table"' in response.content
    assert b"Job re-queued." in response.content  # out-of-band message
    run = wait_for_run(job.id, JobStatus.SUCCEEDED)
    assert (run.attempts, run.requeued_count, run.progress) == (4, 1, 100)
    assert actors.calls[t] == 1


@pytest.fixture
def no_heartbeats():
    get_redis().delete(key(heartbeat._HASH))
    assert heartbeat.newest_heartbeat_age() is None


def test_worker_boot_writes_a_heartbeat(no_heartbeats, worker):
    deadline = time.monotonic() + 5
    while heartbeat.newest_heartbeat_age() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    age = heartbeat.newest_heartbeat_age()
    assert age is not None and age < 5
    assert heartbeat.worker_is_alive()
    names = {name.decode() for name in get_redis().hkeys(key(heartbeat._HASH))}
    assert heartbeat.worker_identity() in names
