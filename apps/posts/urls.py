from django.urls import path

from apps.posts import views, views_calendar, views_review

# Mounted under /o/<org_slug>/p/<project_slug>/ by viralforge/urls.py.
urlpatterns = [
    path("calendar/", views_calendar.project_calendar_today, name="project_calendar_today"),
    path("calendar/bulk/", views_calendar.calendar_bulk, name="calendar_bulk"),
    path("calendar/<str:month>/", views_calendar.project_calendar, name="project_calendar"),
    path("posts/<uuid:post_id>/", views.post_detail, name="post_detail"),
    path("posts/<uuid:post_id>/edit/", views.post_edit, name="post_edit"),
    # The editor's own tabs (apps/posts/editor_tabs.py; other apps register theirs).
    path("posts/<uuid:post_id>/tab/content/", views.post_tab_content, name="post_tab_content"),
    path("posts/<uuid:post_id>/tab/script/", views.post_tab_script, name="post_tab_script"),
    path("posts/<uuid:post_id>/tab/storyboard/", views.post_tab_storyboard, name="post_tab_storyboard"),
    path("posts/<uuid:post_id>/tab/video-prompt/", views.post_tab_video_prompt, name="post_tab_video_prompt"),
    path("posts/<uuid:post_id>/tab/comments/", views.post_tab_comments, name="post_tab_comments"),
    path("posts/<uuid:post_id>/approve/", views.post_approve, name="post_approve"),
    path("posts/<uuid:post_id>/unapprove/", views.post_unapprove, name="post_unapprove"),
    path("posts/<uuid:post_id>/lock/", views.post_lock, name="post_lock"),
    path("posts/<uuid:post_id>/unlock/", views.post_unlock, name="post_unlock"),
    path("posts/<uuid:post_id>/move/", views.post_move, name="post_move"),
    path("posts/<uuid:post_id>/improve/", views.post_improve, name="post_improve"),
    path("posts/<uuid:post_id>/improve/accept/", views.post_improve_accept, name="post_improve_accept"),
    # Client review: guests, invitations and signed review links of the project (apps/posts/views_review.py).
    path("posts/<uuid:post_id>/comments/", views_review.post_comment, name="post_comment"),
    path("review-access/", views_review.review_access, name="review_access"),
    path("review-access/invite/", views_review.guest_invite, name="guest_invite"),
    path(
        "review-access/invitations/<uuid:invitation_id>/revoke/",
        views_review.guest_invitation_revoke,
        name="guest_invitation_revoke",
    ),
    path("review-access/guests/<uuid:user_id>/remove/", views_review.guest_remove, name="guest_remove"),
    path("review-access/links/", views_review.review_link_create, name="review_link_create"),
    path("review-access/links/<uuid:link_id>/revoke/", views_review.review_link_revoke, name="review_link_revoke"),
]
