from django.urls import path

from apps.variants import views

# Mounted under /o/<org_slug>/p/<project_slug>/ by viralforge/urls.py.
urlpatterns = [
    path("variants/", views.variant_briefs, name="variant_briefs"),
    path("variants/new/", views.brief_create, name="brief_create"),
    path("variants/voice/", views.voice_trainer, name="voice_trainer"),
    path("variants/<uuid:brief_id>/", views.brief_detail, name="brief_detail"),
    path("variants/v/<uuid:variant_id>/", views.variant_card, name="variant_card"),
    path("variants/v/<uuid:variant_id>/edit/", views.variant_edit, name="variant_edit"),
    path("variants/v/<uuid:variant_id>/fix/", views.variant_fix, name="variant_fix"),
    path("variants/v/<uuid:variant_id>/rewrite/", views.variant_rewrite, name="variant_rewrite"),
    path("variants/v/<uuid:variant_id>/rewrite/accept/", views.variant_rewrite_accept, name="variant_rewrite_accept"),
    path("variants/v/<uuid:variant_id>/favourite/", views.variant_favourite, name="variant_favourite"),
    path("variants/v/<uuid:variant_id>/approve/", views.variant_approve, name="variant_approve"),
    path("posts/<uuid:post_id>/variants/", views.post_variants, name="post_variants"),
    path("posts/<uuid:post_id>/tab/variants/", views.post_tab_variants, name="post_tab_variants"),
]
