"""Model fields that many apps declare the same way."""

from django.conf import settings
from django.db import models


def user_reference(verbose_name, *, blank: bool = True) -> models.ForeignKey:
    """Who did something (created, invited, approved …): kept as empty when that user is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=blank,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=verbose_name,
    )
