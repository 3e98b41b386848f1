"""Dramatiq middleware: request ids, JobRun bookkeeping and worker heartbeats."""

import logging
import threading

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone
from dramatiq.middleware import Middleware, Retries, SkipMessage, TimeLimit

from viralforge.request_id import reset_request_id, set_request_id

logger = logging.getLogger("viralforge.jobs")
_local = threading.local()


class RequestIdMiddleware(Middleware):
    """Carries the web request's id into the job so its log lines can be traced back."""

    def before_enqueue(self, broker, message, delay):
        from viralforge.request_id import get_request_id

        if not message.options.get("request_id"):
            request_id = get_request_id()
            if request_id:
                message.options["request_id"] = request_id

    def before_process_message(self, broker, message):
        _local.request_id_token = set_request_id(message.options.get("request_id") or f"job-{message.message_id}")

    def after_process_message(self, broker, message, *, result=None, exception=None):
        token = getattr(_local, "request_id_token", None)
        if token is not None:
            reset_request_id(token)
            _local.request_id_token = None

    after_skip_message = after_process_message


def _error_text(exception: BaseException) -> str:
    return f"{type(exception).__name__}: {exception}"[:2000]


class JobRunMiddleware(Middleware):
    """Keeps the JobRun row in step with its message: running, retrying, succeeded or dead."""

    def before_process_message(self, broker, message):
        from django.db.models import F

        from apps.jobs.models import JobRun, JobStatus
        from apps.jobs.progress import current_job_run_id

        job_run_id = message.options.get("job_run_id")
        if not job_run_id:
            return
        close_old_connections()
        runs = JobRun.objects.unscoped().filter(id=job_run_id)
        if not runs.exclude(status=JobStatus.SUCCEEDED).exists():
            # Already done (a redelivered message) or deleted with its organization: nothing to repeat.
            logger.info("Skipping job %s: already finished or gone.", job_run_id)
            raise SkipMessage()
        runs.update(
            status=JobStatus.RUNNING,
            attempts=F("attempts") + 1,
            message_id=message.message_id,
            started_at=timezone.now(),
            finished_at=None,
        )
        _local.job_token = current_job_run_id.set(job_run_id)
        logger.info("Job %s started (%s).", job_run_id, message.actor_name)

    def after_process_message(self, broker, message, *, result=None, exception=None):
        from apps.jobs.models import JobRun, JobStatus
        from apps.jobs.progress import current_job_run_id

        job_run_id = message.options.get("job_run_id")
        if not job_run_id:
            return
        token = getattr(_local, "job_token", None)
        if token is not None:
            current_job_run_id.reset(token)
            _local.job_token = None
        runs = JobRun.objects.unscoped().filter(id=job_run_id)
        if exception is None:
            runs.update(status=JobStatus.SUCCEEDED, progress=100, finished_at=timezone.now(), last_error="")
            logger.info("Job %s succeeded.", job_run_id)
            return
        # Dramatiq runs "after" hooks in reverse order, so this runs *before* Retries decides whether
        # to try again. When it gives up it fails the message, and `after_nack` marks the run dead.
        update = {"last_error": _error_text(exception)}
        if not message.failed:
            update["status"] = JobStatus.RETRYING
        runs.exclude(status=JobStatus.SUCCEEDED).update(**update)
        logger.warning("Job %s failed: %s", job_run_id, update["last_error"])

    def after_nack(self, broker, message):
        """The message went to the dead-letter queue: retries exhausted, aborted, or too old."""
        from apps.jobs.models import JobRun, JobStatus

        job_run_id = message.options.get("job_run_id")
        if not job_run_id:
            return
        # A stale copy of a finished job must not turn it back into a failure.
        JobRun.objects.unscoped().filter(id=job_run_id).exclude(status=JobStatus.SUCCEEDED).update(
            status=JobStatus.DEAD, finished_at=timezone.now()
        )
        # RequestIdMiddleware has already let go of the id by now; this line must carry it too.
        token = set_request_id(message.options.get("request_id") or f"job-{message.message_id}")
        try:
            logger.error("Job %s failed for good and is in the dead-letter list.", job_run_id)
        finally:
            reset_request_id(token)


class WorkerHeartbeatMiddleware(Middleware):
    """Each worker process beats into Redis so /readyz knows a worker is alive."""

    def after_worker_boot(self, broker, worker):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="viralforge-heartbeat", daemon=True)
        self._thread.start()

    def _beat(self):
        from apps.jobs.heartbeat import record_worker_heartbeat

        while not self._stop.is_set():
            try:
                record_worker_heartbeat()
            except Exception:  # a Redis hiccup must not kill the worker; /readyz will notice
                logger.warning("Could not record the worker heartbeat.", exc_info=True)
            self._stop.wait(settings.VF_WORKER_HEARTBEAT_SECONDS)

    def before_worker_shutdown(self, broker, worker):
        stop = getattr(self, "_stop", None)
        if stop is not None:
            stop.set()


class ConfiguredRetries(Retries):
    """Exponential backoff with jitter (dramatiq's compute_backoff), limits from settings."""

    def __init__(self):
        super().__init__(
            max_retries=settings.VF_JOB_MAX_RETRIES,
            min_backoff=settings.VF_JOB_MIN_BACKOFF_MS,
            max_backoff=settings.VF_JOB_MAX_BACKOFF_MS,
        )


class ConfiguredTimeLimit(TimeLimit):
    def __init__(self):
        super().__init__(time_limit=settings.VF_JOB_TIME_LIMIT_MS)
