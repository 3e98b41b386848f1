import dramatiq
from dramatiq_crontab import cron

from apps.credentials.actions import do_rotate_credentials


@cron("17 3 * * *")
@dramatiq.actor(queue_name="default", max_retries=3)
def rotate_credential_keys() -> None:
    """Nightly: re-encrypt stored secrets (provider keys, OAuth tokens) with the newest key of VF_FERNET_KEYS."""
    do_rotate_credentials()
