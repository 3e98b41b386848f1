"""Encryption at rest and key rotation: ciphertext only in the table, re-encryption idempotent and resumable."""

import threading
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, connections, transaction

from apps.credentials import crypto
from apps.credentials.actions import do_replace_credential, do_rotate_credentials
from apps.credentials.models import ProviderCredential
from tests.support.credentials import OTHER_SECRET, SECRET, add

OLD, NEW, UNKNOWN = (Fernet.generate_key().decode() for _ in range(3))


def secrets_of(org) -> dict:
    return {c.id: c.reveal()["secret"] for c in ProviderCredential.objects.for_org(org).exclude(payload="")}


def key_ids(org) -> set:
    return set(ProviderCredential.objects.for_org(org).values_list("key_id", flat=True))


def rotate(**options) -> str:
    out = StringIO()
    call_command("rotate_credentials", stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


@pytest.fixture
def old_ring(settings):
    settings.VF_FERNET_KEYS = [OLD]
    crypto.reset_ring()
    yield settings
    crypto.reset_ring()


@pytest.fixture
def five(org, old_ring):
    secrets = {}
    for i, provider in enumerate(["openrouter", "veo", "kling", "tiktok", "s3"]):
        credential = add(org, provider, secret=f"{SECRET}-{i}", identifier="ident-x")
        secrets[credential.id] = f"{SECRET}-{i}"
    return secrets


# --- crypto ----------------------------------------------------------------------------------


def test_round_trip_and_key_id_is_the_primary_fingerprint(old_ring):
    token, key_id = crypto.encrypt_payload({"secret": SECRET})
    assert SECRET not in token
    assert crypto.decrypt_payload(token) == {"secret": SECRET}
    assert key_id == crypto.primary_key_id() == crypto.key_fingerprint(OLD)
    assert len(key_id) == 12 and OLD[:12] not in key_id


def test_first_key_encrypts_every_key_decrypts(settings):
    settings.VF_FERNET_KEYS = [OLD]
    old_token, _ = crypto.encrypt_payload({"secret": SECRET})
    settings.VF_FERNET_KEYS = [NEW, OLD]
    new_token, key_id = crypto.encrypt_payload({"secret": SECRET})
    assert key_id == crypto.key_fingerprint(NEW)
    assert crypto.decrypt_payload(old_token) == crypto.decrypt_payload(new_token) == {"secret": SECRET}
    settings.VF_FERNET_KEYS = [NEW]
    with pytest.raises(crypto.DecryptionFailed) as excinfo:
        crypto.decrypt_payload(old_token)
    assert old_token not in str(excinfo.value)


@pytest.mark.parametrize("keys", [[], ["not-a-fernet-key-at-all"], [Fernet.generate_key().decode(), "short"]])
def test_bad_key_ring_is_a_clear_configuration_error(settings, keys):
    settings.VF_FERNET_KEYS = keys
    with pytest.raises(ImproperlyConfigured) as excinfo:
        crypto.encrypt_payload({"secret": SECRET})
    message = str(excinfo.value)
    assert "VF_FERNET_KEYS" in message
    for key in keys:
        assert key not in message


def test_table_holds_only_ciphertext(org, old_ring):
    credential = add(org, secret=SECRET)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT payload, mask, key_id FROM credentials_providercredential WHERE id = %s", [credential.id]
        )
        payload, mask, key_id = cursor.fetchone()
    assert payload and SECRET not in payload
    assert SECRET[-12:] not in payload
    assert mask == "…" + SECRET[-4:]
    assert key_id == crypto.key_fingerprint(OLD)
    assert crypto.decrypt_payload(payload) == {"secret": SECRET}
    # No other column carries the secret either.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM credentials_providercredential")
        row_text = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert SECRET not in row_text


# --- rotation --------------------------------------------------------------------------------


def test_rotation_moves_every_row_to_the_new_key(org, other_org, five, old_ring):
    foreign = add(other_org, secret=OTHER_SECRET)
    old_ring.VF_FERNET_KEYS = [NEW, OLD]
    crypto.reset_ring()

    output = rotate()
    assert "Re-encrypted 6 credential(s)" in output
    assert "0 failed" in output and "0 remaining" in output
    assert key_ids(org) == key_ids(other_org) == {crypto.key_fingerprint(NEW)}

    old_ring.VF_FERNET_KEYS = [NEW]  # the old key is gone
    crypto.reset_ring()
    assert secrets_of(org) == five
    assert secrets_of(other_org) == {foreign.id: OTHER_SECRET}
    rotated = ProviderCredential.objects.for_org(org).first()
    assert rotated.rotated_at is not None and rotated.secret_version == 1

    assert "Re-encrypted 0 credential(s)" in rotate()  # idempotent


def test_interrupted_rotation_resumes(org, five, old_ring):
    old_ring.VF_FERNET_KEYS = [NEW, OLD]
    crypto.reset_ring()
    assert "Re-encrypted 2 credential(s)" in rotate(limit=2, batch_size=1)
    fingerprints = list(ProviderCredential.objects.for_org(org).values_list("key_id", flat=True))
    assert sorted(fingerprints).count(crypto.key_fingerprint(NEW)) == 2

    report = do_rotate_credentials(batch_size=2)
    assert (report.rotated, report.failed, report.remaining) == (3, 0, 0)
    assert do_rotate_credentials().rotated == 0

    old_ring.VF_FERNET_KEYS = [NEW]
    crypto.reset_ring()
    assert secrets_of(org) == five


def test_undecryptable_rows_are_counted_not_fatal(org, five, old_ring):
    old_ring.VF_FERNET_KEYS = [UNKNOWN]
    crypto.reset_ring()
    stranger = add(org, "smtp", secret=OTHER_SECRET, identifier="mailer")
    old_ring.VF_FERNET_KEYS = [NEW, OLD]
    crypto.reset_ring()
    errors = StringIO()
    out = StringIO()
    call_command("rotate_credentials", stdout=out, stderr=errors)
    assert "Re-encrypted 5 credential(s)" in out.getvalue()
    assert "1 failed" in out.getvalue() and "1 remaining" in out.getvalue()
    assert "could not be decrypted" in errors.getvalue()
    stranger.refresh_from_db()
    assert stranger.key_id == crypto.key_fingerprint(UNKNOWN)


def test_replacing_uses_the_primary_key(org, old_ring):
    credential = add(org, secret=SECRET)
    old_ring.VF_FERNET_KEYS = [NEW, OLD]
    crypto.reset_ring()
    credential = do_replace_credential(credential, secret=OTHER_SECRET)
    assert credential.key_id == crypto.key_fingerprint(NEW)
    assert credential.secret_version == 2
    assert credential.reveal() == {"secret": OTHER_SECRET}


def test_periodic_actor_rotates_and_is_scheduled(org, five, old_ring):
    from dramatiq_crontab import scheduler

    from apps.credentials.tasks import rotate_credential_keys

    assert "rotate_credential_keys" in {job.name for job in scheduler.get_jobs()}
    old_ring.VF_FERNET_KEYS = [NEW, OLD]
    crypto.reset_ring()
    rotate_credential_keys()  # calling an actor runs it in-process
    assert key_ids(org) == {crypto.key_fingerprint(NEW)}


@pytest.mark.django_db(transaction=True)
def test_rotation_skips_a_row_locked_by_a_concurrent_run(org, old_ring):
    first = add(org, "openrouter", secret=SECRET)
    second = add(org, "veo", secret=OTHER_SECRET)
    old_ring.VF_FERNET_KEYS = [NEW, OLD]
    crypto.reset_ring()
    locked, release = threading.Event(), threading.Event()

    def hold_lock():
        try:
            with transaction.atomic():
                ProviderCredential.objects.for_org(org).select_for_update().get(id=first.id)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(10)
        report = do_rotate_credentials()
        assert (report.rotated, report.skipped, report.remaining) == (1, 1, 1)
    finally:
        release.set()
        holder.join(10)
    assert do_rotate_credentials().rotated == 1
    assert key_ids(org) == {crypto.key_fingerprint(NEW)}
    assert {c.id for c in ProviderCredential.objects.for_org(org)} == {first.id, second.id}
