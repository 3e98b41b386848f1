from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.fields import user_reference
from apps.orgs.models import InvitationBase, Organization, TenantBase, new_invitation_token
from apps.orgs.tenancy import TenantModel
from apps.planning.models import ContentPlan
from apps.projects.models import Project


class PostStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    NEEDS_REVIEW = "needs_review", _("Needs review")
    NEEDS_APPROVAL = "needs_approval", _("Needs approval")
    APPROVED = "approved", _("Approved")


class VideoState(models.TextChoices):
    """Where the post's video stands, for the calendar badge (set by apps.media through posts.actions)."""

    NONE = "", _("No video yet")
    QUEUED = "queued", _("Video queued")
    RENDERING = "rendering", _("Video rendering")
    READY = "ready", _("Video ready")
    QA_FAILED = "qa_failed", _("Video needs a check")
    FAILED = "failed", _("Video failed")


class PublishBadge(models.TextChoices):
    """Where the post's publication stands, for the calendar badge (set by apps.social through posts.actions)."""

    NONE = "", _("Not scheduled")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHING = "publishing", _("Publishing")
    PUBLISHED = "published", _("Published")
    IN_INBOX = "in_inbox", _("In the TikTok inbox")
    FAILED = "failed", _("Not published")


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
    # Reason codes (`{"code", "params"}`, apps.core.reasons): rendered in the viewer's language.
    review_reason = models.JSONField(_("review reason"), default=list, blank=True)
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
    video_state = models.CharField(
        _("video"), max_length=10, choices=VideoState.choices, default=VideoState.NONE, blank=True
    )
    publish_state = models.CharField(
        _("publishing"), max_length=10, choices=PublishBadge.choices, default=PublishBadge.NONE, blank=True
    )
    # The published post's link ({"link": ...}) or why it was not published ({"reason": code + params}).
    publish_info = models.JSONField(_("publishing details"), default=dict, blank=True)
    locked = models.BooleanField(_("locked"), default=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    offline = models.BooleanField(_("offline draft"), default=False)
    approved_by = user_reference(_("approved by"))
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
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    post = models.ForeignKey(PostItem, on_delete=models.CASCADE, related_name="approvals", verbose_name=_("post"))
    post_version = models.PositiveIntegerField(_("post version"))
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    actor = user_reference(_("by"), blank=False)
    # Who acted through a review link (no account): the name they typed.
    actor_name = models.CharField(_("name"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.post_id} {self.action}"


# --- client review: guest reviewers, comments, signed review links ---------------------------------


_new_token = new_invitation_token  # migration 0005 names the token default by this path


class GuestInvitation(InvitationBase):
    """An e-mail invitation to review one project as a guest: accepting grants the project's review
    permission (django-guardian) and no membership, so the guest sees that project only."""

    tenant_scope_fields = ("organization", "project")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="guest_invitations", verbose_name=_("project")
    )

    class Meta(InvitationBase.Meta):
        verbose_name = _("guest invitation")
        verbose_name_plural = _("guest invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.project}"


class PostComment(TenantBase):
    """One message in a post's thread: by a member, a guest reviewer or (named) a review-link visitor."""

    tenant_scope_fields = ("organization", "post")

    post = models.ForeignKey(PostItem, on_delete=models.CASCADE, related_name="comments", verbose_name=_("post"))
    author = user_reference(_("author"))
    author_name = models.CharField(_("name"), max_length=120, blank=True)
    body = models.TextField(_("comment"))
    mentions = models.JSONField(_("mentioned addresses"), default=list, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.post_id}: {self.body[:40]}"

    @property
    def who(self) -> str:
        return self.author_name or (self.author.email if self.author else "—")


class ReviewLink(TenantBase):
    """A signed link that lets whoever opens it (no account) review one post or one week of a project.

    The URL carries the link id signed with the secret key; the row decides: expired or revoked
    links are 404 at once. An optional PIN is stored hashed; failed PIN attempts lock the link a while.
    """

    tenant_scope_fields = ("organization", "project")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="review_links", verbose_name=_("project")
    )
    post = models.ForeignKey(
        PostItem, null=True, blank=True, on_delete=models.CASCADE, related_name="review_links", verbose_name=_("post")
    )
    week_start = models.DateField(_("week starting"), null=True, blank=True)  # a Monday
    expires_on = models.DateField(_("valid until"))
    pin_hash = models.CharField(max_length=200, blank=True)
    failed_pin_attempts = models.PositiveSmallIntegerField(default=0)
    pin_locked_until = models.DateTimeField(null=True, blank=True)
    created_by = user_reference(_("created by"), blank=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review link")
        verbose_name_plural = _("review links")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(post__isnull=False, week_start__isnull=True)
                | models.Q(post__isnull=True, week_start__isnull=False),
                name="review_link_post_or_week",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project}: {self.post_id or self.week_start}"

    @property
    def has_pin(self) -> bool:
        return bool(self.pin_hash)


class ReviewLinkUse(TenantModel):
    """The audit of a review link: every opening, PIN attempt, approval and change request."""

    class Action(models.TextChoices):
        OPENED = "opened", _("Opened")
        PIN_FAILED = "pin_failed", _("Wrong PIN")
        PIN_ACCEPTED = "pin_accepted", _("PIN accepted")
        APPROVED = "approved", _("Approved")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        REFUSED = "refused", _("Refused")

    tenant_scope_fields = ("organization", "link")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    link = models.ForeignKey(ReviewLink, on_delete=models.CASCADE, related_name="uses", verbose_name=_("review link"))
    post = models.ForeignKey(
        PostItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("post")
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    name = models.CharField(_("name"), max_length=120, blank=True)
    ip = models.CharField(_("IP address"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("review link use")
        verbose_name_plural = _("review link uses")
        ordering = ["-created_at"]
