"""The Platform interface: what ViralForge needs from a social network, TikTok first.

A platform connects accounts (authorize URL, code exchange), keeps them connected (refresh),
lets them go (revoke) and describes them (account info). Publishing and metrics come later.
Errors are `PlatformError`s carrying a reason code (apps.social.reasons) and whether a retry
may help or the account must be reconnected.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings

from apps.core.reasons import Reason
from apps.social import reasons
from apps.social.models import PlatformKey
from apps.social.tiktok.client import (
    TikTokAPIError,
    TikTokClient,
    TikTokConnectionError,
    TikTokOAuthError,
    TokenResponse,
)


class PlatformError(Exception):
    """A platform call failed; `reason` says why in the viewer's language (apps.core.reasons)."""

    def __init__(self, reason: Reason, *, code: str = "", retryable: bool = False, reconnect: bool = False):
        super().__init__(code or reason.code)
        self.reason = reason
        self.code = code
        self.retryable = retryable
        self.reconnect = reconnect  # the stored authorization is dead: the account needs a reconnect

    def __str__(self) -> str:
        return str(self.reason)


@dataclass(frozen=True)
class Tokens:
    open_id: str
    scopes: tuple[str, ...]
    expires_in: int
    refresh_expires_in: int
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)


@dataclass(frozen=True)
class AccountInfo:
    open_id: str
    display_name: str
    username: str
    avatar_url: str
    stats: dict
    creator_info: dict  # posting limits: privacy options, max duration, disabled interactions


class Platform(ABC):
    key: str
    label: str
    scopes: tuple[str, ...]  # requested at connect; all of them are required

    @abstractmethod
    def is_configured(self) -> bool: ...

    @abstractmethod
    def authorize_url(self, *, state: str, code_challenge: str) -> str: ...

    @abstractmethod
    def exchange_code(self, code: str, *, code_verifier: str) -> Tokens: ...

    @abstractmethod
    def refresh(self, refresh_token: str) -> Tokens: ...

    @abstractmethod
    def revoke(self, access_token: str) -> None: ...

    @abstractmethod
    def account_info(self, access_token: str) -> AccountInfo: ...

    @abstractmethod
    def token_rejected(self, exc: Exception) -> bool:
        """Did an API call fail because the access token is expired or revoked (refresh, retry once)?"""


class TikTokPlatform(Platform):
    key = PlatformKey.TIKTOK
    label = "TikTok"
    scopes = ("user.info.basic", "user.info.stats", "video.publish", "video.upload", "video.list")

    def is_configured(self) -> bool:
        return bool(settings.VF_TIKTOK_CLIENT_KEY and settings.VF_TIKTOK_CLIENT_SECRET)

    def _client(self) -> TikTokClient:
        return TikTokClient()

    def _fail(self, exc: Exception) -> PlatformError:
        if isinstance(exc, TikTokConnectionError):
            return PlatformError(reasons.UNREACHABLE.reason(platform=self.label), code="unreachable", retryable=True)
        if isinstance(exc, TikTokOAuthError):
            return PlatformError(
                reasons.oauth_error(exc.error, self.label),
                code=exc.error,
                retryable=exc.retryable,
                reconnect=exc.error == "invalid_grant",
            )
        if isinstance(exc, TikTokAPIError):
            return PlatformError(
                reasons.API_ERROR.reason(platform=self.label, error=exc.code),
                code=exc.code,
                retryable=exc.retryable,
                reconnect=exc.code in ("scope_not_authorized",),
            )
        raise exc

    @staticmethod
    def _tokens(response: TokenResponse) -> Tokens:
        return Tokens(
            open_id=response.open_id,
            scopes=response.scopes,
            expires_in=response.expires_in,
            refresh_expires_in=response.refresh_expires_in,
            access_token=response.access_token,
            refresh_token=response.refresh_token,
        )

    def authorize_url(self, *, state: str, code_challenge: str) -> str:
        with self._client() as client:
            return client.authorize_url(
                state=state,
                scopes=self.scopes,
                redirect_uri=settings.VF_TIKTOK_REDIRECT_URL,
                code_challenge=code_challenge,
            )

    def exchange_code(self, code: str, *, code_verifier: str) -> Tokens:
        try:
            with self._client() as client:
                response = client.exchange_code(
                    code, redirect_uri=settings.VF_TIKTOK_REDIRECT_URL, code_verifier=code_verifier
                )
            return self._tokens(response)
        except (TikTokOAuthError, TikTokConnectionError) as exc:
            raise self._fail(exc) from None

    def refresh(self, refresh_token: str) -> Tokens:
        try:
            with self._client() as client:
                return self._tokens(client.refresh(refresh_token))
        except (TikTokOAuthError, TikTokConnectionError) as exc:
            raise self._fail(exc) from None

    def revoke(self, access_token: str) -> None:
        try:
            with self._client() as client:
                client.revoke(access_token)
        except (TikTokOAuthError, TikTokConnectionError) as exc:
            raise self._fail(exc) from None

    def token_rejected(self, exc: Exception) -> bool:
        return isinstance(exc, TikTokAPIError) and exc.code == "access_token_invalid"

    def account_info(self, access_token: str) -> AccountInfo:
        blocked = ""
        try:
            with self._client() as client:
                user = client.user_info(access_token)
                try:
                    creator = client.creator_info(access_token)
                except TikTokAPIError as exc:
                    if exc.status != 200:  # creator_info reports posting caps in a 200 answer
                        raise
                    creator, blocked = {}, exc.code
        except (TikTokAPIError, TikTokConnectionError) as exc:
            raise self._fail(exc) from None
        stats = {
            name: user[name]
            for name in ("follower_count", "following_count", "likes_count", "video_count")
            if isinstance(user.get(name), int)
        }
        limits = {
            name: creator[name]
            for name in (
                "privacy_level_options",
                "comment_disabled",
                "duet_disabled",
                "stitch_disabled",
                "max_video_post_duration_sec",
            )
            if name in creator
        }
        if blocked:
            limits["posting_blocked"] = blocked
        return AccountInfo(
            open_id=str(user.get("open_id", "")),
            display_name=str(user.get("display_name") or creator.get("creator_nickname") or ""),
            username=str(creator.get("creator_username") or user.get("username") or ""),
            avatar_url=str(user.get("avatar_url") or creator.get("creator_avatar_url") or ""),
            stats=stats,
            creator_info=limits,
        )


@cache
def platforms() -> dict[str, Platform]:
    return {PlatformKey.TIKTOK: TikTokPlatform()}


def get_platform(key: str) -> Platform:
    try:
        return platforms()[key]
    except KeyError:
        raise LookupError(f"Unknown platform {key!r}") from None
