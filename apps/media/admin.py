from django.contrib import admin

from apps.media.models import Asset, AssetUse, MediaPolicy
from apps.orgs.admin import TenantAdmin


@admin.register(Asset)
class AssetAdmin(TenantAdmin):
    list_display = ("name", "organization", "kind", "licence_type", "licensed_until", "size", "created_at")
    list_filter = ("kind", "licence_type", "source")
    search_fields = ("name", "checksum")
    readonly_fields = (
        "file",
        "preview",
        "checksum",
        "size",
        "content_type",
        "duration",
        "width",
        "height",
        "created_at",
    )

    def has_add_permission(self, request) -> bool:
        return False  # files come in through the upload page, which probes them and checks the quota


@admin.register(MediaPolicy)
class MediaPolicyAdmin(TenantAdmin):
    list_display = ("organization", "require_licence", "updated_at")


@admin.register(AssetUse)
class AssetUseAdmin(TenantAdmin):
    list_display = ("asset", "post", "render", "created_at")
