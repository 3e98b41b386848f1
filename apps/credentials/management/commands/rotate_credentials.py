from django.core.management.base import BaseCommand

from apps.credentials.actions import do_rotate_credentials


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret (provider credentials, OAuth tokens) with the first (newest) key of "
        "VF_FERNET_KEYS. "
        "Idempotent and resumable: run it after putting a new key first, then drop the old key."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=100, help="Rows fetched per batch (default 100).")
        parser.add_argument("--limit", type=int, default=None, help="Stop after re-encrypting this many rows.")

    def handle(self, *args, batch_size: int, limit: int | None, **options):
        report = do_rotate_credentials(batch_size=batch_size, limit=limit)
        self.stdout.write(
            f"Re-encrypted {report.rotated} credential(s) with key {report.key_id}; "
            f"{report.failed} failed, {report.skipped} skipped, {report.remaining} remaining."
        )
        if report.failed:
            self.stderr.write(
                f"{report.failed} credential(s) could not be decrypted with any key of VF_FERNET_KEYS; "
                "they need to be replaced."
            )
