"""Deleting an asset row (directly or with its organization) removes its files once the transaction commits."""

import logging

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from apps.media.models import Asset

logger = logging.getLogger("viralforge.media")


def delete_stored_files(storage, names: list[str]) -> None:
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # a missing or unreachable object must not break the deletion of others
            logger.exception("could not delete stored file", extra={"storage_name": name})


@receiver(post_delete, sender=Asset, dispatch_uid="media.asset.delete_files")
def _delete_files_after_commit(sender, instance: Asset, **kwargs) -> None:
    names = [field.name for field in (instance.file, instance.preview) if field]
    if names:
        storage = instance.file.storage
        transaction.on_commit(lambda: delete_stored_files(storage, names))
