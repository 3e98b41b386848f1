import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.jobs import kinds
from apps.orgs.models import optional_organization
from apps.orgs.tenancy import TenantModel


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    RETRYING = "retrying", _("Waiting to retry")
    SUCCEEDED = "succeeded", _("Succeeded")
    DEAD = "dead", _("Failed (dead letter)")


class JobRun(TenantModel):
    """One background job as the user sees it: what, for whom, how far, and how it ended."""

    ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.RETRYING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = optional_organization("job_runs")
    kind = models.CharField(_("kind"), max_length=100)
    actor_name = models.CharField(_("actor"), max_length=100)
    queue_name = models.CharField(_("queue"), max_length=50, default="default")
    target = models.CharField(_("target"), max_length=200, blank=True)
    payload = models.JSONField(_("arguments"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    step = models.CharField(_("step"), max_length=200, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    message_id = models.CharField(_("message id"), max_length=64, blank=True)
    request_id = models.CharField(_("request id"), max_length=128, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    requeued_count = models.PositiveIntegerField(_("times re-queued"), default=0)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "status", "-created_at"], name="jobrun_org_status")]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="jobrun_progress_max_100"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.id} ({self.status})"

    @property
    def kind_label(self) -> str:
        return kinds.label(self.kind)

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None
