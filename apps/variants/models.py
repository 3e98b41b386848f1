"""A brief (one idea for every chosen platform and language) and its caption variants, plus the
example posts of a project's brand voice (the trainer keeps them for few-shot prompts)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.orgs.models import TenantBase
from apps.posts.models import PostItem
from apps.projects.models import Project

PER_PLATFORM_MAX = 5


class BriefStatus(models.TextChoices):
    RUNNING = "running", _("Generating")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Brief(TenantBase):
    tenant_scope_fields = ("organization", "project")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+", verbose_name=_("project"))
    post = models.ForeignKey(
        PostItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("post")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("created by")
    )
    topic = models.CharField(_("topic"), max_length=200)
    goal = models.CharField(_("goal"), max_length=200, blank=True)
    key_message = models.TextField(_("key message"), max_length=600, blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True)
    cta = models.CharField(_("call to action"), max_length=150, blank=True)
    audience = models.CharField(_("audience"), max_length=200, blank=True)
    languages = models.JSONField(_("languages"), default=list)
    platforms = models.JSONField(_("platforms"), default=list)
    per_platform = models.PositiveSmallIntegerField(_("variants per platform"), default=3)
    status = models.CharField(_("status"), max_length=10, choices=BriefStatus.choices, default=BriefStatus.RUNNING)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("brief")
        verbose_name_plural = _("briefs")

    def __str__(self) -> str:
        return self.topic

    @property
    def expected(self) -> int:
        return len(self.platforms) * len(self.languages) * self.per_platform


class LinkPlacement(models.TextChoices):
    IN_TEXT = "in_text", _("In the text")
    FIRST_COMMENT = "first_comment", _("First comment")
    BIO = "bio", _("Link in bio")
    NONE = "none", _("No link")


class VariantStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


class Variant(TenantBase):
    """One caption for one platform and language. `version` is the optimistic lock, as on posts."""

    tenant_scope_fields = ("organization", "brief", "project")

    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="variants", verbose_name=_("brief"))
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+", verbose_name=_("project"))
    platform = models.CharField(_("platform"), max_length=20)
    language = models.CharField(_("language"), max_length=5)
    index = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("text"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    hashtags = models.JSONField(_("hashtags"), default=list, blank=True)
    cta = models.CharField(_("call to action"), max_length=300, blank=True)
    link_placement = models.CharField(
        _("link placement"), max_length=20, choices=LinkPlacement.choices, default=LinkPlacement.NONE
    )
    first_comment = models.TextField(_("first comment"), blank=True)
    media_prompt = models.TextField(_("image or video prompt"), blank=True)
    policy = models.JSONField(_("policy verdict"), default=dict, blank=True)
    style_score = models.PositiveSmallIntegerField(_("style match"), null=True, blank=True)
    offline = models.BooleanField(_("offline draft"), default=False)
    favourite = models.BooleanField(_("favourite"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=VariantStatus.choices, default=VariantStatus.DRAFT)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        constraints = [
            models.UniqueConstraint(fields=["brief", "platform", "language", "index"], name="one_variant_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.platform} {self.language} #{self.index}"


class VoiceExample(TenantBase):
    """An example post of the project's voice (the brand-voice trainer keeps 5–30)."""

    tenant_scope_fields = ("organization", "project")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+", verbose_name=_("project"))
    text = models.TextField(_("text"), max_length=3000)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("voice example")
        verbose_name_plural = _("voice examples")
