"""A small TikTok Open API v2 client over httpx (contract: ../shared/contracts/tiktok.md).

The base URL comes from settings (`VF_TIKTOK_API_BASE_URL`, the sandbox while
`VF_SANDBOX_ENABLED`). Tokens and the client secret never appear in errors, reprs or logs.

    client = TikTokClient()
    tokens = client.exchange_code(code, redirect_uri=..., code_verifier=...)   # TokenResponse
    tokens = client.refresh(refresh_token)                                      # the old one dies
    client.revoke(access_token)
    client.user_info(access_token)           # Display API user/info (with stats)
    client.creator_info(access_token)        # Content Posting API creator_info/query
    client.init_direct_post(token, post_info, source_info) / client.init_inbox(token, source_info)
    client.upload_chunk(upload_url, data, first, total, content_type)  # → HTTP status (206/201)
    client.fetch_status(token, publish_id) / client.cancel(token, publish_id)
    client.video_list(token) / client.video_query(token, ids)

OAuth failures raise `TikTokOAuthError` (`error` is the OAuth code: invalid_grant, ...), API
failures `TikTokAPIError` (`code` from the envelope: access_token_invalid, rate_limit_exceeded,
...; `status` the HTTP status), network failures `TikTokConnectionError`.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlencode

import certifi
import httpx
from django.conf import settings

from apps.core.closing import Closing

USER_FIELDS = "open_id,union_id,avatar_url,display_name,follower_count,following_count,likes_count,video_count"
VIDEO_FIELDS = (
    "id,create_time,cover_image_url,share_url,video_description,title,duration,height,width,"
    "embed_link,like_count,comment_count,share_count,view_count"
)
JSON_TYPE = "application/json; charset=UTF-8"

# A seam for running without a server: `seed_demo` reaches the sandbox in-process through it.
_transport: ContextVar[httpx.BaseTransport | None] = ContextVar("tiktok_transport", default=None)


@contextmanager
def use_transport(transport: httpx.BaseTransport) -> Iterator[None]:
    """Send every TikTokClient request made inside the block through `transport`."""
    token = _transport.set(transport)
    try:
        yield
    finally:
        _transport.reset(token)


class TikTokError(Exception):
    retryable = False


class TikTokOAuthError(TikTokError):
    """An OAuth error body ({"error", "error_description", "log_id"}) or an error callback."""

    def __init__(self, error: str, description: str = "", *, status: int | None = None, log_id: str = ""):
        super().__init__(error, description)
        self.error = error
        self.description = description
        self.status = status
        self.log_id = log_id
        self.retryable = error in ("server_error", "temporarily_unavailable") or (status or 0) >= 500

    def __str__(self) -> str:
        return f"TikTok OAuth error {self.error}: {self.description}"


class TikTokAPIError(TikTokError):
    """An API answer whose envelope `error.code` is not "ok"."""

    def __init__(self, code: str, message: str = "", *, status: int = 0, log_id: str = "", retry_after=None):
        super().__init__(code, message)
        self.code = code
        self.message = message
        self.status = status
        self.log_id = log_id
        self.retry_after = retry_after
        self.retryable = code in ("rate_limit_exceeded", "internal_error") or status >= 500 or status == 429

    def __str__(self) -> str:
        return f"TikTok API error {self.code} (HTTP {self.status}): {self.message}"


class TikTokConnectionError(TikTokError):
    retryable = True

    def __str__(self) -> str:
        return "TikTok could not be reached."


@dataclass(frozen=True)
class TokenResponse:
    open_id: str
    scopes: tuple[str, ...]
    expires_in: int
    refresh_expires_in: int
    token_type: str
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)

    @classmethod
    def from_body(cls, body: dict) -> TokenResponse:
        try:
            return cls(
                open_id=str(body["open_id"]),
                scopes=tuple(s.strip() for s in str(body.get("scope", "")).split(",") if s.strip()),
                expires_in=int(body["expires_in"]),
                refresh_expires_in=int(body["refresh_expires_in"]),
                token_type=str(body.get("token_type", "Bearer")),
                access_token=str(body["access_token"]),
                refresh_token=str(body["refresh_token"]),
            )
        except (KeyError, TypeError, ValueError):
            raise TikTokOAuthError("server_error", "The token answer is incomplete.") from None


@cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every client: httpx builds a new one per client otherwise, loading the CA
    bundle each time (0.4 s of CPU on two busy cores; the publishing pipeline opens a client per call)."""
    return ssl.create_default_context(cafile=certifi.where())


class TikTokClient(Closing):
    def __init__(
        self,
        client_key: str | None = None,
        client_secret: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | None = None,
        transport: httpx.BaseTransport | None = None,
    ):
        self.client_key = client_key if client_key is not None else settings.VF_TIKTOK_CLIENT_KEY
        self._client_secret = client_secret if client_secret is not None else settings.VF_TIKTOK_CLIENT_SECRET
        self.base_url = (base_url or settings.VF_TIKTOK_API_BASE_URL).rstrip("/")
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout or settings.VF_TIKTOK_TIMEOUT_SECONDS,
            transport=transport or _transport.get(),
            follow_redirects=False,
            verify=_tls(),
        )

    def __repr__(self) -> str:
        return f"<TikTokClient {self.base_url} client_key={self.client_key}>"

    def close(self) -> None:
        self._http.close()

    # --- OAuth ----------------------------------------------------------------------------------

    def authorize_url(self, *, state: str, scopes, redirect_uri: str, code_challenge: str = "") -> str:
        query = {
            "client_key": self.client_key,
            "scope": ",".join(scopes),
            "redirect_uri": redirect_uri,
            "state": state,
            "response_type": "code",
        }
        if code_challenge:
            query |= {"code_challenge": code_challenge, "code_challenge_method": "S256"}
        return f"{settings.VF_TIKTOK_AUTHORIZE_URL}?{urlencode(query)}"

    def _oauth(self, path: str, form: dict) -> httpx.Response:
        try:
            return self._http.post(path, data=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
        except httpx.HTTPError:
            raise TikTokConnectionError from None

    def _token(self, form: dict) -> TokenResponse:
        response = self._oauth("/v2/oauth/token/", form)
        body = _json(response)
        if response.status_code != 200 or "error" in body and body.get("error") not in ("", None, "ok"):
            raise TikTokOAuthError(
                str(body.get("error") or "server_error"),
                str(body.get("error_description", "")),
                status=response.status_code,
                log_id=str(body.get("log_id", "")),
            )
        return TokenResponse.from_body(body)

    def exchange_code(self, code: str, *, redirect_uri: str, code_verifier: str = "") -> TokenResponse:
        form = {
            "client_key": self.client_key,
            "client_secret": self._client_secret,
            "code": code,
            "grant_type": "authorization_code",
            "redirect_uri": redirect_uri,
        }
        if code_verifier:
            form["code_verifier"] = code_verifier
        return self._token(form)

    def refresh(self, refresh_token: str) -> TokenResponse:
        return self._token(
            {
                "client_key": self.client_key,
                "client_secret": self._client_secret,
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
            }
        )

    def revoke(self, token: str) -> None:
        response = self._oauth(
            "/v2/oauth/revoke/", {"client_key": self.client_key, "client_secret": self._client_secret, "token": token}
        )
        body = _json(response)
        if response.status_code != 200 or body.get("error") not in (None, "", "ok"):
            raise TikTokOAuthError(
                str(body.get("error") or "server_error"),
                str(body.get("error_description", "")),
                status=response.status_code,
                log_id=str(body.get("log_id", "")),
            )

    # --- API calls ------------------------------------------------------------------------------

    def _api(self, method: str, path: str, token: str, *, body: dict | None = None, params=None) -> dict:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": JSON_TYPE}
        try:
            response = self._http.request(
                method,
                path,
                params=params,
                content=json.dumps(body).encode() if body is not None else None,
                headers=headers,
            )
        except httpx.HTTPError:
            raise TikTokConnectionError from None
        envelope = _json(response)
        error = envelope.get("error") if isinstance(envelope.get("error"), dict) else {}
        code = str(error.get("code") or ("ok" if response.status_code == 200 else "internal_error"))
        if code != "ok" or response.status_code >= 400:
            raise TikTokAPIError(
                code if code != "ok" else "internal_error",
                str(error.get("message", "")),
                status=response.status_code,
                log_id=str(error.get("log_id", "")),
                retry_after=response.headers.get("Retry-After"),
            )
        return envelope.get("data") or {}

    def user_info(self, token: str, fields: str = USER_FIELDS) -> dict:
        return self._api("GET", "/v2/user/info/", token, params={"fields": fields}).get("user", {})

    def creator_info(self, token: str) -> dict:
        return self._api("POST", "/v2/post/publish/creator_info/query/", token, body={})

    def init_direct_post(self, token: str, post_info: dict, source_info: dict) -> dict:
        return self._api(
            "POST", "/v2/post/publish/video/init/", token, body={"post_info": post_info, "source_info": source_info}
        )

    def init_inbox(self, token: str, source_info: dict) -> dict:
        return self._api("POST", "/v2/post/publish/inbox/video/init/", token, body={"source_info": source_info})

    def upload_chunk(
        self, upload_url: str, data: bytes, *, first: int, total: int, content_type: str = "video/mp4"
    ) -> int:
        """PUT one chunk (no Authorization header); returns the HTTP status (206 more, 201 done).
        Other statuses raise TikTokAPIError with the status as `code` ("upload_403", ...)."""
        last = first + len(data) - 1
        headers = {
            "Content-Type": content_type,
            "Content-Length": str(len(data)),
            "Content-Range": f"bytes {first}-{last}/{total}",
        }
        try:
            response = self._http.put(upload_url, content=data, headers=headers)
        except httpx.HTTPError:
            raise TikTokConnectionError from None
        if response.status_code in (201, 206):
            return response.status_code
        raise TikTokAPIError(f"upload_{response.status_code}", response.text[:200], status=response.status_code)

    def fetch_status(self, token: str, publish_id: str) -> dict:
        return self._api("POST", "/v2/post/publish/status/fetch/", token, body={"publish_id": publish_id})

    def cancel(self, token: str, publish_id: str) -> dict:
        return self._api("POST", "/v2/post/publish/cancel/", token, body={"publish_id": publish_id})

    def video_list(self, token: str, *, cursor: int | None = None, max_count: int = 20, fields=VIDEO_FIELDS) -> dict:
        body: dict = {"max_count": max_count}
        if cursor is not None:
            body["cursor"] = cursor
        return self._api("POST", "/v2/video/list/", token, body=body, params={"fields": fields})

    def video_query(self, token: str, video_ids, fields=VIDEO_FIELDS) -> list[dict]:
        body = {"filters": {"video_ids": [str(v) for v in video_ids]}}
        return self._api("POST", "/v2/video/query/", token, body=body, params={"fields": fields}).get("videos", [])


def _json(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
