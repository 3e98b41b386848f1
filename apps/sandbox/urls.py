from django.urls import include, path

from apps.sandbox import elevenlabs, kling, openrouter, veo

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

veo_patterns = [
    path("models/<str:model>:predictLongRunning", veo.predict, name="sandbox_veo_predict"),
    path("models/<str:model>/operations/<str:operation_id>", veo.operation, name="sandbox_veo_operation"),
    path("files/<str:file_id>:download", veo.download, name="sandbox_veo_download"),
]

kling_patterns = [
    path("v1/videos/text2video", kling.text2video, name="sandbox_kling_text2video"),
    path("v1/videos/text2video/<str:task_id>", kling.task, name="sandbox_kling_task"),
    path("files/<str:task_id>.mp4", kling.download, name="sandbox_kling_download"),
]

urlpatterns: list = [
    path("openrouter/api/v1/", include(openrouter_patterns)),
    path("elevenlabs/v1/", include(elevenlabs_patterns)),
    path("tiktok/", include("apps.sandbox.tiktok.urls")),
    path("veo/v1beta/", include(veo_patterns)),
    path("kling/", include(kling_patterns)),
]
