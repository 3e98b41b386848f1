from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.fields import user_reference
from apps.orgs.models import TenantBase

# Migrations 0003 and 0004 (written when Project lived here) name these callables by this path.
from apps.projects.models import Project, brand_upload_to, default_slot_times  # noqa: E402, F401


class PlanStatus(models.TextChoices):
    GENERATING = "generating", _("Generating")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")
    SUPERSEDED = "superseded", _("Replaced by a newer version")


# The month's plan that counts: the ready one, or the first one while it is generated.
CURRENT_PLAN_STATUSES = (PlanStatus.GENERATING, PlanStatus.READY)


class ContentPlan(TenantBase):
    """A project's month: 30 days × 3 slots of posts. Regenerating creates a new version that keeps
    the locked posts; exactly one version per project and month is current (ready or generating)."""

    tenant_scope_fields = ("organization", "project")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="plans", verbose_name=_("project"))
    month = models.DateField(_("month"))  # the first day of the month
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.GENERATING)
    job_run = models.ForeignKey(
        "jobs.JobRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("job")
    )
    error = models.TextField(_("error"), blank=True)
    offline = models.BooleanField(_("offline draft"), default=False)
    created_by = user_reference(_("created by"))

    class Meta:
        verbose_name = _("content plan")
        verbose_name_plural = _("content plans")
        ordering = ["-month", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["project", "month", "version"], name="unique_plan_version"),
            models.UniqueConstraint(
                fields=["project", "month"],
                condition=models.Q(status__in=["generating", "ready"]),
                name="one_current_plan_per_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.month:%Y-%m} v{self.version}"
