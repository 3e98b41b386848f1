from django.urls import path  # noqa: F401

# Mounted under /o/<org_slug>/ by viralforge/urls.py.
urlpatterns: list = []
