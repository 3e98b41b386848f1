from django.contrib import admin

from apps.orgs.admin import CrossTenantFieldsMixin, TenantAdmin
from apps.projects.models import Project, ProjectGroupObjectPermission, ProjectUserObjectPermission


@admin.register(Project)
class ProjectAdmin(TenantAdmin):
    list_display = ["name", "slug", "organization", "language", "created_at"]
    list_filter = ["language"]
    search_fields = ["name", "slug", "organization__name"]
    raw_id_fields = ["organization"]
    list_select_related = ["organization"]


@admin.register(ProjectUserObjectPermission)
class ProjectUserObjectPermissionAdmin(CrossTenantFieldsMixin, admin.ModelAdmin):
    list_display = ["user", "permission", "content_object"]
    search_fields = ["user__email", "content_object__name"]
    raw_id_fields = ["user", "content_object"]
    list_select_related = ["user", "permission", "content_object"]


@admin.register(ProjectGroupObjectPermission)
class ProjectGroupObjectPermissionAdmin(CrossTenantFieldsMixin, admin.ModelAdmin):
    list_display = ["group", "permission", "content_object"]
    raw_id_fields = ["group", "content_object"]
