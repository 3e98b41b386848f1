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


# --- publishing: the gates before any call, and TikTok's refusals -----------------------------------

GATE_NO_CONSENT = define(
    "publish.gate.no_consent",
    _("Nobody has confirmed the publishing settings and TikTok's terms for this post yet (Publish tab)."),
)
GATE_POLICY = define("publish.gate.policy", _("The policy check blocks this post: %(reasons)s"))
GATE_NOT_APPROVED = define(
    "publish.gate.not_approved", _("The post is not approved (status: %(status)s). Approve it first.")
)
GATE_NO_VIDEO = define("publish.gate.no_video", _("The post has no finished video yet. Render it first."))
GATE_QA_FAILED = define(
    "publish.gate.qa_failed", _("The video failed its quality check. Render it again or override the check.")
)
GATE_MEDIA = define("publish.gate.media", _("An asset of the post may not be used: %(reasons)s"))
GATE_NO_ACCOUNT = define(
    "publish.gate.no_account", _("No connected TikTok account may publish for this project. Connect one first.")
)
GATE_ACCOUNT = define(
    "publish.gate.account", _("The TikTok account %(account)s is not connected (%(status)s). Reconnect it first.")
)
GATE_SCOPES = define(
    "publish.gate.scopes",
    _("The TikTok account %(account)s did not grant the permission %(scopes)s. Reconnect it and allow it."),
)
GATE_TOKEN = define(
    "publish.gate.token", _("The sign-in of the TikTok account %(account)s has expired. Reconnect the account.")
)
GATE_CAPTION = define(
    "publish.gate.caption",
    _("The title has %(length)s characters (UTF-16 units); TikTok allows at most %(limit)s."),
)
GATE_DURATION = define(
    "publish.gate.duration",
    _("The video is %(duration)s seconds long; this creator may post at most %(limit)s seconds."),
)
GATE_PRIVACY = define(
    "publish.gate.privacy", _("Choose who can view the post from the options TikTok offers for this creator.")
)
GATE_BRANDED_PRIVATE = define(
    "publish.gate.branded_private", _("A paid partnership cannot be posted as “Only me”. Choose another audience.")
)
GATE_DAILY_CAP = define(
    "publish.gate.daily_cap",
    _("The account %(account)s has reached its %(limit)s posts for today. The post waits until tomorrow."),
)
GATE_CREATOR_BLOCKED = define(
    "publish.gate.creator_blocked", _("TikTok does not let this creator post right now (%(error)s).")
)
PUBLISH_REFUSED = define("publish.refused", _("TikTok refused the post: %(error)s."))
PUBLISH_FAILED = define("publish.failed", _("TikTok could not publish the video: %(error)s."))
PUBLISH_GAVE_UP = define(
    "publish.gave_up",
    _("TikTok kept answering with errors (%(error)s); publishing stopped after %(attempts)s attempts."),
)
PUBLISH_MISSED = define(
    "publish.missed",
    _("The slot at %(slot)s was missed by more than %(minutes)s minutes (the workers were down). Publish it by hand."),
)
