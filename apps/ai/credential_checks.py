"""The Credentials page's "Test connection" for OpenRouter keys (registered with apps.credentials)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from apps.ai.openrouter import OpenRouterClient, OpenRouterConnectionError, OpenRouterError
from apps.credentials.actions import TestOutcome, add_connection_check
from apps.credentials.models import Provider


@sensitive_variables()
def _openrouter_check(api_key: str) -> TestOutcome:
    try:
        with OpenRouterClient(api_key) as client:
            info = client.get_key()
    except OpenRouterConnectionError:
        return TestOutcome(False, _("OpenRouter could not be reached. Try again later."))
    except OpenRouterError as exc:
        if exc.code == 401:
            return TestOutcome(False, _("OpenRouter rejected the key (invalid, disabled or deleted)."))
        if exc.code == 402:
            return TestOutcome(False, _("The key is valid but has no credits left."))
        if exc.code == 429:
            return TestOutcome(False, _("OpenRouter is rate limiting this key. Try again in a minute."))
        return TestOutcome(False, _("OpenRouter answered with error %(code)s.") % {"code": exc.code})
    if info.limit_remaining is None:
        message = _("Connection works. Credits used: %(usage)s (no limit).") % {"usage": f"{info.usage:.2f}"}
    else:
        message = _("Connection works. Credits used: %(usage)s, remaining: %(remaining)s.") % {
            "usage": f"{info.usage:.2f}",
            "remaining": f"{info.limit_remaining:.2f}",
        }
    return TestOutcome(True, message)




def register() -> None:
    add_connection_check(Provider.OPENROUTER, _openrouter_check)
