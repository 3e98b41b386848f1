"""What a running actor uses to report how far it got."""

import contextvars

from django.db.models import F
from django.db.models.functions import Greatest, Least

current_job_run_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("current_job_run_id", default=None)


def report_progress(percent: int, step: str = "") -> None:
    """Move the current job's progress bar (never backwards) and name its step."""
    from apps.jobs.models import JobRun

    job_run_id = current_job_run_id.get()
    if job_run_id is None:
        return
    percent = max(0, min(100, int(percent)))
    # Job ids come from our own message options, so crossing tenants here is safe.
    JobRun.objects.unscoped().filter(id=job_run_id).update(
        progress=Least(Greatest(F("progress"), percent), 100), step=step[:200]
    )
