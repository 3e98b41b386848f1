"""Contract tests of the sandbox TikTok's OAuth: authorize page, token endpoint (both grants,
rotating refresh tokens, every error body), revoke. Real HTTP against the live server."""

import hashlib
from datetime import timedelta

import httpx
import pytest

from apps.core import clock
from apps.sandbox.faults import clear_faults, set_faults
from apps.sandbox.log import calls
from apps.sandbox.models import SandboxCall
from apps.sandbox.tiktok import state
from apps.sandbox.tiktok.views import OAUTH_ERRORS
from apps.social.tiktok.client import TikTokAPIError, TikTokOAuthError
from tests.tiktok_support import (
    ALL_SCOPES,
    CLIENT_KEY,
    CLIENT_SECRET,
    PUBLIC,
    api_client,
    authorize,
    redirect_params,
    sandbox_services,
    tokens_for,
)

sandbox = pytest.fixture(sandbox_services)
pytestmark = pytest.mark.usefixtures("sandbox")


def token_post(base, form, content_type="application/x-www-form-urlencoded"):
    if content_type == "application/x-www-form-urlencoded":
        return httpx.post(f"{base}/sandbox/tiktok/v2/oauth/token/", data=form)
    return httpx.post(f"{base}/sandbox/tiktok/v2/oauth/token/", json=form)


def test_consent_page_lists_creators_and_scopes(sandbox):
    query = (
        f"client_key={CLIENT_KEY}&scope=user.info.basic,video.publish&response_type=code&state=s"
        f"&redirect_uri={sandbox}/social/tiktok/callback/"
    )
    page = httpx.get(f"{sandbox}/sandbox/tiktok/v2/auth/authorize/?{query}")
    assert page.status_code == 200
    assert "Alpenglow Coffee" in page.text and "video.publish" in page.text and "Authorize" in page.text


def test_authorize_refuses_unknown_clients_and_unregistered_redirects(sandbox):
    cases = [
        ({"client_key": "nobody"}, "client_key"),
        ({"redirect_uri": "https://evil.example/social/tiktok/callback/"}, "not registered"),
        ({"redirect_uri": f"{sandbox}/social/tiktok/callback/?x=1"}, "no query"),
        ({"redirect_uri": f"{sandbox}/elsewhere/"}, "not registered"),
    ]
    for overrides, problem in cases:
        query = {
            "client_key": CLIENT_KEY,
            "scope": "user.info.basic",
            "response_type": "code",
            "state": "s",
            "redirect_uri": f"{sandbox}/social/tiktok/callback/",
        } | overrides
        page = httpx.get(f"{sandbox}/sandbox/tiktok/v2/auth/authorize/", params=query)
        assert page.status_code == 400, overrides  # no redirect to an address TikTok cannot trust
        assert problem in page.text


def test_allow_redirects_back_with_code_scopes_and_state(sandbox):
    params = redirect_params(authorize(sandbox, state_value="st-1"))
    assert params["state"] == "st-1"
    assert params["code"].startswith("sbx_code_")
    assert params["scopes"].split(",") == list(ALL_SCOPES)


def test_deny_redirects_back_with_access_denied(sandbox):
    params = redirect_params(authorize(sandbox, decision="deny", state_value="st-2"))
    assert params["error"] == "access_denied" and params["state"] == "st-2" and "code" not in params
    assert params["error_description"]


def test_the_consent_page_can_answer_each_oauth_error(sandbox):
    for error in OAUTH_ERRORS:
        params = redirect_params(authorize(sandbox, decision=f"error:{error}"))
        assert params["error"] == error and "code" not in params


def test_unknown_scope_is_invalid_scope(sandbox):
    params = redirect_params(authorize(sandbox, scopes=("user.info.basic", "video.delete")))
    assert params["error"] == "invalid_scope"


def test_code_grant_body_follows_the_contract(sandbox):
    code = redirect_params(authorize(sandbox))["code"]
    response = token_post(
        sandbox,
        {
            "client_key": CLIENT_KEY,
            "client_secret": CLIENT_SECRET,
            "code": code,
            "grant_type": "authorization_code",
            "redirect_uri": f"{sandbox}/social/tiktok/callback/",
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "access_token", "expires_in", "open_id", "refresh_token", "refresh_expires_in", "scope", "token_type",
    }  # fmt: skip
    assert body["access_token"].startswith("act.") and body["refresh_token"].startswith("rft.")
    assert body["open_id"] == PUBLIC and body["token_type"] == "Bearer"
    assert body["expires_in"] == 86400 and body["refresh_expires_in"] == 31536000
    assert body["scope"].split(",") == list(ALL_SCOPES)
    # The log keeps neither the secret nor the code nor a token.
    for row in SandboxCall.objects.values():
        text = str(row)
        assert CLIENT_SECRET not in text and code not in text and body["refresh_token"] not in text


def test_a_code_works_once(sandbox):
    code = redirect_params(authorize(sandbox))["code"]
    with api_client(sandbox) as client:
        client.exchange_code(code, redirect_uri=f"{sandbox}/social/tiktok/callback/")
        with pytest.raises(TikTokOAuthError) as again:
            client.exchange_code(code, redirect_uri=f"{sandbox}/social/tiktok/callback/")
    assert again.value.error == "invalid_grant" and again.value.status == 400


def test_pkce_verifier_must_match_the_challenge(sandbox):
    verifier = "v" * 64
    challenge = hashlib.sha256(verifier.encode()).hexdigest()
    redirect = f"{sandbox}/social/tiktok/callback/"
    with api_client(sandbox) as client:
        code = redirect_params(authorize(sandbox, code_challenge=challenge))["code"]
        with pytest.raises(TikTokOAuthError) as wrong:
            client.exchange_code(code, redirect_uri=redirect, code_verifier="w" * 64)
        assert wrong.value.error == "invalid_grant"
        code = redirect_params(authorize(sandbox, code_challenge=challenge))["code"]
        assert client.exchange_code(code, redirect_uri=redirect, code_verifier=verifier).open_id == PUBLIC


def test_code_expires(sandbox):
    code = redirect_params(authorize(sandbox))["code"]
    clock.advance(timedelta(minutes=6))
    with api_client(sandbox) as client, pytest.raises(TikTokOAuthError) as expired:
        client.exchange_code(code, redirect_uri=f"{sandbox}/social/tiktok/callback/")
    assert expired.value.error == "invalid_grant"


def test_token_error_bodies(sandbox):
    cases = [
        ({"client_secret": "wrong"}, "invalid_client", 401),
        ({"grant_type": "password"}, "unsupported_grant_type", 400),
        ({"code": ""}, "invalid_request", 400),
        ({"redirect_uri": "http://127.0.0.1/other/"}, "invalid_grant", 400),
    ]
    for form, error, status in cases:
        code = redirect_params(authorize(sandbox))["code"]
        base_form = {
            "client_key": CLIENT_KEY,
            "client_secret": CLIENT_SECRET,
            "code": code,
            "grant_type": "authorization_code",
            "redirect_uri": f"{sandbox}/social/tiktok/callback/",
        }
        response = token_post(sandbox, base_form | form)
        assert response.status_code == status, form
        body = response.json()
        assert set(body) == {"error", "error_description", "log_id"} and body["error"] == error


def test_token_endpoint_wants_a_form(sandbox):
    response = token_post(sandbox, {"grant_type": "refresh_token"}, content_type="json")
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


def test_refresh_rotates_and_the_old_refresh_token_dies(sandbox):
    first = tokens_for(sandbox)
    with api_client(sandbox) as client:
        second = client.refresh(first.refresh_token)
        assert second.refresh_token != first.refresh_token and second.access_token != first.access_token
        with pytest.raises(TikTokOAuthError) as dead:
            client.refresh(first.refresh_token)
        assert dead.value.error == "invalid_grant"
        third = client.refresh(second.refresh_token)  # the new one works, once
        assert client.user_info(third.access_token)["open_id"] == PUBLIC
    assert state.counts()["token_refresh:200"] == 2 and state.counts()["token_refresh:400"] == 1


def test_lifetimes_come_from_the_sandbox_configuration(sandbox):
    state.configure(access_expires_in=120, refresh_expires_in=600)
    tokens = tokens_for(sandbox)
    assert (tokens.expires_in, tokens.refresh_expires_in) == (120, 600)
    with api_client(sandbox) as client:
        client.user_info(tokens.access_token)
        clock.advance(timedelta(seconds=121))
        with pytest.raises(TikTokAPIError) as expired:
            client.user_info(tokens.access_token)
        assert expired.value.code == "access_token_invalid" and expired.value.status == 401
        clock.advance(timedelta(seconds=480))
        with pytest.raises(TikTokOAuthError):
            client.refresh(tokens.refresh_token)


def test_revoke_kills_access_and_refresh_tokens(sandbox):
    tokens = tokens_for(sandbox)
    with api_client(sandbox) as client:
        client.revoke(tokens.access_token)
        with pytest.raises(TikTokAPIError) as gone:
            client.user_info(tokens.access_token)
        assert gone.value.code == "access_token_invalid"
        with pytest.raises(TikTokOAuthError):
            client.refresh(tokens.refresh_token)
        with pytest.raises(TikTokOAuthError) as wrong_client:
            api_client(sandbox, client_secret="nope").revoke("act.whatever")
        assert wrong_client.value.error == "invalid_client"


def test_token_faults(sandbox):
    tokens = tokens_for(sandbox)
    cases = [
        ("server_error", "server_error", 500),
        ("temporarily_unavailable", "temporarily_unavailable", 503),
        ("503", "temporarily_unavailable", 503),
        ("invalid_grant", "invalid_grant", 400),
    ]
    for kind, error, status in cases:
        set_faults("tiktok", rates={kind: 1})
        with api_client(sandbox) as client, pytest.raises(TikTokOAuthError) as failed:
            client.refresh(tokens.refresh_token)
        assert (failed.value.error, failed.value.status) == (error, status)
        assert failed.value.retryable == (error != "invalid_grant")
        assert calls("tiktok").filter(fault=kind).count() == 1
    clear_faults("tiktok")
    assert api_client(sandbox).refresh(tokens.refresh_token).open_id == PUBLIC  # faults never burn the token
