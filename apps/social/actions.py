"""Writes for social accounts: connect (after OAuth), refresh tokens, disconnect, project access.

Refresh is the delicate one. TikTok rotates refresh tokens: once a refresh succeeds, the old
refresh token is dead. So the refresh call runs while this worker holds the token row's lock
(`select_for_update`) and the new tokens are written in that same transaction: a second worker
waits on the lock, then sees the new expiry (or version) and does nothing. A refresh the platform
rejects with `invalid_grant` marks the account "needs reconnect" and e-mails the owners once.
"""

import json
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from apps.core import clock
from apps.orgs.models import Membership
from apps.orgs.roles import Role
from apps.projects.models import Project
from apps.social import reasons
from apps.social.models import AccountStatus, OAuthToken, SocialAccount, WebhookEvent
from apps.social.platforms import AccountInfo, PlatformError, Tokens, get_platform
from apps.social.tokens import seal, unseal

logger = logging.getLogger("viralforge.social")


class SocialError(Exception):
    """A request that cannot be done; the translated message is shown to the user."""


@sensitive_variables()
@transaction.atomic(durable=True)
def do_connect_account(org, platform_key: str, tokens: Tokens, info: AccountInfo, *, actor=None) -> SocialAccount:
    """Store a freshly authorized account (new, or reconnected: same platform user id)."""
    now = clock.now()
    account = (
        SocialAccount.objects.for_org(org)
        .select_for_update()
        .filter(platform=platform_key, open_id=tokens.open_id)
        .first()
    )
    if account is None:
        account = SocialAccount(organization=org, platform=platform_key, open_id=tokens.open_id, connected_at=now)
    account.display_name = info.display_name[:200]
    account.username = info.username[:200]
    account.avatar_url = info.avatar_url[:1000]
    account.scopes = sorted(tokens.scopes)
    account.stats = info.stats
    account.creator_info = info.creator_info
    account.status = AccountStatus.CONNECTED
    account.status_reason = {}
    account.connected_by = actor
    account.connected_at = now
    account.last_checked_at = now
    account.disconnected_at = None
    account.save()
    payload, key_id = seal(tokens.access_token, tokens.refresh_token)
    token = OAuthToken.objects.for_org(org).select_for_update().filter(account=account).first()
    if token is None:
        token = OAuthToken(organization=org, account=account, version=0)
    token.payload, token.key_id = payload, key_id
    token.access_expires_at = now + timedelta(seconds=tokens.expires_in)
    token.refresh_expires_at = now + timedelta(seconds=tokens.refresh_expires_in)
    token.version += 1
    token.refreshed_at = now
    token.save()
    logger.info(
        "Social account connected.",
        extra={"account_id": str(account.id), "platform": platform_key, "org": org.slug},
    )
    return account


@dataclass(frozen=True)
class RefreshOutcome:
    refreshed: bool
    status: str  # the account's status afterwards
    version: int  # the token version afterwards
    detail: str = ""  # "fresh", "refreshed_meanwhile", "not_connected", "rejected"


def needs_refresh(token: OAuthToken, now=None) -> bool:
    now = now or clock.now()
    margin = timedelta(seconds=settings.VF_TIKTOK_REFRESH_MARGIN_SECONDS)
    return token.access_expires_at is None or token.access_expires_at <= now + margin


@sensitive_variables()
def do_refresh_token(account_id, *, force: bool = False, seen_version: int | None = None) -> RefreshOutcome:
    """Refresh the account's access token if it expires soon (or `force`), under the row lock.

    `seen_version`: the token version the caller saw; if the row has moved on, someone else
    refreshed meanwhile and nothing is done. Platform errors that a retry may fix raise
    `PlatformError` (nothing changed); a rejected refresh token marks the account for reconnect.
    Durable: inside a caller's transaction a later rollback would throw away a refresh token the
    platform has already rotated, losing the account, so it refuses to run there.
    """
    with transaction.atomic(durable=True):
        # Trusted id from a job or an access-checked view: crossing organizations is fine here.
        token = OAuthToken.objects.unscoped().select_for_update().select_related("account").get(account_id=account_id)
        account = token.account
        if account.status != AccountStatus.CONNECTED or not token.payload:
            return RefreshOutcome(False, account.status, token.version, "not_connected")
        if seen_version is not None and token.version != seen_version:
            return RefreshOutcome(False, account.status, token.version, "refreshed_meanwhile")
        now = clock.now()
        if not force and not needs_refresh(token, now):
            return RefreshOutcome(False, account.status, token.version, "fresh")
        platform = get_platform(account.platform)
        if token.refresh_expires_at is not None and token.refresh_expires_at <= now:
            _mark_needs_reconnect(account, platform.label)
            return RefreshOutcome(False, account.status, token.version, "rejected")
        try:
            tokens = platform.refresh(unseal(token).refresh_token)
        except PlatformError as exc:
            if not exc.reconnect:
                raise
            _mark_needs_reconnect(account, platform.label)
            return RefreshOutcome(False, account.status, token.version, "rejected")
        token.payload, token.key_id = seal(tokens.access_token, tokens.refresh_token)
        token.access_expires_at = now + timedelta(seconds=tokens.expires_in)
        token.refresh_expires_at = now + timedelta(seconds=tokens.refresh_expires_in)
        token.version += 1
        token.refreshed_at = now
        token.save(
            update_fields=["payload", "key_id", "access_expires_at", "refresh_expires_at", "version", "refreshed_at"]
        )
        account.scopes = sorted(tokens.scopes) or account.scopes
        account.last_checked_at = now
        account.save(update_fields=["scopes", "last_checked_at"])
    logger.info("OAuth token refreshed.", extra={"account_id": str(account_id), "version": token.version})
    return RefreshOutcome(True, account.status, token.version, "refreshed")


def _mark_needs_reconnect(account: SocialAccount, platform_label: str) -> None:
    """Inside the refresh transaction: flag the account and e-mail the owners (once per transition)."""
    if account.status == AccountStatus.NEEDS_RECONNECT:
        return
    account.status = AccountStatus.NEEDS_RECONNECT
    account.status_reason = reasons.REFRESH_REJECTED.reason(platform=platform_label).as_dict()
    account.last_checked_at = clock.now()
    account.save(update_fields=["status", "status_reason", "last_checked_at"])
    logger.warning("Social account needs a reconnect.", extra={"account_id": str(account.id)})
    account_id = account.id
    transaction.on_commit(lambda: _email_owners_reconnect(account_id))


def _email_owners_reconnect(account_id) -> None:
    try:
        account = SocialAccount.objects.unscoped().select_related("organization").get(id=account_id)
        org = account.organization
        owners = Membership.objects.for_org(org).filter(role=Role.OWNER).select_related("user")
        by_language: dict[str, list[str]] = {}
        for membership in owners:
            by_language.setdefault(membership.user.language or settings.LANGUAGE_CODE, []).append(membership.user.email)
        link = settings.VF_BASE_URL.rstrip("/") + reverse("social_accounts", args=[org.slug])
        for language, recipients in by_language.items():
            with translation.override(language):
                subject = _("%(org)s: reconnect the %(platform)s account %(account)s") % {
                    "org": org.name,
                    "platform": account.get_platform_display(),
                    "account": account.display_name or account.open_id,
                }
                body = render_to_string("social/email/needs_reconnect.txt", {"account": account, "link": link})
            send_mail(subject, body, None, recipients)
    except Exception:  # the mail server is down: the page still shows the status
        logger.exception("Could not send the reconnect e-mail for social account %s.", account_id)


def _usable_token(account: SocialAccount) -> OAuthToken:
    """The account's token row, refreshed first when it expires soon (see `fresh_access_token`)."""
    platform = get_platform(account.platform)
    token = OAuthToken.objects.for_org(account.organization_id).get(account_id=account.id)
    if needs_refresh(token):
        do_refresh_token(account.id, seen_version=token.version)
        token = OAuthToken.objects.for_org(account.organization_id).select_related("account").get(account_id=account.id)
        if token.account.status != AccountStatus.CONNECTED:
            raise PlatformError(reasons.REFRESH_REJECTED.reason(platform=platform.label), reconnect=True)
    elif account.status != AccountStatus.CONNECTED:
        raise PlatformError(reasons.REFRESH_REJECTED.reason(platform=platform.label), reconnect=True)
    return token


@sensitive_variables()
def fresh_access_token(account: SocialAccount) -> str:
    """A usable access token for API calls, refreshed first when it expires soon. Call it outside
    a transaction (see `do_refresh_token`).

    Raises PlatformError (with `reconnect=True` when the account must be reconnected).
    """
    return unseal(_usable_token(account)).access_token


@sensitive_variables()
def with_access_token(account: SocialAccount, call):
    """`call(access_token)` with a fresh token; if the platform still rejects the token (revoked
    or expired early), refresh once under the lock and retry once, as the contract asks.

    The forced refresh names the version of the token that was rejected: when another worker has
    replaced that token meanwhile, its new one is used instead of rotating once more (each worker
    holding the old token would otherwise rotate again, one after the other)."""
    token = _usable_token(account)
    try:
        return call(unseal(token).access_token)
    except Exception as exc:
        if not get_platform(account.platform).token_rejected(exc):
            raise
    do_refresh_token(account.id, force=True, seen_version=token.version)
    account.refresh_from_db(fields=["status"])
    return call(fresh_access_token(account))


@sensitive_variables()
def do_disconnect_account(account: SocialAccount, *, actor=None) -> SocialAccount:
    """Revoke the token at the platform, wipe it here, keep the account row for the record.

    The revoke runs under the token's row lock, so no refresh can slip in between. If the platform
    cannot be reached nothing changes (SocialError); a token the platform no longer knows counts
    as revoked.
    """
    with transaction.atomic(durable=True):
        account = SocialAccount.objects.for_org(account.organization_id).select_for_update().get(id=account.id)
        if account.status == AccountStatus.REVOKED:
            raise SocialError(_("This account is already disconnected."))
        token = OAuthToken.objects.for_org(account.organization_id).select_for_update().filter(account=account).first()
        platform = get_platform(account.platform)
        if token is not None and token.payload:
            try:
                platform.revoke(unseal(token).access_token)
            except PlatformError as exc:
                if exc.retryable or exc.code == "invalid_client":
                    raise SocialError(str(exc)) from None
                logger.info("Revoke answered %s; the token counts as revoked.", exc.code)
            token.payload, token.key_id = "", ""
            token.save(update_fields=["payload", "key_id"])
        account.status = AccountStatus.REVOKED
        account.status_reason = reasons.DISCONNECTED.reason(user=str(getattr(actor, "email", "") or "-")).as_dict()
        account.disconnected_at = clock.now()
        account.save(update_fields=["status", "status_reason", "disconnected_at"])
    logger.info("Social account disconnected.", extra={"account_id": str(account.id), "actor": str(actor)})
    return account


@transaction.atomic(durable=True)
def do_set_account_projects(account: SocialAccount, project_ids, *, actor=None) -> SocialAccount:
    """Which of the organization's projects may publish to this account (ids of other
    organizations' projects are refused)."""
    account = SocialAccount.objects.for_org(account.organization_id).select_for_update().get(id=account.id)
    wanted = {str(pid) for pid in project_ids}
    projects = list(Project.objects.for_org(account.organization_id).filter(id__in=wanted))
    if len(projects) != len(wanted):
        raise SocialError(_("Unknown project."))
    account.projects.set(projects)
    logger.info(
        "Social account projects set.",
        extra={"account_id": str(account.id), "projects": len(projects), "actor": str(actor)},
    )
    return account


def do_record_webhook_event(platform_key: str, payload: dict, sent_at) -> WebhookEvent:
    """Keep a verified webhook (publishing matches it to its post by `publish_id`)."""
    content = payload.get("content")
    if isinstance(content, str):  # TikTok sends `content` as a JSON string
        try:
            content = json.loads(content)
        except ValueError:
            content = {}
    content = content if isinstance(content, dict) else {}
    return WebhookEvent.objects.create(
        platform=platform_key,
        event=str(payload.get("event", ""))[:80],
        open_id=str(payload.get("user_openid", ""))[:128],
        publish_id=str(content.get("publish_id", ""))[:64],
        payload=payload,
        sent_at=sent_at,
    )
