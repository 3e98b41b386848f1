"""Test connection: the real httpx client over real HTTP against the sandbox (pytest-django's live_server)."""

import pytest
from django.urls import reverse

from apps.ai.openrouter import KeyInfo, OpenRouterClient, OpenRouterConnectionError, OpenRouterError
from apps.credentials.models import ProviderCredential
from apps.sandbox.log import calls, digest
from tests.support.credentials import BAD_SECRET, PLATFORM_SECRET, SECRET, add, subscribe
from tests.support.ports import free_port

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def sandbox(live_server, settings):
    settings.OPENROUTER_BASE_URL = live_server.url + "/sandbox/openrouter/api/v1"
    return settings.OPENROUTER_BASE_URL


def check_url(org, credential):
    return reverse("credential_test", args=[org.slug, credential.id])


def test_client_reads_key_info_and_sends_attribution(sandbox, settings):
    with OpenRouterClient(SECRET) as client:
        info = client.get_key()
    assert info == KeyInfo(limit=100.0, limit_remaining=87.5, usage=12.5)
    (call,) = calls("openrouter")
    assert call.status == 200 and call.path.endswith("/api/v1/key")
    assert call.auth_digest == digest(f"Bearer {SECRET}")
    assert call.headers["HTTP-Referer"] == settings.VF_BASE_URL
    assert call.headers["X-OpenRouter-Title"] == "ViralForge"

    with pytest.raises(OpenRouterError) as excinfo, OpenRouterClient(BAD_SECRET) as client:
        client.get_key()
    assert (excinfo.value.code, excinfo.value.message) == (401, "User not found.")
    assert BAD_SECRET not in str(excinfo.value) and BAD_SECRET not in repr(excinfo.value)
    assert [c.status for c in calls("openrouter")] == [200, 401]


def test_client_connection_error_is_typed_and_keyless(db):
    client = OpenRouterClient(SECRET, base_url=f"http://127.0.0.1:{free_port()}/api/v1", timeout=2)
    with pytest.raises(OpenRouterConnectionError) as excinfo:
        client.get_key()
    assert excinfo.value.code == 0
    assert excinfo.value.__cause__ is None and excinfo.value.__suppress_context__
    assert SECRET not in str(excinfo.value) and SECRET not in repr(client)


def test_good_key_is_recorded_as_working(sandbox, client_for, org, owner):
    credential = add(org, secret=SECRET)
    response = client_for(owner).post(check_url(org, credential), **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="credential-{credential.id}"')
    assert "Connection works. Credits used: 12.50, remaining: 87.50." in html
    credential.refresh_from_db()
    assert credential.last_test_ok is True and credential.last_test_at is not None
    # Issue 16 (9): the sandbox answered, and the result says so.
    assert credential.last_test_message.startswith("Answered by the sandbox, not by OpenRouter: Connection works.")
    (call,) = calls("openrouter")
    assert call.status == 200 and call.auth_digest == digest(f"Bearer {SECRET}")


def test_bad_key_is_recorded_as_failure(sandbox, client_for, org, owner):
    credential = add(org, secret=BAD_SECRET)
    response = client_for(owner).post(check_url(org, credential))
    assert response.status_code == 302
    page = client_for(owner).get(response["Location"]).content.decode()
    assert "OpenRouter rejected the key (invalid, disabled or deleted)." in page
    assert BAD_SECRET not in page
    credential.refresh_from_db()
    assert credential.last_test_ok is False
    assert credential.last_test_message.endswith("OpenRouter rejected the key (invalid, disabled or deleted).")
    assert [(c.status, c.auth_digest) for c in calls("openrouter")] == [(401, digest(f"Bearer {BAD_SECRET}"))]


def test_no_call_for_unsupported_or_revoked_keys(sandbox, client_for, org, owner):
    client = client_for(owner)
    veo = add(org, "veo", secret=SECRET)
    assert client.post(check_url(org, veo), **HX).status_code == 200
    revoked = add(org, secret=SECRET)
    client.post(reverse("credential_revoke", args=[org.slug, revoked.id]))
    assert client.post(check_url(org, revoked), **HX).status_code == 409
    assert calls("openrouter").count() == 0
    assert not ProviderCredential.objects.for_org(org).filter(last_test_at__isnull=False).exists()


def test_managed_key_is_tested_with_the_platform_key(sandbox, client_for, org, owner, settings):
    from apps.credentials.actions import do_add_credential

    settings.VF_MANAGED_KEYS = {"openrouter": PLATFORM_SECRET, "veo": "", "kling": ""}
    subscribe(org, managed=True)
    credential = do_add_credential(org, provider="openrouter", mode="managed")
    assert client_for(owner).post(check_url(org, credential), **HX).status_code == 200
    credential.refresh_from_db()
    assert credential.last_test_ok is True
    assert [c.auth_digest for c in calls("openrouter")] == [digest(f"Bearer {PLATFORM_SECRET}")]

    subscribe(org, managed=False)  # no plan, no platform key, no call
    client_for(owner).post(check_url(org, credential), **HX)
    credential.refresh_from_db()
    assert credential.last_test_ok is False and "plan does not include managed" in credential.last_test_message
    assert calls("openrouter").count() == 1
