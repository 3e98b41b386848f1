from django.contrib import admin

from apps.media.models import (
    Asset,
    AssetUse,
    GeneratedClip,
    MediaPolicy,
    ProjectVideoSettings,
    ProjectVoiceSettings,
    Render,
    SceneSource,
)
from apps.orgs.admin import ReadOnlyTenantAdmin, TenantAdmin


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


@admin.register(Render)
class RenderAdmin(ReadOnlyTenantAdmin):
    """Written by the render job only: staff look."""

    list_display = ["post", "project", "organization", "status"]
    list_filter = ["status"]
    list_select_related = ["post", "project", "organization"]


@admin.register(ProjectVideoSettings)
class ProjectVideoSettingsAdmin(ReadOnlyTenantAdmin):
    list_display = ["project", "organization", "default_source", "updated_at"]
    list_select_related = ["project", "organization"]


@admin.register(ProjectVoiceSettings)
class ProjectVoiceSettingsAdmin(ReadOnlyTenantAdmin):
    list_display = ["project", "organization", "engine", "voice_id", "updated_at"]
    list_select_related = ["project", "organization"]


@admin.register(SceneSource)
class SceneSourceAdmin(ReadOnlyTenantAdmin):
    list_display = ["post", "scene_index", "source", "organization", "updated_at"]
    list_select_related = ["post", "organization"]


@admin.register(GeneratedClip)
class GeneratedClipAdmin(ReadOnlyTenantAdmin):
    list_display = ["post", "provider", "model", "status", "organization"]
    list_filter = ["provider", "status"]
    search_fields = ["prompt", "organization__slug"]
    list_select_related = ["post", "organization"]
