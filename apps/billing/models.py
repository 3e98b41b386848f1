"""Plans, subscriptions and usage metering.

Every feature that spends money (LLM tokens, video seconds, renders, posts,
regenerations) goes through `apps.billing.quota`: a `Reservation` holds the
estimate while the work runs, `commit` turns it into one append-only
`UsageLedger` row, and `UsageAggregate` keeps the monthly totals the limits are
checked against (kept consistent with the ledger; `services.verify_aggregates`).
"""

import uuid
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.orgs.models import Organization, TenantBase
from apps.orgs.tenancy import TenantManager, TenantModel, TenantQuerySet


class UsageKind(models.TextChoices):
    TOKENS = "tokens", _("LLM tokens")
    VIDEO_SECONDS = "video_seconds", _("video seconds")
    RENDERS = "renders", _("renders")
    POSTS = "posts", _("posts")
    REGENERATIONS = "regenerations", _("regenerations")
    VOICE_CHARACTERS = "voice_chars", _("voice characters")


class Plan(models.Model):
    """What an organization may use per month. Shared by all organizations (not tenant data)."""

    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    seats = models.PositiveIntegerField(_("seats"))
    monthly_tokens = models.PositiveBigIntegerField(_("LLM tokens per month"))
    monthly_video_seconds = models.PositiveIntegerField(_("video seconds per month"))
    posts_per_month = models.PositiveIntegerField(_("posts per month"))
    monthly_voice_characters = models.PositiveIntegerField(
        _("voice characters per month"), default=200_000, help_text=_("Characters spoken by a paid voice (ElevenLabs).")
    )
    renders_per_post = models.PositiveIntegerField(_("renders per post"))
    regenerations_per_post = models.PositiveIntegerField(_("regenerations per post"))
    max_projects = models.PositiveIntegerField(_("maximum projects"))
    storage_mb = models.PositiveIntegerField(
        _("stored files (MB)"),
        default=1024,
        help_text=_("How much the organization's asset library may hold, in megabytes."),
    )
    price_cents = models.PositiveIntegerField(_("price per month (cents)"), default=0)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    allows_managed_keys = models.BooleanField(
        _("allows managed keys"),
        default=False,
        help_text=_("Whether the organization may use the platform's own provider keys."),
    )
    soft_limit_percent = models.PositiveSmallIntegerField(
        _("soft limit in percent"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Owners are warned once per month and kind when usage crosses this share of a limit."),
    )
    active = models.BooleanField(_("active"), default=True, help_text=_("Inactive plans cannot be chosen."))

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["price_cents", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(soft_limit_percent__gte=1, soft_limit_percent__lte=100),
                name="plan_soft_limit_percent_range",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def price(self) -> Decimal:
        return Decimal(self.price_cents) / 100

    def monthly_limit(self, kind: str) -> int | None:
        """The organization-wide monthly limit for `kind`, or None when the plan limits it per post."""
        return {
            UsageKind.TOKENS: self.monthly_tokens,
            UsageKind.VIDEO_SECONDS: self.monthly_video_seconds,
            UsageKind.POSTS: self.posts_per_month,
            UsageKind.VOICE_CHARACTERS: self.monthly_voice_characters,
        }.get(kind)

    @property
    def storage_bytes(self) -> int:
        return self.storage_mb * 1024 * 1024

    def per_post_limit(self, kind: str) -> int | None:
        return {
            UsageKind.RENDERS: self.renders_per_post,
            UsageKind.REGENERATIONS: self.regenerations_per_post,
        }.get(kind)


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    TRIALING = "trialing", _("trialing")
    PAST_DUE = "past_due", _("past due")
    CANCELED = "canceled", _("canceled")


class Subscription(TenantModel):
    """The organization's plan. Created lazily (Free) by `services.get_subscription`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="subscription", verbose_name=_("organization")
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions", verbose_name=_("plan"))
    status = models.CharField(
        _("status"), max_length=10, choices=SubscriptionStatus.choices, default=SubscriptionStatus.ACTIVE
    )
    current_period_start = models.DateTimeField(_("current period start"))
    current_period_end = models.DateTimeField(_("current period end"))
    seats = models.PositiveIntegerField(
        _("seats"),
        default=0,
        help_text=_("Extra seats: the organization gets the larger of this and the plan's seats."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self) -> str:
        return f"{self.organization} · {self.plan}"

    @property
    def effective_seats(self) -> int:
        return max(self.plan.seats, self.seats)


class LedgerIsAppendOnly(Exception):
    """Usage ledger rows are never changed or deleted (except with their organization)."""


class UsageLedgerQuerySet(TenantQuerySet):
    def update(self, **kwargs):
        # The one allowed change: deleting a project detaches its rows (on_delete=SET_NULL).
        if kwargs.keys() == {"project"} and kwargs["project"] is None:
            return super().update(**kwargs)
        raise LedgerIsAppendOnly("The usage ledger is append-only.")

    def delete(self):
        raise LedgerIsAppendOnly("The usage ledger is append-only.")


class UsageLedger(TenantModel):
    """One row per committed use of a metered resource. Append-only (also enforced by a database trigger)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    project = models.ForeignKey(
        "projects.Project",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("project"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=UsageKind.choices)
    month = models.DateField(_("month"), help_text=_("First day of the month the use counts against."))
    quantity = models.PositiveBigIntegerField(_("quantity"))
    cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=6, default=0)
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_('For example "posts.PostItem:<uuid>".')
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    request_id = models.CharField(_("request id"), max_length=128, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = TenantManager.from_queryset(UsageLedgerQuerySet)()

    class Meta:
        verbose_name = _("usage ledger entry")
        verbose_name_plural = _("usage ledger")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="billing_ledger_org_created"),
            models.Index(fields=["organization", "kind", "source"], name="billing_ledger_org_kind_src"),
            models.Index(fields=["organization", "month", "kind"], name="billing_ledger_org_month_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} {self.kind} · {self.organization_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerIsAppendOnly("The usage ledger is append-only.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerIsAppendOnly("The usage ledger is append-only.")


class UsageAggregate(TenantModel):
    """Monthly totals per organization (project empty) and per project: what the limits check against."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("project")
    )
    month = models.DateField(_("month"))
    kind = models.CharField(_("kind"), max_length=20, choices=UsageKind.choices)
    used = models.BigIntegerField(_("used"), default=0)
    reserved = models.BigIntegerField(_("reserved"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("usage aggregate")
        verbose_name_plural = _("usage aggregates")
        ordering = ["-month", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "project", "month", "kind"],
                name="unique_usage_aggregate",
                nulls_distinct=False,
            ),
            models.CheckConstraint(condition=models.Q(used__gte=0), name="usage_aggregate_used_not_negative"),
            models.CheckConstraint(condition=models.Q(reserved__gte=0), name="usage_aggregate_reserved_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.kind}: {self.used} (+{self.reserved})"


class ReservationStatus(models.TextChoices):
    RESERVED = "reserved", _("reserved")
    COMMITTED = "committed", _("committed")
    RELEASED = "released", _("released")


class Reservation(TenantBase):
    """An estimate held against the limits while the work runs; committed or released afterwards."""

    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("project")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=UsageKind.choices)
    month = models.DateField(_("month"))
    quantity = models.PositiveBigIntegerField(_("quantity"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ReservationStatus.choices, default=ReservationStatus.RESERVED
    )
    soft_limit_warning = models.BooleanField(
        _("soft limit reached"), default=False, help_text=_("The reservation took usage past the plan's soft limit.")
    )
    expires_at = models.DateTimeField(_("expires at"))
    closed_at = models.DateTimeField(_("committed or released at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["expires_at"], name="billing_reservation_open_exp", condition=models.Q(status="reserved")
            ),
            models.Index(fields=["organization", "kind", "source"], name="billing_reservation_org_src"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} {self.kind} ({self.status})"


class SoftLimitNotice(TenantModel):
    """Owners were told that usage of `kind` crossed the soft limit in `month` (one e-mail per org/kind/month)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=UsageKind.choices)
    month = models.DateField(_("month"))
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("soft limit notice")
        verbose_name_plural = _("soft limit notices")
        ordering = ["-month", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind", "month"], name="unique_soft_limit_notice")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.kind} {self.month:%Y-%m}"
