from django.contrib import admin

from apps.orgs.admin import TenantAdmin
from apps.posts.models import Approval, GuestInvitation, PostComment, PostItem, ReviewLink, ReviewLinkUse


@admin.register(PostItem)
class PostItemAdmin(TenantAdmin):
    list_display = [
        "date", "slot", "organization", "project", "format", "hook", "status", "locked", "version", "confidence"
    ]  # fmt: skip
    list_filter = ["status", "locked", "format", "offline"]
    search_fields = ["hook", "caption", "project__name", "organization__name"]
    raw_id_fields = ["organization", "project", "plan", "approved_by"]
    list_select_related = ["organization", "project"]


@admin.register(Approval)
class ApprovalAdmin(TenantAdmin):
    list_display = ["post", "post_version", "action", "actor", "created_at"]
    list_filter = ["action"]
    search_fields = ["post__hook", "actor__email"]
    raw_id_fields = ["organization", "post", "actor"]
    list_select_related = ["post", "actor"]


@admin.register(GuestInvitation)
class GuestInvitationAdmin(TenantAdmin):
    list_display = ["email", "project", "created_at", "expires_at", "accepted_at"]
    search_fields = ["email", "project__name"]
    exclude = ["token"]  # the secret that accepts the invitation
    raw_id_fields = ["organization", "project", "invited_by", "accepted_by"]


@admin.register(PostComment)
class PostCommentAdmin(TenantAdmin):
    list_display = ["post", "author", "author_name", "created_at"]
    search_fields = ["body", "author__email", "author_name"]
    raw_id_fields = ["organization", "post", "author"]


class ReviewLinkUseInline(admin.TabularInline):
    model = ReviewLinkUse
    fields = ["created_at", "action", "name", "ip", "post"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).unscoped()

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReviewLink)
class ReviewLinkAdmin(TenantAdmin):
    list_display = ["project", "post", "week_start", "expires_on", "revoked_at", "created_by"]
    list_filter = ["revoked_at"]
    exclude = ["pin_hash"]
    raw_id_fields = ["organization", "project", "post", "created_by"]
    inlines = [ReviewLinkUseInline]


@admin.register(ReviewLinkUse)
class ReviewLinkUseAdmin(TenantAdmin):
    list_display = ["link", "action", "name", "ip", "created_at"]
    list_filter = ["action"]
    raw_id_fields = ["organization", "link", "post"]
