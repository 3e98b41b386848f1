from django.contrib import admin

from apps.orgs.admin import ReadOnlyTenantAdmin, TenantAdmin
from apps.social.models import OAuthToken, Publication, PublishEvent, PublishSettings, SocialAccount, WebhookEvent


@admin.register(SocialAccount)
class SocialAccountAdmin(TenantAdmin):
    list_display = ["display_name", "platform", "organization", "status", "connected_at", "last_checked_at"]
    list_filter = ["platform", "status"]
    search_fields = ["display_name", "username", "open_id", "organization__slug"]
    list_select_related = ["organization"]
    raw_id_fields = ["organization", "connected_by"]
    filter_horizontal = ["projects"]
    # What TikTok reported: staff look, the platform (and a reconnect) changes it.
    readonly_fields = [
        "platform", "open_id", "avatar_url", "scopes", "status_reason", "creator_info", "stats", "connected_at",
        "last_checked_at", "disconnected_at",
    ]  # fmt: skip


@admin.register(OAuthToken)
class OAuthTokenAdmin(TenantAdmin):
    """Metadata only: the encrypted tokens are never shown."""

    list_display = ["account", "organization", "version", "access_expires_at", "refresh_expires_at", "key_id"]
    exclude = ["payload"]
    readonly_fields = [
        "organization", "account", "key_id", "access_expires_at", "refresh_expires_at", "version",
        "refreshed_at", "rotated_at", "created_at",
    ]  # fmt: skip
    list_select_related = ["account", "organization"]

    def has_add_permission(self, request):
        return False


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ["received_at", "platform", "event", "publish_id", "open_id"]
    list_filter = ["platform", "event"]
    readonly_fields = ["platform", "event", "open_id", "publish_id", "payload", "sent_at", "received_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PublishSettings)
class PublishSettingsAdmin(ReadOnlyTenantAdmin):
    list_display = ["project", "organization", "mode", "catch_up_minutes"]
    list_select_related = ["project", "organization"]


@admin.register(Publication)
class PublicationAdmin(ReadOnlyTenantAdmin):
    """Written by the publishing flow only: staff look."""

    list_display = ["post", "account", "organization", "mode", "state"]
    list_filter = ["mode", "state"]
    search_fields = ["title", "organization__slug"]
    list_select_related = ["post", "account", "organization"]


@admin.register(PublishEvent)
class PublishEventAdmin(ReadOnlyTenantAdmin):
    list_display = ["publication", "kind", "actor", "at"]
    list_filter = ["kind"]
    list_select_related = ["publication", "actor"]
