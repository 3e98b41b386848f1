from django.urls import include, path

from apps.sandbox import elevenlabs, openrouter

# Mounted at /sandbox/ only when VF_SANDBOX_ENABLED (tests, the offline demo); never in production.
openrouter_patterns = [
    path("key", openrouter.key, name="sandbox_openrouter_key"),
    path("chat/completions", openrouter.chat_completions, name="sandbox_openrouter_chat"),
    path("embeddings", openrouter.embeddings, name="sandbox_openrouter_embeddings"),
]

elevenlabs_patterns = [
    path(
        "text-to-speech/<str:voice_id>/with-timestamps",
        elevenlabs.with_timestamps,
        name="sandbox_elevenlabs_timestamps",
    ),
    path("text-to-speech/<str:voice_id>", elevenlabs.speech, name="sandbox_elevenlabs_speech"),
    path("voices", elevenlabs.voices, name="sandbox_elevenlabs_voices"),
    path("models", elevenlabs.models, name="sandbox_elevenlabs_models"),
]

urlpatterns: list = [
    path("openrouter/api/v1/", include(openrouter_patterns)),
    path("elevenlabs/v1/", include(elevenlabs_patterns)),
    path("tiktok/", include("apps.sandbox.tiktok.urls")),
]
