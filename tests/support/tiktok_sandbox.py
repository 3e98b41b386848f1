"""Valid requests to the sandbox TikTok for the endpoint registry: fresh tokens and publishes,
made through the sandbox's own state and endpoints (no live server). The matrix resets the
sandbox state once per run (the creator's 15 posts a day)."""

from django.test import Client
from django.urls import reverse

from apps.sandbox.tiktok import state
from tests.tiktok_support import ALL_SCOPES, CLIENT_KEY, CLIENT_SECRET, PUBLIC

__all__ = ["PUBLIC"]

AUTHORIZE = {
    "client_key": CLIENT_KEY,
    "redirect_uri": "http://testserver/social/tiktok/callback/",
    "response_type": "code",
    "scope": "user.info.basic,video.publish",
    "state": "registry",
}
DIRECT = {
    "post_info": {"privacy_level": "PUBLIC_TO_EVERYONE", "title": "Espresso #kaffee"},
    "source_info": {"source": "FILE_UPLOAD", "video_size": 1000, "chunk_size": 1000, "total_chunk_count": 1},
}
INBOX = {"source_info": DIRECT["source_info"]}
VIDEO_FIELDS = {"fields": "id,title"}
CHUNK = b"\0" * 1000
CHUNK_HEADERS = {"content_type": "video/mp4", "HTTP_CONTENT_RANGE": "bytes 0-999/1000"}


def _tokens() -> dict:
    """The token endpoint's answer for a new grant of every scope to the public creator."""
    grant_id, grant = state.new_grant(CLIENT_KEY, PUBLIC, list(ALL_SCOPES))
    return state.issue_tokens(grant_id, grant)


def bearer(tenant=None) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {_tokens()['access_token']}"}


def refresh_grant(tenant=None) -> dict:
    return {"client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "grant_type": "refresh_token",
            "refresh_token": _tokens()["refresh_token"]}  # fmt: skip


def revocation(tenant=None) -> dict:
    return {"client_key": CLIENT_KEY, "client_secret": CLIENT_SECRET, "token": _tokens()["access_token"]}


def _new_publish() -> dict:
    """A fresh direct post awaiting its one chunk: {"publish_id", "upload_url"} (direct posts, as the
    creator may have only 5 pending inbox shares a day)."""
    response = Client().post(reverse("sandbox_tiktok_video_init"), DIRECT, content_type="application/json", **bearer())
    assert response.status_code == 200, response.content
    return response.json()["data"]


def publish(tenant=None) -> dict:
    return {"publish_id": _new_publish()["publish_id"]}


def upload_id() -> str:
    return _new_publish()["upload_url"].rstrip("/").rsplit("/", 1)[1]
