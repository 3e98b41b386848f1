from django.urls import path

from apps.media.clips import views

# Mounted under /o/<org_slug>/p/<project_slug>/ by viralforge/urls.py.
urlpatterns = [
    path("settings/video/", views.project_settings_video, name="project_settings_video"),
    path("posts/<uuid:post_id>/video-sources/", views.post_video_sources, name="post_video_sources"),
]
