from django.urls import include, path

from apps.sandbox import openrouter

# Mounted at /sandbox/ only when VF_SANDBOX_ENABLED (tests, the offline demo); never in production.
openrouter_patterns = [
    path("key", openrouter.key, name="sandbox_openrouter_key"),
]

urlpatterns: list = [
    path("openrouter/api/v1/", include(openrouter_patterns)),
]
