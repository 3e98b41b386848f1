"""Dramatiq actors of the AI app (autodiscovered by django_dramatiq)."""

import dramatiq

from apps.ai.knowledge_actions import do_reembed_all
from apps.orgs.models import Organization


@dramatiq.actor(queue_name="default", max_retries=3)
def reembed_knowledge(organization_id: str | None = None) -> None:
    """Re-embed knowledge chunks made by another embedder than the current one (one organization,
    or all of them). Idempotent and resumable: documents already on the current embedder are skipped."""
    org = None
    if organization_id is not None:
        org = Organization.objects.filter(id=organization_id).first()
        if org is None:
            return  # deleted meanwhile: nothing left to re-embed
    do_reembed_all(org)
