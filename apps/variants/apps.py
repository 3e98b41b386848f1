from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VariantsConfig(AppConfig):
    name = "apps.variants"
    label = "variants"
    verbose_name = _("Caption variants")

    def ready(self) -> None:
        from apps.variants import reasons, tasks  # noqa: F401  (reason codes and actors register at import)
