import dramatiq
from django.conf import settings
from django.utils import translation
from dramatiq.middleware import TimeLimitExceeded
from dramatiq_crontab import cron

from apps.jobs.progress import report_progress
from apps.media import actions
from apps.media.notify import notify_expiring_licences
from apps.media.reasons import RENDER_CRASHED, RENDER_TIMEOUT
from apps.media.render.cache import sweep

RENDER_QUEUE = "media"
RENDER_RETRIES = 2  # unexpected errors
CLIP_WAITS = 240  # how often a render looks again for its generated clips (VF_RENDER_CLIP_WAIT_SECONDS apart)


@cron("41 6 * * *")
@dramatiq.actor(queue_name="default", max_retries=3)
def notify_expiring_assets() -> int:
    """Daily: e-mail admins about licences that end within VF_MEDIA_EXPIRY_WARNING_DAYS (once per asset and date)."""
    return notify_expiring_licences()


@cron("23 4 * * *")
@dramatiq.actor(actor_name="media_sweep_render_cache", queue_name="default", max_retries=0)
def sweep_render_cache() -> int:
    """Daily: the render cache drops idle post folders, then the least recently used, to its size cap."""
    report = sweep(
        settings.VF_RENDER_WORKDIR,
        max_age_days=settings.VF_RENDER_CACHE_MAX_AGE_DAYS,
        max_total_mb=settings.VF_RENDER_CACHE_MAX_MB,
    )
    return report.removed


class RenderStopped(Exception):
    """The render was marked failed with its reason: do not retry."""


def _language(language: str) -> str:
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _retry_when(retries: int, exception: BaseException) -> bool:
    if isinstance(exception, dramatiq.Retry):  # waiting for generated clips, not an error
        return retries < CLIP_WAITS
    return retries < RENDER_RETRIES


@dramatiq.actor(
    queue_name=RENDER_QUEUE,
    retry_when=_retry_when,
    time_limit=settings.VF_RENDER_TIME_LIMIT_MINUTES * 60 * 1000,
    throws=(RenderStopped,),
    on_retry_exhausted="render_retries_exhausted",
)
def produce_post(post_id: str, render_id: str, language: str = "", batch: str = "") -> None:
    """Render the post's video for the queued `Render` `render_id` (apps.media.production.produce).

    Idempotent (an ended render is left alone; the same inputs reuse the finished file) and
    resumable (the engine's per-post cache keeps every finished sentence and segment). Runs on
    its own `media` queue, one render per worker process (`Procfile`: media). While scenes routed
    to Veo or Kling wait for their clips, the job comes back every VF_RENDER_CLIP_WAIT_SECONDS without blocking
    the worker (the clips' steps run on the same queue).
    """
    from apps.media.production import WaitingForClips, produce

    with translation.override(_language(language)):
        try:
            produce(render_id, progress=report_progress)
        except WaitingForClips as waiting:
            delay_ms = round(settings.VF_RENDER_CLIP_WAIT_SECONDS * 1000)
            raise dramatiq.Retry(waiting.waiting, delay=delay_ms) from None
        except TimeLimitExceeded:
            minutes = settings.VF_RENDER_TIME_LIMIT_MINUTES
            actions.do_fail_render(render_id, [RENDER_TIMEOUT.reason(minutes=minutes)])
            raise RenderStopped(render_id) from None


@dramatiq.actor(queue_name="default", max_retries=3)
def render_retries_exhausted(message_data: dict, retry_info: dict | None = None) -> None:
    """`produce_post` failed for good on unexpected errors: mark its render failed with the last error."""
    kwargs = message_data.get("kwargs") or {}
    if not kwargs.get("render_id"):
        return
    retries = (retry_info or {}).get("retries") or 0
    last_line = str((message_data.get("options") or {}).get("traceback") or "").strip().splitlines()[-1:] or ["?"]
    reason = RENDER_CRASHED.reason(attempts=retries + 1, error=last_line[0][:300])
    actions.do_fail_render(kwargs["render_id"], [reason])


# Generated clips (Veo, Kling): their steps and the sweeper that resumes them.
from apps.media.clips.tasks import advance_clip, resume_stalled_clips  # noqa: E402, F401
