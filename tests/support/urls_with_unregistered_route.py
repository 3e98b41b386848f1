"""The project's URLconf plus one route the endpoint registry does not know (tests/test_endpoints_registry.py)."""

from django.http import HttpResponse
from django.urls import path

from viralforge.urls import urlpatterns as project_patterns


def unregistered_view(request, org_slug):
    return HttpResponse("nobody registered me")


urlpatterns = [
    *project_patterns,
    path("o/<slug:org_slug>/reports/", unregistered_view, name="unregistered_report"),
]
