from django.urls import path

from apps.posts import views_review as views

# Mounted under /o/<org_slug>/review/<project_slug>/ by viralforge/urls.py: a guest reviewer's pages.
guest_patterns = [
    path("", views.guest_calendar, name="guest_calendar"),
    path("posts/<uuid:post_id>/", views.guest_post, name="guest_post"),
    path("posts/<uuid:post_id>/approve/", views.guest_post_approve, name="guest_post_approve"),
    path("posts/<uuid:post_id>/changes/", views.guest_post_changes, name="guest_post_changes"),
    path("posts/<uuid:post_id>/comments/", views.guest_post_comment, name="guest_post_comment"),
]

# Mounted under /r/<token>/: a signed review link, for visitors without an account.
link_patterns = [
    path("", views.review_link, name="review_link"),
    path("pin/", views.review_link_pin, name="review_link_pin"),
    path("posts/<uuid:post_id>/", views.review_link_post, name="review_link_post"),
    path("posts/<uuid:post_id>/approve/", views.review_link_approve, name="review_link_approve"),
    path("posts/<uuid:post_id>/changes/", views.review_link_changes, name="review_link_changes"),
]
