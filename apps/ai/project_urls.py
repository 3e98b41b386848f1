from django.urls import path

from apps.ai import views_project

# Mounted under /o/<org_slug>/p/<project_slug>/ by viralforge/urls.py: sections of the project settings.
urlpatterns = [
    path("settings/brand/", views_project.project_settings_brand, name="project_settings_brand"),
    path("settings/routing/", views_project.project_settings_routing, name="project_settings_routing"),
]
