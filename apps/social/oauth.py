"""The OAuth round trip: a signed `state` bound to the session and organization, PKCE S256.

`begin(request, org, platform)` keeps a one-time attempt in the session (the PKCE verifier,
the organization, who started it) and returns the platform's authorize URL. The callback calls
`finish(request, params)`: the state's signature, the attempt in *this* session, its age and
organization must all match; the attempt is used up either way. Then the code is exchanged,
the granted scopes checked and the account stored through `actions.do_connect_account`.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import signing
from django.views.decorators.debug import sensitive_variables

from apps.core import clock
from apps.core.reasons import Reason
from apps.social import reasons
from apps.social.actions import do_connect_account
from apps.social.platforms import PlatformError, get_platform

STATE_SALT = "viralforge.social.oauth.state"
SESSION_PREFIX = "social_oauth:"
ATTEMPT_MAX_AGE = timedelta(minutes=15)
MAX_ATTEMPTS_IN_SESSION = 5


def code_challenge(verifier: str) -> str:
    """S256 as the contract describes it: hex SHA-256 of the verifier."""
    return hashlib.sha256(verifier.encode()).hexdigest()


def begin(request, org, platform_key: str) -> str:
    """Start a connection: remember the attempt in the session, return the authorize URL."""
    platform = get_platform(platform_key)
    nonce = secrets.token_urlsafe(24)
    verifier = secrets.token_urlsafe(48)  # 64 characters of [A-Za-z0-9_-], within PKCE's 43–128
    _forget_old_attempts(request.session)
    request.session[SESSION_PREFIX + nonce] = {
        "verifier": verifier,
        "org": str(org.id),
        "platform": platform_key,
        "user": str(request.user.pk),
        "started": clock.now().isoformat(),
    }
    state = signing.dumps({"n": nonce, "o": str(org.id), "p": platform_key}, salt=STATE_SALT, compress=True)
    return platform.authorize_url(state=state, code_challenge=code_challenge(verifier))


def _forget_old_attempts(session) -> None:
    attempts = sorted((k for k in session.keys() if k.startswith(SESSION_PREFIX)), key=lambda k: session[k]["started"])
    for stale in attempts[: max(0, len(attempts) - MAX_ATTEMPTS_IN_SESSION + 1)]:
        del session[stale]


@dataclass(frozen=True)
class Attempt:
    org_id: str
    platform: str
    verifier: str


def read_state(state: str) -> dict | None:
    """The signed state's content (nonce, organization, platform), or None if forged or garbled."""
    try:
        data = signing.loads(state or "", salt=STATE_SALT)
    except signing.BadSignature:
        return None
    return data if isinstance(data, dict) and {"n", "o", "p"} <= data.keys() else None


def take_attempt(request, state_data: dict) -> Attempt | None:
    """Use up the session's attempt for this state; None if it is not this session's, too old or
    for another organization or user."""
    entry = request.session.pop(SESSION_PREFIX + str(state_data["n"]), None)
    if not isinstance(entry, dict):
        return None
    try:
        started = datetime.fromisoformat(entry["started"])
    except (KeyError, ValueError):
        return None
    if clock.now() - started > ATTEMPT_MAX_AGE:
        return None
    if entry.get("org") != state_data["o"] or entry.get("platform") != state_data["p"]:
        return None
    if entry.get("user") != str(request.user.pk):
        return None
    return Attempt(org_id=entry["org"], platform=entry["platform"], verifier=entry["verifier"])


class ConnectFailed(Exception):
    def __init__(self, reason: Reason):
        super().__init__(reason.code)
        self.reason = reason

    def __str__(self) -> str:
        return str(self.reason)


@sensitive_variables()
def finish(org, attempt: Attempt, params, *, actor=None):
    """Complete the callback for a valid attempt: error or code → ConnectFailed or the account."""
    platform = get_platform(attempt.platform)
    error = params.get("error", "")
    if error:
        raise ConnectFailed(reasons.oauth_error(error, platform.label))
    code = params.get("code", "")
    if not code:
        raise ConnectFailed(reasons.oauth_error("invalid_request", platform.label))
    _check_scopes(platform, params.get("scopes", ""))
    try:
        tokens = platform.exchange_code(code, code_verifier=attempt.verifier)
    except PlatformError as exc:
        raise ConnectFailed(exc.reason) from None
    try:
        _check_scopes(platform, ",".join(tokens.scopes))
        info = platform.account_info(tokens.access_token)
    except (ConnectFailed, PlatformError) as exc:
        _revoke_quietly(platform, tokens.access_token)  # we keep nothing, so we hold nothing either
        raise exc if isinstance(exc, ConnectFailed) else ConnectFailed(exc.reason) from None
    return do_connect_account(org, attempt.platform, tokens, info, actor=actor)


@sensitive_variables()
def _revoke_quietly(platform, access_token: str) -> None:
    try:
        platform.revoke(access_token)
    except PlatformError:
        pass


def _check_scopes(platform, granted: str) -> None:
    have = {s.strip() for s in (granted or "").split(",") if s.strip()}
    missing = [scope for scope in platform.scopes if scope not in have]
    if missing:
        raise ConnectFailed(reasons.SCOPES_MISSING.reason(scopes=", ".join(missing)))
