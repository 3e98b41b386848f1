from django.contrib import admin

from apps.billing.models import Plan, Reservation, SoftLimitNotice, Subscription, UsageAggregate, UsageLedger
from apps.orgs.admin import ReadOnlyTenantAdmin, TenantAdmin


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "price_cents",
        "currency",
        "seats",
        "monthly_tokens",
        "monthly_video_seconds",
        "posts_per_month",
        "max_projects",
        "allows_managed_keys",
        "active",
    ]
    list_filter = ["active", "allows_managed_keys"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Subscription)
class SubscriptionAdmin(TenantAdmin):
    """Staff change an organization's plan, status, period and extra seats here."""

    list_display = ["organization", "plan", "status", "seats", "current_period_start", "current_period_end"]
    list_filter = ["status", "plan"]
    search_fields = ["organization__name", "organization__slug"]
    raw_id_fields = ["organization"]
    list_select_related = ["organization", "plan"]


@admin.register(UsageLedger)
class UsageLedgerAdmin(ReadOnlyTenantAdmin):
    list_display = ["created_at", "organization", "project", "kind", "quantity", "cost", "source", "request_id"]
    list_filter = ["kind", "month"]
    search_fields = ["organization__name", "organization__slug", "source", "idempotency_key", "request_id"]
    list_select_related = ["organization", "project"]
    date_hierarchy = "created_at"


@admin.register(UsageAggregate)
class UsageAggregateAdmin(ReadOnlyTenantAdmin):
    list_display = ["month", "organization", "project", "kind", "used", "reserved", "updated_at"]
    list_filter = ["kind", "month"]
    search_fields = ["organization__name", "organization__slug", "project__name"]
    list_select_related = ["organization", "project"]


@admin.register(Reservation)
class ReservationAdmin(ReadOnlyTenantAdmin):
    list_display = ["created_at", "organization", "project", "kind", "quantity", "status", "source", "expires_at"]
    list_filter = ["status", "kind"]
    search_fields = ["organization__name", "organization__slug", "source", "idempotency_key"]
    list_select_related = ["organization", "project"]


@admin.register(SoftLimitNotice)
class SoftLimitNoticeAdmin(ReadOnlyTenantAdmin):
    list_display = ["month", "organization", "kind", "created_at"]
    list_filter = ["kind", "month"]
    search_fields = ["organization__name", "organization__slug"]
    list_select_related = ["organization"]
