import dramatiq
from dramatiq_crontab import cron

from apps.media.notify import notify_expiring_licences


@cron("41 6 * * *")
@dramatiq.actor(queue_name="default", max_retries=3)
def notify_expiring_assets() -> int:
    """Daily: e-mail admins about licences that end within VF_MEDIA_EXPIRY_WARNING_DAYS (once per asset and date)."""
    return notify_expiring_licences()


# Generated clips (Veo, Kling): their steps and the sweeper that resumes them.
from apps.media.clips.tasks import advance_clip, resume_stalled_clips  # noqa: E402, F401
