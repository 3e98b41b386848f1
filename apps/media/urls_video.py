from django.urls import path

from apps.media import views_video, views_voice

# Mounted under /o/<org_slug>/p/<project_slug>/ by viralforge/urls.py, beside the post editor's routes.
urlpatterns = [
    path("posts/<uuid:post_id>/video/", views_video.post_video, name="post_video"),
    path("posts/<uuid:post_id>/video/render/", views_video.post_video_render, name="post_video_render"),
    path(
        "posts/<uuid:post_id>/video/<uuid:render_id>/accept/",
        views_video.post_video_accept,
        name="post_video_accept",
    ),
    path("calendar/<str:month>/videos/", views_video.month_videos, name="month_videos"),
    path("settings/voice/", views_voice.project_settings_voice, name="project_settings_voice"),
]
