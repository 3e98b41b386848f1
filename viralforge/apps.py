from django.apps import AppConfig


class ViralForgeConfig(AppConfig):
    name = "viralforge"
    verbose_name = "ViralForge"

    def ready(self) -> None:
        from viralforge.request_id import install_log_record_factory

        install_log_record_factory()
