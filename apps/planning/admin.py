from django.contrib import admin

from apps.orgs.admin import TenantAdmin
from apps.planning.models import ContentPlan


@admin.register(ContentPlan)
class ContentPlanAdmin(TenantAdmin):
    list_display = ["organization", "project", "month", "version", "status", "offline", "created_at"]
    list_filter = ["status", "offline"]
    search_fields = ["project__name", "organization__name"]
    raw_id_fields = ["organization", "project", "job_run", "created_by"]
    list_select_related = ["organization", "project"]
