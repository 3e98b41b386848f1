from django.urls import path

from apps.compliance import views

# Mounted under /o/<org_slug>/compliance/ by viralforge/urls.py.
urlpatterns = [
    path("policy/", views.policy_test_bench, name="policy_test_bench"),
    path("policy/evaluation/", views.policy_evaluation, name="policy_evaluation"),
]
