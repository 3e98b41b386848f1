from django.urls import path

from apps.posts import views, views_calendar

# Mounted under /o/<org_slug>/p/<project_slug>/ by viralforge/urls.py.
urlpatterns = [
    path("calendar/", views_calendar.project_calendar_today, name="project_calendar_today"),
    path("calendar/<str:month>/", views_calendar.project_calendar, name="project_calendar"),
    path("posts/<uuid:post_id>/", views.post_detail, name="post_detail"),
    path("posts/<uuid:post_id>/edit/", views.post_edit, name="post_edit"),
    path("posts/<uuid:post_id>/approve/", views.post_approve, name="post_approve"),
    path("posts/<uuid:post_id>/unapprove/", views.post_unapprove, name="post_unapprove"),
    path("posts/<uuid:post_id>/lock/", views.post_lock, name="post_lock"),
    path("posts/<uuid:post_id>/unlock/", views.post_unlock, name="post_unlock"),
    path("posts/<uuid:post_id>/move/", views.post_move, name="post_move"),
    path("posts/<uuid:post_id>/improve/", views.post_improve, name="post_improve"),
    path("posts/<uuid:post_id>/improve/accept/", views.post_improve_accept, name="post_improve_accept"),
]
