import dramatiq
from dramatiq_crontab import interval

from apps.jobs.heartbeat import record_worker_heartbeat


@interval(seconds=60)
@dramatiq.actor(queue_name="default", max_retries=0, time_limit=10_000)
def worker_heartbeat() -> None:
    """Periodic proof that scheduler, broker and a worker work together."""
    record_worker_heartbeat()
