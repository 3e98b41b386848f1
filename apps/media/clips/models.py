"""Generated clips: where a project's scene pictures come from, and each generation as a resumable step.

Imported by apps.media.models, so these are media's models (app label "media").
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.orgs.models import Organization
from apps.orgs.tenancy import TenantModel
from apps.posts.models import PostItem
from apps.projects.models import Project


class VideoSource(models.TextChoices):
    LIBRARY = "library", _("Asset library (or a brand card)")
    VEO = "veo", "Google Veo"
    KLING = "kling", "Kling"


GENERATED_SOURCES = (VideoSource.VEO, VideoSource.KLING)


class KlingMode(models.TextChoices):
    STANDARD = "std", _("Standard")
    PROFESSIONAL = "pro", _("Professional")


class ProjectVideoSettings(TenantModel):
    """A project's default source for scene pictures and the provider models it uses."""

    tenant_scope_fields = ("organization", "project")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("organization"))  # fmt: skip
    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="+", verbose_name=_("project"))
    default_source = models.CharField(
        _("default video source"), max_length=10, choices=VideoSource.choices, default=VideoSource.LIBRARY
    )
    veo_model = models.CharField(_("Veo model"), max_length=60, default="veo-3.1-fast-generate-preview")
    kling_model = models.CharField(_("Kling model"), max_length=60, default="kling-v1-6")
    kling_mode = models.CharField(_("Kling mode"), max_length=3, choices=KlingMode.choices, default=KlingMode.STANDARD)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("project video settings")
        verbose_name_plural = _("project video settings")

    def __str__(self) -> str:
        return f"{self.project_id}: {self.default_source}"


class SceneSource(TenantModel):
    """One scene's own source, overriding the project's default."""

    tenant_scope_fields = ("organization", "post")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("organization"))  # fmt: skip
    post = models.ForeignKey(PostItem, on_delete=models.CASCADE, related_name="+", verbose_name=_("post"))
    scene_index = models.PositiveSmallIntegerField(_("scene"))
    source = models.CharField(_("video source"), max_length=10, choices=VideoSource.choices)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("scene video source")
        verbose_name_plural = _("scene video sources")
        constraints = [models.UniqueConstraint(fields=["post", "scene_index"], name="media_scene_source_unique")]

    def __str__(self) -> str:
        return f"{self.post_id} #{self.scene_index}: {self.source}"


class ClipStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Generating")
    DONE = "done", _("Done")
    BLOCKED = "blocked", _("Blocked by the provider's safety filter")
    FAILED = "failed", _("Failed")


ACTIVE_CLIP_STATUSES = (ClipStatus.PENDING, ClipStatus.RUNNING)


class GeneratedClip(TenantModel):
    """One generation at Veo or Kling, persisted step by step so a killed worker resumes it.

    `operation` (Veo's operation name, Kling's task id) is written as soon as the create call
    answers and before the first poll: a resumed step polls it instead of creating again.
    `settings_key` (provider, model, prompt and settings) lets the same request reuse the clip.
    """

    tenant_scope_fields = ("organization", "project", "post", "asset")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("organization"))  # fmt: skip
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("project"))  # fmt: skip
    post = models.ForeignKey(PostItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("post"))  # fmt: skip
    provider = models.CharField(_("provider"), max_length=10, choices=VideoSource.choices)
    model = models.CharField(_("model"), max_length=60)
    mode = models.CharField(_("mode"), max_length=3, blank=True)
    prompt = models.TextField(_("prompt"))
    negative_prompt = models.TextField(_("negative prompt"), blank=True)
    aspect_ratio = models.CharField(_("aspect ratio"), max_length=5, default="9:16")
    seconds = models.PositiveSmallIntegerField(_("requested seconds"))
    settings_key = models.CharField(_("settings key"), max_length=64, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=ClipStatus.choices, default=ClipStatus.PENDING)
    operation = models.CharField(_("operation or task id"), max_length=300, blank=True)
    video_url = models.TextField(_("result URL"), blank=True)
    creates = models.PositiveSmallIntegerField(_("create calls"), default=0)
    attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    polls = models.PositiveIntegerField(_("polls"), default=0)
    started_at = models.DateTimeField(_("operation started at"), null=True, blank=True)
    next_step_at = models.DateTimeField(_("next step at"), null=True, blank=True)
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    quota_key = models.CharField(_("quota reservation key"), max_length=100, blank=True)
    asset = models.ForeignKey("media.Asset", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("asset"))  # fmt: skip
    seconds_received = models.PositiveIntegerField(_("seconds received"), null=True, blank=True)
    reason = models.JSONField(_("reason"), default=dict, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("generated clip")
        verbose_name_plural = _("generated clips")
        ordering = ["-created_at"]
        constraints = [
            # One live (or finished) generation per request: the same prompt and settings reuse it.
            models.UniqueConstraint(
                fields=["organization", "settings_key"], condition=~Q(status="failed"), name="media_clip_live_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.status}: {self.prompt[:40]}"

    @property
    def finished(self) -> bool:
        return self.status not in ACTIVE_CLIP_STATUSES
