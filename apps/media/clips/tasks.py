"""The clip steps as Dramatiq actors on the `media` queue (registered through apps.media.tasks)."""

from __future__ import annotations

import logging

import dramatiq
from django.db import transaction
from dramatiq_crontab import cron

from apps.core import clock
from apps.media.clips import steps

logger = logging.getLogger("viralforge.media.clips")
QUEUE = "media"


def start_clip_steps(clip_ids) -> None:
    """Send the first step of each clip once the transaction that created them commits."""
    ids = [str(clip_id) for clip_id in clip_ids]
    if ids:
        transaction.on_commit(lambda: [advance_clip.send(clip_id) for clip_id in ids])


@dramatiq.actor(actor_name="media_advance_clip", queue_name=QUEUE, max_retries=3)
def advance_clip(clip_id: str) -> None:
    """One step of a generation; while it is unfinished the actor sends itself again, delayed."""
    clip = steps.advance(clip_id)
    if clip is None or clip.finished or clip.next_step_at is None:
        return
    delay_ms = max(0, round((clip.next_step_at - clock.now()).total_seconds() * 1000 / clock.scale()))
    advance_clip.send_with_options(args=(clip_id,), delay=delay_ms)


@cron("* * * * *")
@dramatiq.actor(actor_name="media_resume_stalled_clips", queue_name="default", max_retries=0)
def resume_stalled_clips() -> int:
    """Every minute: clips whose worker died mid-wait get their next step sent again."""
    ids = steps.stalled()
    for clip_id in ids:
        advance_clip.send(str(clip_id))
    if ids:
        logger.info("Resumed %s stalled clip(s).", len(ids))
    return len(ids)
