from django.contrib import admin

from apps.orgs.admin import TenantAdmin
from apps.posts.models import Approval, PostItem


@admin.register(PostItem)
class PostItemAdmin(TenantAdmin):
    list_display = ["date", "slot", "project", "format", "hook", "status", "locked", "version", "confidence"]
    list_filter = ["status", "locked", "format", "offline"]
    search_fields = ["hook", "caption", "project__name"]
    raw_id_fields = ["organization", "project", "plan", "approved_by"]
    list_select_related = ["project"]


@admin.register(Approval)
class ApprovalAdmin(TenantAdmin):
    list_display = ["post", "post_version", "action", "actor", "created_at"]
    list_filter = ["action"]
    search_fields = ["post__hook", "actor__email"]
    raw_id_fields = ["organization", "post", "actor"]
    list_select_related = ["post", "actor"]
