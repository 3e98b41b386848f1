"""Publishing jobs on the `publish` queue (imported by apps/social/tasks.py for discovery).

`publish_post(post_id)` is idempotent and resumable: it runs the pipeline from whatever the
publication's row says. The tick every minute queues due posts (FOR UPDATE SKIP LOCKED) and
re-queues active publications that no worker holds (their worker died), and autopilot posts.
"""

import logging

import dramatiq
from django.utils import timezone
from dramatiq_crontab import cron

from apps.core import clock
from apps.social.models import Publication
from apps.social.publish import pipeline
from apps.social.publish.actions import claim_due_publications, queue_autopilot_posts, stalled_publications

logger = logging.getLogger("viralforge.publish")

QUEUE = "publish"


@dramatiq.actor(queue_name=QUEUE, max_retries=8, min_backoff=1000, max_backoff=60_000, time_limit=30 * 60_000)
def publish_post(post_id: str) -> None:
    publication = Publication.objects.unscoped().filter(post_id=post_id).only("id").first()
    if publication is None:
        return
    try:
        outcome = pipeline.run(publication.id)
    except pipeline.Handoff as handoff:
        publish_post.send_with_options(kwargs={"post_id": post_id}, delay=int(handoff.delay_s * 1000 / clock.scale()))
        outcome = "waiting"
    logger.info("Publication of post %s: %s.", post_id, outcome)


@cron("* * * * *")
@dramatiq.actor(queue_name=QUEUE, max_retries=0, time_limit=120_000)
def publish_tick() -> dict:
    """Every minute: queue what is due, pick up what a dead worker left."""
    return run_tick()


def run_tick(quiet_seconds: float = 120, *, organization=None) -> dict:
    """The tick's work; `organization` confines it to one (a bench shares its database with others)."""
    drafts = queue_autopilot_posts() if organization is None else 0
    queued = claim_due_publications(organization=organization)
    resumed = 0
    for publication in stalled_publications(quiet_seconds, organization=organization):
        if str(publication.post_id) in queued:
            continue
        with pipeline.exclusive(publication.id) as free:
            if not free:
                continue  # a live worker is on it
        publish_post.send(str(publication.post_id))
        # The nudge counts as activity: the row waits another quiet period before the next one.
        Publication.objects.unscoped().filter(id=publication.id).update(updated_at=timezone.now())
        resumed += 1
    logger.info("Publishing tick: %s autopilot drafts, %s queued, %s resumed.", drafts, len(queued), resumed)
    return {"queued": len(queued), "resumed": resumed}
