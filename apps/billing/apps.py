from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "apps.billing"
    label = "billing"
    verbose_name = _("Billing")

    def ready(self) -> None:
        from apps.billing.services import seat_limit_error
        from apps.orgs.extensions import add_seat_check

        add_seat_check(seat_limit_error)
