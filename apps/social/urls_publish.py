from django.urls import path

from apps.social import views_publish

# Mounted under /o/<org_slug>/p/<project_slug>/ by viralforge/urls.py.
project_patterns = [
    path("posts/<uuid:post_id>/publish/", views_publish.post_publish, name="post_publish"),
    path("posts/<uuid:post_id>/tab/publish/", views_publish.post_tab_publish, name="post_tab_publish"),
    path("posts/<uuid:post_id>/publish/retry/", views_publish.post_publish_retry, name="post_publish_retry"),
    path("publishing/", views_publish.project_publishing, name="project_publishing"),
    path("publishing/settings/", views_publish.project_publishing_settings, name="project_publishing_settings"),
]

# Mounted under /o/<org_slug>/.
org_patterns = [path("publishing/", views_publish.publishing_queue, name="publishing_queue")]
