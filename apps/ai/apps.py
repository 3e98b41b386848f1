from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AiConfig(AppConfig):
    name = "apps.ai"
    label = "ai"
    verbose_name = _("AI")

    def ready(self) -> None:
        # Connects the guard that keeps used prompt templates immutable (pre_save).
        from apps.ai import credential_checks, prompts, views_project  # noqa: F401 (prompts: its signal)

        views_project.register()
        credential_checks.register()
        from apps.ai.usage import register as register_usage

        register_usage()
        from apps.jobs import kinds

        kinds.register({"reembed_knowledge": _("Re-embed the knowledge base")})
