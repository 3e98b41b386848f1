"""Per-organization rate limits, shared by every process through Redis.

    from django.conf import settings
    from apps.billing.ratelimit import rate_limit

    @require_POST
    @org_view(Role.ADMIN)
    @rate_limit("credential_test", settings.VF_RATE_LIMIT_CREDENTIAL_TESTS)
    def credential_test(request, credential_id): ...

`rate_limit` goes *below* `org_view` (it needs `request.org`). The counting is
`apps.core.ratelimit.sliding_window`. Each organization gets
`per_minute` calls of `name` in any sliding 60-second window; the next one is answered
with 429, a `Retry-After` header (seconds until the oldest call leaves the window) and a
translated message (for HTMX requests a small fragment that lands in the message area).
"""

import functools
import logging
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext

from apps.core import ratelimit as limits
from viralforge.redis import key

logger = logging.getLogger("viralforge.billing")

WINDOW_SECONDS = 60


def _key(name: str, org) -> str:
    return key("ratelimit", name, str(getattr(org, "id", org)))


def hit(name: str, org, limit: int, window_seconds: int = WINDOW_SECONDS) -> limits.Result:
    """Count one call of `name` for `org` (an Organization or its id) if the last `window_seconds` have room."""
    return limits.sliding_window(_key(name, org), limit=limit, window_seconds=window_seconds)


def reset(name: str, org) -> None:
    """Forget the calls counted for `org` (tests, support)."""
    limits.reset(_key(name, org))


def too_many_requests(request: HttpRequest, retry_after: int) -> HttpResponse:
    message = ngettext(
        "Too many requests. Please try again in %(seconds)d second.",
        "Too many requests. Please try again in %(seconds)d seconds.",
        retry_after,
    ) % {"seconds": retry_after}
    context = {"message": message, "retry_after": retry_after}
    if getattr(request, "htmx", False):
        # Shown in the message area (out-of-band); the request's own target stays as it is.
        response = render(request, "billing/rate_limited.html#rate_limited_oob", context, status=429)
        response["HX-Reswap"] = "none"
    else:
        response = render(request, "billing/rate_limited.html", context, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def rate_limit(name: str, per_minute: int | Callable[[], int]):
    """Decorator for org views (below `org_view`): at most `per_minute` calls per organization and minute.

    `per_minute` may be a callable returning the limit, to read a setting at request time.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            org = getattr(request, "org", None)
            if org is None:
                raise ImproperlyConfigured(f"rate_limit({name!r}) needs request.org: put it below @org_view.")
            limit = per_minute() if callable(per_minute) else per_minute
            result = hit(name, org, limit)
            if not result.allowed:
                logger.info("Rate limit %s reached for organization %s.", name, org.id)
                return too_many_requests(request, result.retry_after)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
