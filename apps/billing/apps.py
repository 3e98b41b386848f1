from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "apps.billing"
    label = "billing"
    verbose_name = _("Billing")

    def ready(self) -> None:
        # Imported here, not at the top: models may be imported only once the app registry is ready.
        from apps.billing.services import seat_limit_error
        from apps.orgs.extensions import add_seat_check

        add_seat_check(seat_limit_error)
        from apps.jobs import kinds

        kinds.register({"release_stale_reservations": _("Release stale quota reservations")})
