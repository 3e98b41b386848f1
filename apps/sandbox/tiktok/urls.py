from django.urls import path

from apps.sandbox.tiktok import views

# Mounted at /sandbox/tiktok/ (the base URL of VF_TIKTOK_API_BASE_URL while the sandbox is on).
urlpatterns = [
    path("v2/auth/authorize/", views.authorize, name="sandbox_tiktok_authorize"),
    path("v2/oauth/token/", views.token, name="sandbox_tiktok_token"),
    path("v2/oauth/revoke/", views.revoke, name="sandbox_tiktok_revoke"),
    path("v2/post/publish/creator_info/query/", views.creator_info, name="sandbox_tiktok_creator_info"),
    path("v2/post/publish/video/init/", views.video_init, name="sandbox_tiktok_video_init"),
    path("v2/post/publish/inbox/video/init/", views.inbox_init, name="sandbox_tiktok_inbox_init"),
    path("v2/post/publish/status/fetch/", views.status_fetch, name="sandbox_tiktok_status"),
    path("v2/post/publish/cancel/", views.cancel, name="sandbox_tiktok_cancel"),
    path("v2/user/info/", views.user_info, name="sandbox_tiktok_user_info"),
    path("v2/video/list/", views.video_list, name="sandbox_tiktok_video_list"),
    path("v2/video/query/", views.video_query, name="sandbox_tiktok_video_query"),
    path("upload/<str:upload_id>/", views.upload, name="sandbox_tiktok_upload"),
    path("avatar/<str:open_id>.svg", views.avatar, name="sandbox_tiktok_avatar"),
]
