from django.urls import path  # noqa: F401

# Mounted at /sandbox/ only when VF_SANDBOX_ENABLED (tests, the offline demo); never in production.
urlpatterns: list = []
