"""Dramatiq actors of the variants app: one job per brief that fans out over the platforms."""

import dramatiq
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from apps.variants import generation

# 8 platforms × 2 languages × 5 variants with a slow provider still ends well within this.
TIME_LIMIT_MS = 15 * 60 * 1000


def _language(language: str) -> str:
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


@dramatiq.actor(
    queue_name="default", max_retries=2, time_limit=TIME_LIMIT_MS, on_retry_exhausted="variants_retries_exhausted"
)
def generate_variants(brief_id: str, language: str = "") -> None:
    """Write the brief's variants (apps.variants.generation.run_brief). Idempotent and resumable:
    a rerun writes only the variants that are missing."""
    with translation.override(_language(language)):
        generation.run_brief(brief_id)


@dramatiq.actor(queue_name="default", max_retries=3)
def variants_retries_exhausted(message_data: dict, retry_info: dict | None = None) -> None:
    """`generate_variants` failed for good: the brief stops polling and says so."""
    from apps.variants.actions import fail_brief_by_id

    kwargs = message_data.get("kwargs") or {}
    with translation.override(_language(kwargs.get("language", ""))):
        fail_brief_by_id(kwargs.get("brief_id"), _("The variants could not be generated. Please try again."))
