"""OAuth tokens are encrypted with the credentials' key ring, and `rotate_credentials` (and the
nightly job) re-encrypt them: tested with two keys in the ring; the table holds only ciphertext."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from apps.credentials import crypto
from apps.credentials.tasks import rotate_credential_keys
from apps.social.actions import do_connect_account
from apps.social.models import OAuthToken
from apps.social.platforms import AccountInfo, Tokens
from apps.social.tokens import unseal

OLD, NEW = (Fernet.generate_key().decode() for _ in range(2))
ACCESS = "act.sandbox-access-token-0123456789"
REFRESH = "rft.sandbox-refresh-token-0123456789"


@pytest.fixture
def ring(settings):
    settings.VF_FERNET_KEYS = [OLD]
    crypto.reset_ring()
    yield settings
    crypto.reset_ring()


def connect_two(org, other_org):
    info = AccountInfo(open_id="", display_name="A", username="a", avatar_url="", stats={}, creator_info={})
    for n, organization in enumerate((org, other_org)):
        tokens = Tokens(f"open-{n}", ("user.info.basic",), 3600, 86400, f"{ACCESS}-{n}", f"{REFRESH}-{n}")
        do_connect_account(organization, "tiktok", tokens, info)


def raw_payloads() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT payload, key_id FROM social_oauthtoken ORDER BY created_at")
        return cursor.fetchall()


def test_rotate_credentials_reencrypts_oauth_tokens(ring, org, other_org):
    connect_two(org, other_org)
    rows = raw_payloads()
    assert [key for _, key in rows] == [crypto.key_fingerprint(OLD)] * 2
    for payload, _ in rows:
        assert "act." not in payload and "rft." not in payload and "sandbox" not in payload
    ring.VF_FERNET_KEYS = [NEW, OLD]  # the new key first, the old one still decrypts
    out = StringIO()
    call_command("rotate_credentials", stdout=out)
    assert "Re-encrypted 2 credential(s)" in out.getvalue() and "0 remaining" in out.getvalue()
    rotated = raw_payloads()
    assert [key for _, key in rotated] == [crypto.key_fingerprint(NEW)] * 2
    assert all(new != old for (new, _), (old, _) in zip(rotated, rows, strict=True))
    for payload, _ in rotated:
        assert "act." not in payload and "rft." not in payload
    ring.VF_FERNET_KEYS = [NEW]  # the old key is gone: the tokens still decrypt
    for token in OAuthToken.objects.unscoped().order_by("created_at"):
        assert unseal(token).access_token.startswith(ACCESS) and token.rotated_at is not None
    out = StringIO()
    call_command("rotate_credentials", stdout=out)
    assert "Re-encrypted 0 credential(s)" in out.getvalue()  # idempotent


def test_the_nightly_job_reencrypts_oauth_tokens_too(ring, org, other_org):
    connect_two(org, other_org)
    ring.VF_FERNET_KEYS = [NEW, OLD]
    rotate_credential_keys()  # the actor's function, called directly
    assert {key for _, key in raw_payloads()} == {crypto.key_fingerprint(NEW)}


def test_undecryptable_tokens_are_reported_not_lost(ring, org, other_org):
    connect_two(org, other_org)
    ring.VF_FERNET_KEYS = [NEW]  # the old key was dropped too early
    out, err = StringIO(), StringIO()
    call_command("rotate_credentials", stdout=out, stderr=err)
    assert "2 failed" in out.getvalue() and "2 remaining" in out.getvalue()
    assert {key for _, key in raw_payloads()} == {crypto.key_fingerprint(OLD)}
