from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "apps.planning"
    label = "planning"
    verbose_name = _("Planning")

    def ready(self) -> None:
        from apps.planning import reasons  # noqa: F401  (declares the reason codes)
