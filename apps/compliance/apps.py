from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "apps.compliance"
    label = "compliance"
    verbose_name = _("Compliance")

    def ready(self) -> None:
        from apps.compliance import reasons  # noqa: F401  (declares the reason codes)
