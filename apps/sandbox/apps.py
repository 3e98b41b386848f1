import time

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# WSGI environ key: when Django started handling the request (before the middleware), so the
# stand-ins can report their whole server-side time in X-Sandbox-Duration-Ms.
STARTED_KEY = "viralforge.sandbox.started"


def _stamp_request_start(sender, environ=None, **kwargs) -> None:
    if isinstance(environ, dict) and environ.get("PATH_INFO", "").startswith("/sandbox/"):
        environ[STARTED_KEY] = time.perf_counter()


class SandboxConfig(AppConfig):
    name = "apps.sandbox"
    label = "sandbox"
    verbose_name = _("Sandbox")

    def ready(self) -> None:
        from django.conf import settings
        from django.core.signals import request_started

        if settings.VF_SANDBOX_ENABLED:
            request_started.connect(_stamp_request_start, dispatch_uid="sandbox_request_start")
