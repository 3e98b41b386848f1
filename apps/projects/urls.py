from django.urls import path

from apps.projects import views

# Mounted under /o/<org_slug>/p/ by viralforge/urls.py: project URLs are /o/<org>/p/<project_slug>/...
urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("new/", views.project_create, name="project_create"),
    path("<slug:project_slug>/", views.project_dashboard, name="project_dashboard"),
    path("<slug:project_slug>/logo/", views.project_logo, name="project_logo"),
    path("<slug:project_slug>/settings/", views.project_settings, name="project_settings"),
    path("<slug:project_slug>/settings/basics/", views.project_settings_basics, name="project_settings_basics"),
    path(
        "<slug:project_slug>/settings/publishing/",
        views.project_settings_publishing,
        name="project_settings_publishing",
    ),
    path("<slug:project_slug>/settings/budgets/", views.project_settings_budgets, name="project_settings_budgets"),
    path(
        "<slug:project_slug>/settings/reviewers/<uuid:membership_id>/grant/",
        views.project_reviewer_grant,
        name="project_reviewer_grant",
    ),
    path(
        "<slug:project_slug>/settings/reviewers/<uuid:membership_id>/revoke/",
        views.project_reviewer_revoke,
        name="project_reviewer_revoke",
    ),
    path("<slug:project_slug>/delete/", views.project_delete, name="project_delete"),
]
