"""Projects: one brand or client of an agency, with its brand kit and per-project reviewer grants."""

import uuid
import zoneinfo
from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from apps.core import clock
from apps.orgs.models import Organization
from apps.orgs.tenancy import TenantModel


def default_slot_times() -> list[str]:
    return ["09:00", "13:00", "19:00"]


def brand_upload_to(instance, filename: str) -> str:
    """Brand files live under the project's prefix in the default storage (see DESIGN.md)."""
    return f"org_{instance.organization_id}/project_{instance.id}/brand/{filename}"


class ApprovalRule(models.TextChoices):
    NONE = "none", _("No approval needed")
    EDITOR = "editor", _("An editor approves")
    CLIENT_REVIEWER = "client_reviewer", _("A client reviewer approves")


class Project(TenantModel):
    """One brand or client of an agency, with its brand kit, budgets and schedule.

    The brand voice (voice, tone, do/don't) lives in apps.ai.models.BrandVoice(project=...)
    so the orchestrator composes it into every system prompt.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="projects", verbose_name=_("organization")
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=60)
    language = models.CharField(_("content language"), max_length=8, choices=settings.LANGUAGES, default="de")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Budgets within the organization's plan; empty means "only the plan's limits apply".
    monthly_token_budget = models.PositiveBigIntegerField(_("monthly token budget"), null=True, blank=True)
    monthly_video_seconds_budget = models.PositiveIntegerField(_("monthly video seconds budget"), null=True, blank=True)
    max_regenerations_per_post = models.PositiveSmallIntegerField(
        _("maximum regenerations per post"), null=True, blank=True
    )
    # Brand kit (besides the voice, see the docstring).
    audience = models.TextField(_("audience"), blank=True)
    colors = models.JSONField(_("brand colours"), default=list, blank=True)
    logo = models.FileField(_("logo"), upload_to=brand_upload_to, max_length=255, blank=True)
    cta = models.CharField(_("call to action"), max_length=200, blank=True)
    hashtags = models.JSONField(_("hashtags"), default=list, blank=True)
    topics = models.JSONField(_("topics"), default=list, blank=True)
    content_pillars = models.JSONField(_("content pillars"), default=list, blank=True)
    target_platforms = models.JSONField(_("target platforms"), default=list, blank=True)
    autopilot = models.BooleanField(_("autopilot"), default=False)
    approval_rule = models.CharField(
        _("approval rule"), max_length=20, choices=ApprovalRule.choices, default=ApprovalRule.EDITOR
    )
    time_zone = models.CharField(_("time zone"), max_length=60, default="Europe/Berlin")
    slot_times = models.JSONField(_("daily slot times"), default=default_slot_times)

    class Meta:
        db_table = "planning_project"  # the model moved here from apps.planning; its table and rows stayed
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "slug"], name="unique_project_slug_per_org")]
        permissions = [("review_project", _("Can review and approve the posts of this project"))]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The project's time zone (the site's when the stored name is unknown)."""
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo(settings.TIME_ZONE)

    def today(self) -> date:
        """Today in the project's time zone (by `apps.core.clock`, so tests can set it)."""
        return clock.today(self.zone)

    def slot_time(self, slot: int) -> str:
        """The `HH:MM` of slot 1–3, or "" when the project has no such slot."""
        times = self.slot_times
        return str(times[slot - 1]) if isinstance(times, list) and 0 < slot <= len(times) else ""


class ProjectUserObjectPermission(UserObjectPermissionBase):
    """Direct foreign-key grants (guardian) on projects, e.g. a client reviewer."""

    content_object = models.ForeignKey(Project, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        db_table = "planning_projectuserobjectpermission"


class ProjectGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Project, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        db_table = "planning_projectgroupobjectpermission"


