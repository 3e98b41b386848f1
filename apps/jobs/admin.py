from django.contrib import admin

from apps.jobs.models import JobRun
from apps.orgs.admin import TenantAdmin


@admin.register(JobRun)
class JobRunAdmin(TenantAdmin):
    list_display = ["kind", "organization", "status", "progress", "attempts", "created_at", "finished_at"]
    list_filter = ["status", "kind", "queue_name"]
    search_fields = ["id", "kind", "target", "request_id", "message_id", "organization__name"]
    raw_id_fields = ["organization"]
    readonly_fields = ["created_at", "started_at", "finished_at", "message_id", "request_id"]
    list_select_related = ["organization"]
