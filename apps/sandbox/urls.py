from django.urls import include, path

from apps.sandbox import openrouter

# Mounted at /sandbox/ only when VF_SANDBOX_ENABLED (tests, the offline demo); never in production.
openrouter_patterns = [
    path("key", openrouter.key, name="sandbox_openrouter_key"),
    path("chat/completions", openrouter.chat_completions, name="sandbox_openrouter_chat"),
    path("embeddings", openrouter.embeddings, name="sandbox_openrouter_embeddings"),
]

urlpatterns: list = [
    path("openrouter/api/v1/", include(openrouter_patterns)),
]
