import logging
from datetime import timedelta

import dramatiq
from django.conf import settings
from django.db import transaction
from dramatiq_crontab import interval

from apps.core import clock
from apps.jobs.actions import do_enqueue_job
from apps.orgs.models import Organization
from apps.social.actions import do_refresh_token
from apps.social.models import AccountStatus, OAuthToken

logger = logging.getLogger("viralforge.social")


@dramatiq.actor(queue_name="default", max_retries=5)
def refresh_account_token(account_id: str) -> str:
    """Refresh one account's token if it still expires soon (idempotent: a fresh token is left alone).
    Platform errors a retry may fix raise, so the job retries with backoff."""
    return do_refresh_token(account_id).detail


@interval(seconds=settings.VF_TIKTOK_REFRESH_INTERVAL_SECONDS)
@dramatiq.actor(queue_name="default", max_retries=1, time_limit=120_000)
def refresh_expiring_tokens() -> int:
    """Periodic: queue a refresh for every connected account whose access token expires soon."""
    soon = clock.now() + timedelta(seconds=settings.VF_TIKTOK_REFRESH_MARGIN_SECONDS)
    # All organizations' tokens: crossing tenants is the point of this sweep.
    due = (
        OAuthToken.objects.unscoped()
        .filter(account__status=AccountStatus.CONNECTED, access_expires_at__lte=soon)
        .exclude(payload="")
        .values_list("account_id", "organization_id")
    )
    count = 0
    for account_id, organization_id in due:
        with transaction.atomic():
            do_enqueue_job(
                refresh_account_token,
                organization=Organization(id=organization_id),  # only its id is stored
                target=f"social_account:{account_id}",
                account_id=str(account_id),
            )
        count += 1
    logger.info("Queued %s token refreshes.", count)
    return count


from apps.social.publish.tasks import publish_post, publish_tick  # noqa: E402, F401  (discovered with this module)
