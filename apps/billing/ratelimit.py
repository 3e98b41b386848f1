"""Per-organization rate limits, shared by every process through Redis.

    from django.conf import settings
    from apps.billing.ratelimit import rate_limit

    @require_POST
    @org_view(Role.ADMIN)
    @rate_limit("credential_test", settings.VF_RATE_LIMIT_CREDENTIAL_TESTS)
    def credential_test(request, credential_id): ...

`rate_limit` goes *below* `org_view` (it needs `request.org`). Each organization gets
`per_minute` calls of `name` in any sliding 60-second window; the next one is answered
with 429, a `Retry-After` header (seconds until the oldest call leaves the window) and a
translated message (for HTMX requests a small fragment that lands in the message area).
"""

import functools
import logging
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext
from redis import RedisError

from viralforge.redis import get_redis, key

logger = logging.getLogger("viralforge.billing")

WINDOW_SECONDS = 60

# A sliding log in a sorted set, atomic in Redis; the clock is Redis's, so web processes on
# machines with skewed clocks still share one window. Returns {allowed, retry_after_ms, count}.
_SLIDING_WINDOW = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  redis.call('ZADD', KEYS[1], now, now .. '-' .. ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, 0, count + 1}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local retry = window
if oldest[2] then retry = tonumber(oldest[2]) + window - now end
return {0, retry, count}
"""


@dataclass(frozen=True)
class RateLimitResult:
    allowed: bool
    retry_after: int  # seconds; 0 when allowed
    count: int  # calls in the window, this one included when allowed


@functools.cache
def _script():
    return get_redis().register_script(_SLIDING_WINDOW)


def hit(name: str, org, limit: int, window_seconds: int = WINDOW_SECONDS) -> RateLimitResult:
    """Count one call of `name` for `org` (an Organization or its id) if the last `window_seconds` have room."""
    org_id = getattr(org, "id", org)
    redis_key = key("ratelimit", name, str(org_id))
    try:
        allowed, retry_ms, count = _script()(
            keys=[redis_key], args=[window_seconds * 1000, limit, secrets.token_hex(6)]
        )
    except RedisError:
        # Without Redis nothing is shared between processes; let the call through rather than lock everyone out.
        logger.exception("Rate limit %s could not be checked; allowing the call.", name)
        return RateLimitResult(True, 0, 0)
    if allowed:
        return RateLimitResult(True, 0, int(count))
    return RateLimitResult(False, max(1, math.ceil(int(retry_ms) / 1000)), int(count))


def reset(name: str, org) -> None:
    """Forget the calls counted for `org` (tests, support)."""
    get_redis().delete(key("ratelimit", name, str(getattr(org, "id", org))))


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
