from django.contrib import admin

from apps.sandbox.models import SandboxCall


@admin.register(SandboxCall)
class SandboxCallAdmin(admin.ModelAdmin):
    list_display = ["created_at", "service", "method", "path", "status", "fault"]
    list_filter = ["service", "status", "fault"]
    search_fields = ["path"]
    readonly_fields = ["service", "method", "path", "status", "auth_digest", "headers", "body", "fault", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
