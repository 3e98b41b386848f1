"""The OpenRouter stand-in: GET /key follows the contract and every call is logged without the key."""

import pytest
from django.urls import reverse

from apps.sandbox.log import calls, clear_calls, digest, record_call
from apps.sandbox.models import SandboxCall
from tests.support.credentials import BAD_SECRET, SECRET

pytestmark = pytest.mark.django_db

KEY_URL = "/sandbox/openrouter/api/v1/key"


def test_url_is_where_the_settings_point():
    assert reverse("sandbox_openrouter_key") == KEY_URL


def test_accepted_key_gets_key_data(client):
    response = client.get(
        KEY_URL,
        HTTP_AUTHORIZATION=f"Bearer {SECRET}",
        HTTP_HTTP_REFERER="http://testserver",
        HTTP_X_OPENROUTER_TITLE="ViralForge",
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert set(data) == {"limit", "limit_remaining", "usage"}
    assert data["limit_remaining"] == data["limit"] - data["usage"]
    (call,) = calls("openrouter")
    assert (call.method, call.path, call.status) == ("GET", KEY_URL, 200)
    assert call.auth_digest == digest(f"Bearer {SECRET}")
    assert call.headers["X-OpenRouter-Title"] == "ViralForge"
    assert call.headers["HTTP-Referer"] == "http://testserver"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "No auth credentials found"),
        (f"Bearer {BAD_SECRET}", "User not found."),
        ("Bearer sk-ant-not-openrouter-1234567890", "User not found."),
        (f"Basic {SECRET}", "User not found."),
        ("Bearer ", "User not found."),
    ],
)
def test_missing_or_unknown_key_is_401_in_contract_shape(client, header, message):
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    response = client.get(KEY_URL, **extra)
    assert response.status_code == 401
    assert response.json() == {"error": {"code": 401, "message": message}}
    (call,) = calls("openrouter")
    assert call.status == 401
    assert call.auth_digest == (digest(header) if header else "")


def test_the_log_never_holds_the_key(client):
    client.get(KEY_URL, HTTP_AUTHORIZATION=f"Bearer {SECRET}")
    client.get(KEY_URL, HTTP_AUTHORIZATION=f"Bearer {BAD_SECRET}")
    for row in SandboxCall.objects.values():
        text = str(row)
        assert SECRET not in text and BAD_SECRET not in text
    assert calls("openrouter").count() == 2


def test_log_helpers(rf):
    request = rf.get("/sandbox/tiktok/x", HTTP_AUTHORIZATION="Bearer abc")
    record_call("tiktok", request, 200)
    record_call("openrouter", rf.get("/sandbox/openrouter/y"), 404)
    assert [c.service for c in calls()] == ["tiktok", "openrouter"]
    assert calls("tiktok").get().auth_digest == digest("Bearer abc")
    clear_calls("tiktok")
    assert [c.service for c in calls()] == ["openrouter"]
    clear_calls()
    assert not calls().exists()
