from django.urls import path

from apps.media import views

# Mounted under /o/<org_slug>/media/ by viralforge/urls.py.
urlpatterns = [
    path("", views.media_library, name="media_library"),
    path("upload/", views.media_upload, name="media_upload"),
    path("policy/", views.media_policy, name="media_policy"),
    path("<uuid:asset_id>/", views.asset_detail, name="asset_detail"),
    path("<uuid:asset_id>/edit/", views.asset_update, name="asset_update"),
    path("<uuid:asset_id>/delete/", views.asset_delete, name="asset_delete"),
    path("<uuid:asset_id>/file/<str:token>/", views.asset_file, name="media_asset_file"),
]
