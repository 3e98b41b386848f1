"""The Accounts page and its actions, and the webhook receiver (a valid signature or nothing).
Access (roles, methods, outsiders, anonymous) is the endpoint matrix's: tests/test_endpoints_matrix.py."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse

from apps.core import clock
from apps.social.models import AccountStatus, WebhookEvent
from apps.social.webhooks import signature_header
from tests.support.social import connect_account

pytestmark = pytest.mark.django_db

SECRET = "sbx-secret-viralforge-0123456789"


@pytest.fixture
def account(org, settings):
    settings.VF_TIKTOK_CLIENT_KEY, settings.VF_TIKTOK_CLIENT_SECRET = "sbx-client-viralforge", SECRET
    return connect_account(org)


def page_url(org):
    return reverse("social_accounts", args=[org.slug])


def test_members_see_the_accounts_with_health_and_limits(client_for, viewer, org, account):
    response = client_for(viewer).get(page_url(org))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Alpenglow Coffee" in html and "@alpenglow.coffee" in html and "video.publish" in html
    assert "expires in 23" in html or "expires in 1\xa0day" in html  # the token's health
    assert "600 seconds" in html and "Everyone, Friends, Only me" in html and "stitches" in html
    assert "Connect TikTok" not in html and "Disconnect" not in html  # viewers only look


def test_admins_get_the_buttons_and_german_is_complete(client_for, owner, org, account):
    owner.language = "de"
    owner.save(update_fields=["language"])
    html = client_for(owner).get(page_url(org)).content.decode()
    for german in ("Social-Media-Konten", "TikTok verbinden", "Neu verbinden", "Trennen", "Längstes Video",
                   "Wer Beiträge sehen kann", "Projekte, die hier veröffentlichen dürfen", "Verbunden"):  # fmt: skip
        assert german in html
    assert "Connect TikTok" not in html


def test_an_empty_page_says_so_once(client_for, viewer, org):
    assert client_for(viewer).get(page_url(org)).content.count(b"No accounts connected yet.") == 1


@pytest.mark.parametrize("name", ["social_disconnect", "social_reconnect", "social_projects"])
def test_a_missing_account_is_404(client_for, owner, org, account, name):
    """Roles, methods, outsiders and foreign accounts: tests/test_endpoints_matrix.py."""
    missing = reverse(name, args=[org.slug, "00000000-0000-0000-0000-000000000000"])
    assert client_for(owner).post(missing).status_code == 404
    account.refresh_from_db()
    assert account.status == AccountStatus.CONNECTED


def test_reconnect_starts_a_new_authorization(client_for, owner, org, account):
    response = client_for(owner).post(reverse("social_reconnect", args=[org.slug, account.id]))
    assert response.status_code == 302 and "/v2/auth/authorize/" in response["Location"]


def test_connect_without_app_credentials_says_so(client_for, owner, org, settings):
    settings.VF_TIKTOK_CLIENT_KEY = settings.VF_TIKTOK_CLIENT_SECRET = ""
    response = client_for(owner).post(reverse("social_connect", args=[org.slug, "tiktok"]), follow=True)
    assert b"not set up on this server" in response.content


# --- webhook ----------------------------------------------------------------------------------------

WEBHOOK = {
    "client_key": "sbx-client-viralforge",
    "event": "post.publish.complete",
    "create_time": 1700000000,
    "user_openid": "open-1",
    "content": json.dumps({"publish_id": "v_pub_file~v2-1.123", "publish_type": "DIRECT_PUBLISH"}),
}


def post_webhook(client, body: bytes, signature: str | None):
    headers = {"HTTP_TIKTOK_SIGNATURE": signature} if signature is not None else {}
    return client.post(reverse("social_webhook", args=["tiktok"]), body, content_type="application/json", **headers)


def test_signed_webhook_is_recorded(client, account):
    raw = json.dumps(WEBHOOK).encode()
    response = post_webhook(client, raw, signature_header(SECRET, raw))
    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert (event.event, event.publish_id, event.open_id) == ("post.publish.complete", "v_pub_file~v2-1.123", "open-1")


@pytest.mark.parametrize("case", ["unsigned", "wrong secret", "tampered", "stale", "garbled"])
def test_webhook_without_a_valid_signature_is_refused(client, account, case):
    raw = json.dumps(WEBHOOK).encode()
    signature = {
        "unsigned": None,
        "wrong secret": signature_header("another-secret", raw),
        "tampered": signature_header(SECRET, raw.replace(b"complete", b"failed")),
        "stale": signature_header(SECRET, raw, int((clock.now() - timedelta(minutes=6)).timestamp())),
        "garbled": "t=abc,s=",
    }[case]
    assert post_webhook(client, raw, signature).status_code == 401
    assert not WebhookEvent.objects.exists()


def test_webhook_of_another_client_or_platform_is_refused(client, account):
    raw = json.dumps(WEBHOOK | {"client_key": "someone-else"}).encode()
    assert post_webhook(client, raw, signature_header(SECRET, raw)).status_code == 400
    unknown = reverse("social_webhook", args=["myspace"])
    assert client.post(unknown, b"{}", content_type="application/json").status_code == 404
