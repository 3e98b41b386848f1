from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CredentialsConfig(AppConfig):
    name = "apps.credentials"
    label = "credentials"
    verbose_name = _("Credentials")

    def ready(self) -> None:
        from apps.jobs import kinds

        kinds.register({"rotate_credential_keys": _("Re-encrypt keys with the newest key")})
