from django.urls import path

from apps.credentials import views

# Mounted under /o/<org_slug>/credentials/ by viralforge/urls.py.
urlpatterns = [
    path("", views.credential_list, name="credential_list"),
    path("add/", views.credential_add, name="credential_add"),
    path("policy/", views.credential_policy, name="credential_policy"),
    path("<uuid:credential_id>/replace/", views.credential_replace, name="credential_replace"),
    path("<uuid:credential_id>/revoke/", views.credential_revoke, name="credential_revoke"),
    path("<uuid:credential_id>/test/", views.credential_test, name="credential_test"),
]
