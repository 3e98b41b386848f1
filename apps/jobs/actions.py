"""Writes for jobs: enqueue with a JobRun, re-queue from the dead-letter list."""

import logging

import dramatiq
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.jobs.models import JobRun, JobStatus
from viralforge.request_id import get_request_id

logger = logging.getLogger("viralforge.jobs")


class JobRuleError(Exception):
    pass


def do_enqueue_job(actor: dramatiq.Actor, *, organization=None, target: str = "", kind: str = "", **kwargs) -> JobRun:
    """Record a JobRun and send the actor its message once the transaction commits.

    `kwargs` are the actor's keyword arguments: ids and plain values only.
    """
    job = JobRun.objects.create(
        organization=organization,
        kind=kind or actor.actor_name,
        actor_name=actor.actor_name,
        queue_name=actor.queue_name,
        target=target,
        payload=kwargs,
        request_id=get_request_id() or "",
    )
    transaction.on_commit(lambda: send_job_message(job.id))
    return job


def send_job_message(job_run_id) -> None:
    """Hand the job to the broker. Runs after commit, so a failure here must not escape into the
    request (the data is saved already): the run goes to the dead-letter list, where it can be re-queued."""
    job = JobRun.objects.unscoped().get(id=job_run_id)
    try:
        actor = dramatiq.get_broker().get_actor(job.actor_name)
        message = actor.send_with_options(kwargs=job.payload, job_run_id=str(job.id), request_id=job.request_id or None)
    except Exception as exc:  # broker down, actor renamed or removed: whatever it is, the job did not start
        logger.exception("Could not queue job %s.", job.id)
        JobRun.objects.unscoped().filter(id=job.id).update(
            status=JobStatus.DEAD,
            finished_at=timezone.now(),
            last_error=(_("Could not queue the job: %(error)s") % {"error": f"{type(exc).__name__}: {exc}"})[:2000],
        )
        return
    JobRun.objects.unscoped().filter(id=job.id).update(message_id=message.message_id)


@transaction.atomic
def do_requeue_job(job: JobRun) -> JobRun:
    job = JobRun.objects.unscoped().select_for_update().get(id=job.id)
    if job.status != JobStatus.DEAD:
        raise JobRuleError(_("Only failed jobs can be re-queued."))
    job.status = JobStatus.QUEUED
    job.progress = 0
    job.step = ""
    job.finished_at = None
    job.requeued_count += 1
    job.request_id = get_request_id() or job.request_id
    job.save(update_fields=["status", "progress", "step", "finished_at", "requeued_count", "request_id"])
    transaction.on_commit(lambda: send_job_message(job.id))
    return job
