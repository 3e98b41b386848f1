"""The asset library: files an organization may use in its videos, each with its licence.

Files live in the default storage (local folder or S3) under `org_<id>/assets/<asset>/…`, or
`org_<id>/project_<id>/posts/<post>/<asset>/…` for files made for one post, and are only ever
served through signed, expiring links (`apps.media.links`).
"""

import uuid
from datetime import date, timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from apps.orgs.models import Organization
from apps.orgs.tenancy import TenantModel
from apps.posts.models import PostItem
from apps.projects.models import Project


class AssetKind(models.TextChoices):
    IMAGE = "image", _("Image")
    CLIP = "clip", _("Video clip")
    MUSIC = "music", _("Music")
    VOICE = "voice", _("Voice")
    FONT = "font", _("Font")
    LOGO = "logo", _("Logo")
    RENDER = "render", _("Render")
    THUMBNAIL = "thumbnail", _("Thumbnail")


IMAGE_KINDS = (AssetKind.IMAGE, AssetKind.LOGO, AssetKind.THUMBNAIL)
VIDEO_KINDS = (AssetKind.CLIP, AssetKind.RENDER)
AUDIO_KINDS = (AssetKind.MUSIC, AssetKind.VOICE)


class AssetSource(models.TextChoices):
    UPLOAD = "upload", _("Uploaded")
    GENERATED = "generated", _("Generated")
    RENDER = "render", _("Rendered")


class LicenceType(models.TextChoices):
    NONE = "", _("No licence recorded")
    OWN = "own", _("Own work")
    STOCK = "stock", _("Stock with licence")
    CC_BY = "cc_by", _("Creative Commons with attribution")
    CLIENT = "client", _("Provided by the client")
    GENERATED = "generated", _("Generated")


class LicenceState(models.TextChoices):
    """What the library filters and badges show; computed from the licence fields and today's date."""

    VALID = "valid", _("Licensed")
    EXPIRING = "expiring", _("Expires soon")
    EXPIRED = "expired", _("Expired")
    MISSING = "missing", _("No licence")


def _safe_name(filename: str) -> str:
    return get_valid_filename(filename.rsplit("/", 1)[-1])[:120] or "file"


def asset_prefix(asset: "Asset") -> str:
    """The storage folder of one asset: per post when it was made for one, else the organization's library."""
    if asset.post_id:
        return f"org_{asset.organization_id}/project_{asset.project_id}/posts/{asset.post_id}/{asset.id}"
    return f"org_{asset.organization_id}/assets/{asset.id}"


def asset_upload_to(asset: "Asset", filename: str) -> str:
    return f"{asset_prefix(asset)}/{_safe_name(filename)}"


def preview_upload_to(asset: "Asset", filename: str) -> str:
    return f"{asset_prefix(asset)}/preview/{_safe_name(filename)}"


class Asset(TenantModel):
    tenant_scope_fields = ("organization", "project", "post")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="assets", verbose_name=_("project")
    )
    post = models.ForeignKey(
        PostItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("post")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=AssetKind.choices)
    file = models.FileField(_("file"), upload_to=asset_upload_to, max_length=500)
    preview = models.FileField(_("preview"), upload_to=preview_upload_to, max_length=500, blank=True)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    duration = models.FloatField(_("duration in seconds"), null=True, blank=True)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    checksum = models.CharField(_("SHA-256 checksum"), max_length=64)
    source = models.CharField(_("source"), max_length=10, choices=AssetSource.choices, default=AssetSource.UPLOAD)
    licence_type = models.CharField(_("licence"), max_length=10, choices=LicenceType.choices, blank=True)
    licence_url = models.URLField(_("licence source URL"), max_length=500, blank=True)
    attribution = models.CharField(_("attribution text"), max_length=300, blank=True)
    licensed_until = models.DateField(
        _("licensed until"), null=True, blank=True, help_text=_("Last day the licence allows use. Empty: no end.")
    )
    licence_notes = models.TextField(_("licence notes"), blank=True)
    tags = ArrayField(models.CharField(max_length=40), default=list, blank=True, verbose_name=_("tags"))
    expiry_notice_sent_for = models.DateField(
        _("expiry e-mail sent for"),
        null=True,
        blank=True,
        help_text=_("The licensed-until date admins were told about."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("created by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organization", "checksum"], name="media_asset_org_checksum"),
            models.Index(fields=["organization", "kind", "-created_at"], name="media_asset_org_kind"),
            models.Index(fields=["organization", "licensed_until"], name="media_asset_org_until"),
        ]

    def __str__(self) -> str:
        return self.name

    def licence_state(self, today: date, warning_days: int | None = None) -> str:
        if warning_days is None:
            warning_days = settings.VF_MEDIA_EXPIRY_WARNING_DAYS
        if not self.licence_type:
            return LicenceState.MISSING
        if self.licensed_until is None:
            return LicenceState.VALID
        if self.licensed_until < today:
            return LicenceState.EXPIRED
        if self.licensed_until <= today + timedelta(days=warning_days):
            return LicenceState.EXPIRING
        return LicenceState.VALID

    @property
    def is_image(self) -> bool:
        return self.kind in IMAGE_KINDS

    @property
    def is_video(self) -> bool:
        return self.kind in VIDEO_KINDS

    @property
    def is_audio(self) -> bool:
        return self.kind in AUDIO_KINDS


class MediaPolicy(TenantModel):
    """The organization's licence rule: must every asset a post uses have a licence recorded?"""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="media_policy", verbose_name=_("organization")
    )
    require_licence = models.BooleanField(
        _("require a licence"),
        default=False,
        help_text=_("Posts may only use or publish videos whose assets all have a licence recorded."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("media policy")
        verbose_name_plural = _("media policies")

    def __str__(self) -> str:
        return f"{self.organization}: {self.require_licence}"

    @classmethod
    def current(cls, organization: Organization) -> "MediaPolicy":
        return cls.objects.for_org(organization).first() or cls(organization=organization)


class AssetUse(TenantModel):
    """An asset a post's video uses; `render` is the rendered video it went into (empty: chosen for the post)."""

    tenant_scope_fields = ("organization", "post", "asset", "render")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    post = models.ForeignKey(PostItem, on_delete=models.CASCADE, related_name="+", verbose_name=_("post"))
    render = models.ForeignKey(
        Asset, null=True, blank=True, on_delete=models.CASCADE, related_name="render_uses", verbose_name=_("render")
    )
    # CASCADE so an organization can be deleted; do_delete_asset refuses to delete an asset in use.
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="uses", verbose_name=_("asset"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("asset use")
        verbose_name_plural = _("asset uses")
        constraints = [
            models.UniqueConstraint(fields=["post", "render", "asset"], name="unique_asset_use", nulls_distinct=False)
        ]

    def __str__(self) -> str:
        return f"{self.asset_id} → {self.post_id}"


class RenderStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RENDERING = "rendering", _("Rendering")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Render(TenantModel):
    """One production of a post's video: what went in (digests), what came out (files, probe, QA), how it ended.

    The MP4 is an `Asset` of kind render (signed links, storage, `AssetUse.render`); `video_key` and
    `cover_key` are its storage keys. A render is publishable when it is done and its QA passed, or an
    editor overrode the failed QA with a reason (`qa_override_*`). `scene_sources` holds one record per
    scene of where its picture came from (library asset, generated clip, fallback and why), written by
    whoever picks the visuals.
    """

    tenant_scope_fields = ("organization", "project", "post")
    ACTIVE = (RenderStatus.QUEUED, RenderStatus.RENDERING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="renders", verbose_name=_("project"))
    post = models.ForeignKey(PostItem, on_delete=models.CASCADE, related_name="renders", verbose_name=_("post"))
    status = models.CharField(_("status"), max_length=10, choices=RenderStatus.choices, default=RenderStatus.QUEUED)
    failure = models.JSONField(
        _("failure reasons"), default=list, blank=True, help_text=_("Reason codes with parameters.")
    )
    video = models.ForeignKey(
        Asset, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("video file")
    )
    video_key = models.CharField(_("video storage key"), max_length=500, blank=True)
    cover_key = models.CharField(_("cover storage key"), max_length=500, blank=True)
    video_cover_timestamp_ms = models.PositiveIntegerField(_("cover frame at (ms)"), null=True, blank=True)
    duration_s = models.FloatField(_("duration in seconds"), null=True, blank=True)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    fps = models.FloatField(_("frames per second"), null=True, blank=True)
    size_bytes = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    qa_report = models.JSONField(_("QA report"), default=dict, blank=True)
    qa_passed = models.BooleanField(_("QA passed"), null=True, blank=True)
    qa_override_reason = models.TextField(_("QA override reason"), blank=True)
    qa_overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("QA overridden by"),
    )  # fmt: skip
    qa_overridden_at = models.DateTimeField(_("QA overridden at"), null=True, blank=True)
    spec_digest = models.CharField(_("input digest"), max_length=64, blank=True, db_index=True)
    segment_digests = models.JSONField(_("segment digests"), default=list, blank=True)
    reencoded_scenes = models.JSONField(
        _("re-encoded scenes"), default=list, blank=True, help_text=_("Scene indexes encoded by this render.")
    )
    reused = models.BooleanField(_("reused an earlier render"), default=False)
    steps = models.JSONField(_("seconds per step"), default=dict, blank=True)
    scene_sources = models.JSONField(
        _("scene sources"), default=list, blank=True, help_text=_("Per scene: where its picture came from.")
    )
    contains_generated_media = models.BooleanField(_("contains generated media"), default=False)
    synthetic_voice = models.BooleanField(_("synthetic voice"), default=True)
    voice = models.CharField(_("voice"), max_length=200, blank=True, help_text=_("The voice and its settings."))
    voice_fallback = models.JSONField(
        _("voice fallback"), default=dict, blank=True,
        help_text=_("Why the offline voice spoke instead of the project's voice (a reason code), if it did."),
    )  # fmt: skip
    job_run = models.ForeignKey(
        "jobs.JobRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("job")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("requested by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("render")
        verbose_name_plural = _("renders")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["post", "-created_at"], name="media_render_post_created")]

    def __str__(self) -> str:
        return f"{self.post_id} {self.status} {self.created_at:%Y-%m-%d %H:%M}" if self.created_at else str(self.id)

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def is_publishable(self) -> bool:
        return self.status == RenderStatus.DONE and (bool(self.qa_passed) or bool(self.qa_override_reason))

    @property
    def qa_failed_checks(self) -> list[dict]:
        return [check for check in self.qa_report.get("checks") or [] if not check.get("ok")]


class VoiceEngine(models.TextChoices):
    ESPEAK = "espeak", _("Offline voice (espeak-ng)")
    ELEVENLABS = "elevenlabs", _("ElevenLabs")


class ProjectVoiceSettings(TenantModel):
    """Who speaks a project's videos: the offline espeak-ng voice (the default) or an ElevenLabs voice."""

    tenant_scope_fields = ("organization", "project")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("organization"))  # fmt: skip
    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="+", verbose_name=_("project"))
    engine = models.CharField(_("voice"), max_length=12, choices=VoiceEngine.choices, default=VoiceEngine.ESPEAK)
    voice_id = models.CharField(_("ElevenLabs voice ID"), max_length=64, blank=True)
    model_id = models.CharField(_("ElevenLabs model"), max_length=60, default="eleven_multilingual_v2")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("project voice settings")
        verbose_name_plural = _("project voice settings")

    def __str__(self) -> str:
        return f"{self.project_id}: {self.engine}"


# Generated clips (Veo, Kling) and the video-source routing live in their own module.
from apps.media.clips.models import (  # noqa: E402, F401
    ClipStatus,
    GeneratedClip,
    ProjectVideoSettings,
    SceneSource,
    VideoSource,
)
