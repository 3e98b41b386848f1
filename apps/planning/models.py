import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from apps.orgs.models import Organization
from apps.orgs.tenancy import TenantModel


class Project(TenantModel):
    """One brand or client of an agency. The planning issue adds the brand kit and budgets."""

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
    monthly_video_seconds_budget = models.PositiveIntegerField(
        _("monthly video seconds budget"), null=True, blank=True
    )
    max_regenerations_per_post = models.PositiveSmallIntegerField(
        _("maximum regenerations per post"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "slug"], name="unique_project_slug_per_org")]
        permissions = [("review_project", _("Can review and approve the posts of this project"))]

    def __str__(self) -> str:
        return self.name


class ProjectUserObjectPermission(UserObjectPermissionBase):
    """Direct foreign-key grants (guardian) on projects, e.g. a client reviewer."""

    content_object = models.ForeignKey(Project, on_delete=models.CASCADE)


class ProjectGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Project, on_delete=models.CASCADE)
