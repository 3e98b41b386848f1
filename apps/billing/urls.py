from django.urls import path

from apps.billing import views

# Mounted under /o/<org_slug>/billing/ by viralforge/urls.py.
urlpatterns = [
    path("", views.billing_usage, name="billing_usage"),
    path("plan/", views.billing_change_plan, name="billing_change_plan"),
]
