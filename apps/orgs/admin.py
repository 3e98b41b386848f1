from django.contrib import admin

from apps.orgs.models import Invitation, Membership, Organization


class TenantAdmin(admin.ModelAdmin):
    """Staff see every organization's rows: the admin crosses tenants on purpose."""

    def get_queryset(self, request):
        return super().get_queryset(request).unscoped()


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]

    def get_queryset(self, request):
        return super().get_queryset(request).unscoped()


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    list_filter = ["created_at"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(TenantAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "organization__name", "organization__slug"]
    raw_id_fields = ["user", "organization"]
    list_select_related = ["user", "organization"]


@admin.register(Invitation)
class InvitationAdmin(TenantAdmin):
    list_display = ["email", "organization", "role", "invited_by", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role", "accepted_at"]
    search_fields = ["email", "organization__name"]
    raw_id_fields = ["organization", "invited_by", "accepted_by"]
    # The token is the key to the invitation: never shown.
    exclude = ["token"]
    list_select_related = ["organization", "invited_by"]
