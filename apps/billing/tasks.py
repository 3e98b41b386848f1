import dramatiq
from django.conf import settings
from dramatiq_crontab import interval

from apps.billing.quota import release_expired


@interval(seconds=settings.VF_QUOTA_RELEASE_INTERVAL_SECONDS)
@dramatiq.actor(queue_name="default", max_retries=3, time_limit=120_000)
def release_stale_reservations() -> int:
    """Give back reservations whose worker died (expired, neither committed nor released). Idempotent."""
    return release_expired()
