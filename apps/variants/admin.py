from django.contrib import admin

from apps.orgs.admin import ReadOnlyTenantAdmin
from apps.variants.models import Brief, Variant, VoiceExample


@admin.register(Brief)
class BriefAdmin(ReadOnlyTenantAdmin):
    list_display = ["topic", "project", "organization", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["topic", "organization__slug"]
    list_select_related = ["project", "organization"]


@admin.register(Variant)
class VariantAdmin(ReadOnlyTenantAdmin):
    list_display = ["brief", "platform", "language", "index", "status", "organization"]
    list_filter = ["platform", "language", "status"]
    search_fields = ["text", "organization__slug"]
    list_select_related = ["brief", "organization"]


@admin.register(VoiceExample)
class VoiceExampleAdmin(ReadOnlyTenantAdmin):
    list_display = ["project", "organization", "created_at"]
    search_fields = ["text", "organization__slug"]
    list_select_related = ["project", "organization"]
