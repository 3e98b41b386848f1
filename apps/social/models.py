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


# --- publishing (issue 19) --------------------------------------------------------------------------


class PublishMode(models.TextChoices):
    DIRECT = "direct", _("Direct post")
    INBOX = "inbox", _("Draft in the creator's TikTok inbox")


class PublishSettings(TenantModel):
    """How one project publishes: direct post or inbox drafts, and how late a missed slot may
    still go out (posts missed while the workers were down are caught up within this window)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="publish_settings", verbose_name=_("project")
    )
    mode = models.CharField(
        _("publishing mode"), max_length=10, choices=PublishMode.choices, default=PublishMode.DIRECT
    )
    catch_up_minutes = models.PositiveIntegerField(_("catch-up window (minutes)"), default=120)

    class Meta:
        verbose_name = _("publishing settings")
        verbose_name_plural = _("publishing settings")

    def __str__(self) -> str:
        return f"{self.project_id}: {self.mode}"


class PublishState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    QUEUED = "queued", _("Queued")
    INITIALIZED = "initialized", _("Initialized")
    UPLOADING = "uploading", _("Uploading")
    PROCESSING = "processing", _("Processing at TikTok")
    PUBLISHED = "published", _("Published")
    IN_INBOX = "in_inbox", _("In the creator's inbox")
    BLOCKED = "blocked", _("Blocked")
    MISSED = "missed", _("Missed its slot")
    FAILED = "failed", _("Failed")


ACTIVE_STATES = (PublishState.QUEUED, PublishState.INITIALIZED, PublishState.UPLOADING, PublishState.PROCESSING)
FINAL_STATES = (PublishState.PUBLISHED, PublishState.IN_INBOX, PublishState.FAILED)


class Publication(TenantModel):
    """One post going to one TikTok account: the user's composer choices with their consent
    (who, when), then the publishing state machine.

    queued → initialized (publish_id stored) → uploading n/N (uploaded_bytes after every chunk)
    → processing → published / in inbox / failed. Each step is saved before the next API call,
    so a worker killed anywhere resumes from the row: a stored `publish_id` is always asked
    for its status before anything else, and never replaced while it could still complete.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="publications", verbose_name=_("project")
    )
    post = models.OneToOneField(
        "posts.PostItem", on_delete=models.CASCADE, related_name="publication", verbose_name=_("post")
    )
    account = models.ForeignKey(
        SocialAccount, on_delete=models.PROTECT, related_name="publications", verbose_name=_("account")
    )
    mode = models.CharField(_("publishing mode"), max_length=10, choices=PublishMode.choices)
    state = models.CharField(_("state"), max_length=12, choices=PublishState.choices, default=PublishState.SCHEDULED)
    # The composer's choices (post_info), with the consent that allows the upload.
    title = models.TextField(_("title"), blank=True)
    privacy_level = models.CharField(_("who can view"), max_length=30, blank=True)
    allow_comment = models.BooleanField(_("allow comments"), default=False)
    allow_duet = models.BooleanField(_("allow duets"), default=False)
    allow_stitch = models.BooleanField(_("allow stitches"), default=False)
    brand_organic = models.BooleanField(_("promotes your own brand"), default=False)
    brand_content = models.BooleanField(_("paid partnership"), default=False)
    is_aigc = models.BooleanField(_("AI-generated content label"), default=False)
    consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("consent given by"),
    )  # fmt: skip
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    autopilot = models.BooleanField(_("autopilot"), default=False)
    scheduled_for = models.DateTimeField(_("scheduled for"), db_index=True)
    # The video as it was when the publication was queued.
    render_id = models.UUIDField(_("render"), null=True, blank=True)
    video_key = models.CharField(_("video storage key"), max_length=500, blank=True)
    video_size = models.PositiveBigIntegerField(_("video size in bytes"), default=0)
    duration_s = models.FloatField(_("duration in seconds"), default=0)
    cover_timestamp_ms = models.PositiveIntegerField(_("cover frame at (ms)"), null=True, blank=True)
    chunk_size = models.PositiveBigIntegerField(_("chunk size"), default=0)
    total_chunk_count = models.PositiveIntegerField(_("chunks"), default=0)
    # TikTok's side.
    publish_id = models.CharField(_("publish id"), max_length=64, blank=True, db_index=True)
    upload_url = models.URLField(_("upload URL"), max_length=1000, blank=True)
    upload_expires_at = models.DateTimeField(_("upload URL expires at"), null=True, blank=True)
    uploaded_bytes = models.PositiveBigIntegerField(_("uploaded bytes"), default=0)
    last_status = models.JSONField(_("last status answer"), default=dict, blank=True)
    tiktok_post_id = models.CharField(_("TikTok post id"), max_length=40, blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True)
    failure = models.JSONField(_("reason"), default=dict, blank=True)  # apps.core.reasons
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    inits = models.PositiveIntegerField(_("init calls"), default=0)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("published by"),
    )  # fmt: skip
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["scheduled_for"]
        indexes = [models.Index(fields=["state", "scheduled_for"], name="publication_due")]

    def __str__(self) -> str:
        return f"{self.post_id} → {self.account_id} ({self.state})"

    @property
    def chunks_done(self) -> int:
        if not self.chunk_size:
            return 0
        if self.uploaded_bytes >= self.video_size:
            return self.total_chunk_count
        return self.uploaded_bytes // self.chunk_size

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    def post_info(self) -> dict:
        """TikTok's `post_info` for a direct post."""
        info = {
            "privacy_level": self.privacy_level,
            "title": self.title,
            "disable_comment": not self.allow_comment,
            "disable_duet": not self.allow_duet,
            "disable_stitch": not self.allow_stitch,
            "brand_content_toggle": self.brand_content,
            "brand_organic_toggle": self.brand_organic,
            "is_aigc": self.is_aigc,
        }
        if self.cover_timestamp_ms is not None:
            info["video_cover_timestamp_ms"] = self.cover_timestamp_ms
        return info


class PublishEvent(TenantModel):
    """The audit trail of a publication: who consented, scheduled, published, retried, with which
    settings, and each state the pipeline reached."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="events", verbose_name=_("publication")
    )
    kind = models.CharField(_("event"), max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("by"),
    )  # fmt: skip
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), default=clock.now)

    class Meta:
        verbose_name = _("publishing event")
        verbose_name_plural = _("publishing events")
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"
