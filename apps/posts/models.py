
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.orgs.models import Organization, TenantBase
from apps.orgs.tenancy import TenantModel
from apps.planning.models import ContentPlan
from apps.projects.models import Project


class PostStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    NEEDS_REVIEW = "needs_review", _("Needs review")
    NEEDS_APPROVAL = "needs_approval", _("Needs approval")
    APPROVED = "approved", _("Approved")


class CommercialContent(models.TextChoices):
    NONE = "none", _("Not commercial")
    OWN_BRAND = "own_brand", _("Own brand")
    PAID_PARTNERSHIP = "paid_partnership", _("Paid partnership")


class PostItem(TenantBase):
    """One slot of a month plan: what to post, when, and where it stands.

    `version` is the optimistic lock: a save names the version it edited; a stale version is
    refused so two editors never overwrite each other.
    """

    tenant_scope_fields = ("organization", "project", "plan")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="posts", verbose_name=_("project"))
    plan = models.ForeignKey(ContentPlan, on_delete=models.CASCADE, related_name="posts", verbose_name=_("month plan"))
    date = models.DateField(_("date"))
    slot = models.PositiveSmallIntegerField(_("slot"))  # 1..3
    format = models.CharField(_("format"), max_length=60)
    hook = models.CharField(_("hook"), max_length=300)
    script = models.JSONField(_("script"), default=dict, blank=True)
    storyboard = models.JSONField(_("storyboard scenes"), default=list, blank=True)
    video_prompt = models.JSONField(_("video prompt"), default=dict, blank=True)
    caption = models.TextField(_("caption"), blank=True)
    hashtags = models.JSONField(_("hashtags"), default=list, blank=True)
    confidence = models.FloatField(_("confidence"), default=0)
    rationale = models.TextField(_("rationale"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=PostStatus.choices, default=PostStatus.DRAFT)
    review_reason = models.TextField(_("review reason"), blank=True)
    policy = models.JSONField(_("policy verdict"), default=dict, blank=True)
    commercial_content = models.CharField(
        _("commercial content"),
        max_length=20,
        choices=CommercialContent.choices,
        default=CommercialContent.NONE,
        help_text=_("A paid partnership must carry #anzeige/#werbung or “paid partnership” in the caption."),
    )
    ai_generated = models.BooleanField(
        _("AI-generated media"),
        default=False,
        help_text=_("The video, images or voice are AI-generated; publishing sets the platform's AI label."),
    )
    locked = models.BooleanField(_("locked"), default=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    offline = models.BooleanField(_("offline draft"), default=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["date", "slot"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "date", "slot"], name="one_post_per_plan_slot"),
            models.CheckConstraint(condition=models.Q(slot__gte=1, slot__lte=3), name="post_slot_1_to_3"),
        ]
        indexes = [models.Index(fields=["project", "date"], name="post_project_date")]

    def __str__(self) -> str:
        return f"{self.date} #{self.slot}: {self.hook[:50]}"


class Approval(TenantModel):
    """Who approved (or took back approval of) which version of a post, and when: the audit of approvals."""

    class Action(models.TextChoices):
        APPROVED = "approved", _("Approved")
        UNAPPROVED = "unapproved", _("Approval withdrawn")
        RESET_BY_EDIT = "reset_by_edit", _("Sent back by an edit")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    post = models.ForeignKey(PostItem, on_delete=models.CASCADE, related_name="approvals", verbose_name=_("post"))
    post_version = models.PositiveIntegerField(_("post version"))
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.post_id} {self.action}"
