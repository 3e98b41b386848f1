"""The Credentials page's "Test connection" for OpenRouter keys (registered with apps.credentials)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from apps.ai.openrouter import OpenRouterClient, OpenRouterConnectionError, OpenRouterError
from apps.credentials.actions import TestOutcome, add_connection_check
from apps.credentials.models import Provider


def _from_sandbox(base_url: str) -> bool:
    """The address is this installation's sandbox stand-in (apps.sandbox), not OpenRouter itself."""
    return "/sandbox/openrouter/" in urlsplit(base_url).path + "/"


@sensitive_variables()
def _openrouter_check(api_key: str) -> TestOutcome:
    client = OpenRouterClient(api_key)
    outcome = _ask_openrouter(client)
    if _from_sandbox(client.base_url) and outcome.ok is not None:
        # A fake key "works" against the stand-in: say who answered.
        label = _("Answered by the sandbox, not by OpenRouter: %(result)s") % {"result": outcome.message}
        return TestOutcome(outcome.ok, label)
    return outcome


@sensitive_variables()
def _ask_openrouter(client: OpenRouterClient) -> TestOutcome:
    try:
        with client:
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
