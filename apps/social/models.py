import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core import clock
from apps.orgs.models import Organization
from apps.orgs.tenancy import TenantModel


class PlatformKey(models.TextChoices):
    TIKTOK = "tiktok", "TikTok"


class AccountStatus(models.TextChoices):
    CONNECTED = "connected", _("Connected")
    NEEDS_RECONNECT = "needs_reconnect", _("Needs reconnect")
    REVOKED = "revoked", _("Disconnected")


# TikTok's privacy levels (creator_info `privacy_level_options`) in words.
PRIVACY_LABELS = {
    "PUBLIC_TO_EVERYONE": _("Everyone"),
    "MUTUAL_FOLLOW_FRIENDS": _("Friends"),
    "FOLLOWER_OF_CREATOR": _("Followers"),
    "SELF_ONLY": _("Only me"),
}


class SocialAccount(TenantModel):
    """A creator account of a platform that an organization connected through OAuth.

    The tokens live in `OAuthToken` (encrypted). `creator_info` keeps what the platform says
    the creator may post (privacy options, maximum duration, disabled interactions);
    `projects` are the projects that may publish to it (admins choose; empty: none yet).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="social_accounts", verbose_name=_("organization")
    )
    platform = models.CharField(_("platform"), max_length=20, choices=PlatformKey.choices)
    open_id = models.CharField(_("platform user id"), max_length=128)
    display_name = models.CharField(_("display name"), max_length=200, blank=True)
    username = models.CharField(_("user name"), max_length=200, blank=True)
    avatar_url = models.URLField(_("avatar"), max_length=1000, blank=True)
    scopes = models.JSONField(_("granted scopes"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=AccountStatus.choices, default=AccountStatus.CONNECTED
    )
    status_reason = models.JSONField(_("status reason"), default=dict, blank=True)  # apps.core.reasons
    creator_info = models.JSONField(_("creator limits"), default=dict, blank=True)
    stats = models.JSONField(_("statistics"), default=dict, blank=True)
    projects = models.ManyToManyField(
        "projects.Project", blank=True, related_name="social_accounts", verbose_name=_("projects")
    )
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("connected by"),
    )  # fmt: skip
    connected_at = models.DateTimeField(_("connected at"), default=clock.now)
    last_checked_at = models.DateTimeField(_("last checked at"), null=True, blank=True)
    disconnected_at = models.DateTimeField(_("disconnected at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("social account")
        verbose_name_plural = _("social accounts")
        ordering = ["platform", "display_name", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "platform", "open_id"], name="unique_social_account"),
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()}: {self.display_name or self.username or self.open_id}"

    @property
    def is_connected(self) -> bool:
        return self.status == AccountStatus.CONNECTED

    @property
    def privacy_labels(self) -> list:
        options = self.creator_info.get("privacy_level_options") or []
        return [PRIVACY_LABELS.get(option, option) for option in options]


class OAuthToken(TenantModel):
    """The OAuth tokens of one social account, encrypted with the credentials' key ring.

    `payload` is one Fernet token of {"access_token", "refresh_token"} (apps.credentials.crypto);
    `key_id` names the key that encrypted it, so `manage.py rotate_credentials` re-encrypts it.
    `version` grows with every refresh: a worker that read version n and finds n+1 under the
    row lock knows another worker refreshed meanwhile.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    account = models.OneToOneField(SocialAccount, on_delete=models.CASCADE, related_name="token")
    payload = models.TextField(_("encrypted tokens"), blank=True, editable=False, serialize=False)
    key_id = models.CharField(_("encryption key id"), max_length=16, blank=True, editable=False)
    access_expires_at = models.DateTimeField(_("access token expires at"), null=True, blank=True)
    refresh_expires_at = models.DateTimeField(_("refresh token expires at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    refreshed_at = models.DateTimeField(_("last refresh"), null=True, blank=True)
    rotated_at = models.DateTimeField(_("re-encrypted at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("OAuth token")
        verbose_name_plural = _("OAuth tokens")
        constraints = [
            models.CheckConstraint(condition=~Q(payload="") | Q(key_id=""), name="oauth_token_key_id_with_payload"),
        ]
        indexes = [models.Index(fields=["key_id"], name="oauth_token_key_id_idx")]

    def __str__(self) -> str:
        return f"OAuth token of {self.account_id} (v{self.version})"

    def __repr__(self) -> str:
        return f"<OAuthToken {self.id} account={self.account_id} v{self.version} key={self.key_id or '-'}>"


class WebhookEvent(models.Model):
    """A verified webhook a platform sent us (publishing reads them); not owned by one organization
    until matched to an account, so it is a platform-level log."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    platform = models.CharField(_("platform"), max_length=20, choices=PlatformKey.choices)
    event = models.CharField(_("event"), max_length=80)
    open_id = models.CharField(_("platform user id"), max_length=128, blank=True)
    publish_id = models.CharField(_("publish id"), max_length=64, blank=True, db_index=True)
    payload = models.JSONField(_("payload"), default=dict)
    sent_at = models.DateTimeField(_("sent at"))
    received_at = models.DateTimeField(_("received at"), default=clock.now)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["received_at"]

    def __str__(self) -> str:
        return f"{self.platform} {self.event} {self.publish_id}"
