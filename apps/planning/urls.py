from django.urls import path

from apps.planning import views_plan

# Mounted under /o/<org_slug>/p/<project_slug>/ by viralforge/urls.py.
urlpatterns = [
    # The month plan: Generate / Regenerate and its live status.
    path("plan/<str:month>/generate/", views_plan.plan_generate, name="plan_generate"),
    path("plan/<str:month>/status/", views_plan.plan_status, name="plan_status"),
]
