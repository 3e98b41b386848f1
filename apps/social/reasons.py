"""Reason codes of social accounts: why a connection failed, why an account needs a reconnect."""

from django.utils.translation import gettext_lazy as _

from apps.core.reasons import define

# OAuth errors of the authorize callback and the token endpoint (RFC 6749 codes TikTok uses).
OAUTH_ERRORS = {
    "access_denied": define(
        "social.oauth.access_denied",
        _("You did not allow ViralForge to use the %(platform)s account. Nothing was connected."),
    ),
    "invalid_client": define(
        "social.oauth.invalid_client",
        _(
            "%(platform)s did not accept this app's client key or secret. "
            "An administrator needs to check the app settings."
        ),
    ),
    "invalid_grant": define(
        "social.oauth.invalid_grant",
        _("The sign-in with %(platform)s expired or was already used. Please connect again."),
    ),
    "invalid_request": define(
        "social.oauth.invalid_request",
        _("%(platform)s refused the connection request as malformed. Please try again."),
    ),
    "invalid_scope": define(
        "social.oauth.invalid_scope",
        _("%(platform)s refused the requested permissions. The app may not be approved for them yet."),
    ),
    "unauthorized_client": define(
        "social.oauth.unauthorized_client",
        _(
            "This app is not allowed to connect %(platform)s accounts this way. "
            "Check the app's products and redirect URL."
        ),
    ),
    "unsupported_grant_type": define(
        "social.oauth.unsupported_grant_type",
        _("%(platform)s does not support this kind of sign-in. Please contact support."),
    ),
    "server_error": define(
        "social.oauth.server_error",
        _("%(platform)s had a problem on its side. Please try again in a few minutes."),
    ),
    "temporarily_unavailable": define(
        "social.oauth.temporarily_unavailable",
        _("%(platform)s is temporarily unavailable. Please try again in a few minutes."),
    ),
}
OAUTH_UNKNOWN = define(
    "social.oauth.unknown",
    _("%(platform)s answered with the error “%(error)s”. Nothing was connected."),
)
STATE_INVALID = define(
    "social.oauth.state_invalid",
    _("This connection attempt is invalid or has expired. Please start again from the Accounts page."),
)
SCOPES_MISSING = define(
    "social.oauth.scopes_missing",
    _("Not every permission was granted (missing: %(scopes)s). Please connect again and allow all of them."),
)
UNREACHABLE = define(
    "social.unreachable",
    _("%(platform)s could not be reached. Please try again later."),
)
API_ERROR = define(
    "social.api_error",
    _("%(platform)s answered with the error “%(error)s”."),
)
NOT_CONFIGURED = define(
    "social.not_configured",
    _("%(platform)s is not set up on this server (client key and secret are missing)."),
)
REFRESH_REJECTED = define(
    "social.refresh_rejected",
    _("%(platform)s no longer accepts the stored sign-in (it was revoked or expired). Please reconnect the account."),
)
DISCONNECTED = define("social.disconnected", _("Disconnected by %(user)s."))


def oauth_error(error: str, platform: str):
    """The reason for an OAuth error code (an unknown code keeps its name)."""
    code = OAUTH_ERRORS.get(error)
    if code is None:
        return OAUTH_UNKNOWN.reason(platform=platform, error=error[:60])
    return code.reason(platform=platform)
