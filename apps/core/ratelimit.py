"""Rate limits shared by every process through Redis: a sliding window and a token bucket.

    result = sliding_window(key("ratelimit", "credential_test", org_id), limit=10, window_seconds=60)
    result = token_bucket(key("bucket", "tiktok", account_id), capacity=6, per_second=0.1)
    if not result.allowed: wait result.retry_after_ms

Both run as one Lua script on Redis's own clock, so processes on machines with skewed clocks
share one limit. When Redis cannot be reached the call is allowed (and logged): without Redis
nothing is shared, and locking everyone out would be worse. `apps.billing.ratelimit` builds the
per-organization view decorator on `sliding_window`.
"""

from __future__ import annotations

import functools
import logging
import math
import secrets
from dataclasses import dataclass

from redis import RedisError

from viralforge.redis import get_redis

logger = logging.getLogger("viralforge.ratelimit")

# A sliding log in a sorted set. Returns {allowed, retry_after_ms, count}.
_WINDOW_SCRIPT = """
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

# A bucket of `capacity` tokens refilled at `rate` tokens per millisecond. Returns
# {allowed, retry_after_ms, tokens left (as text: Lua numbers come back as integers)}.
_BUCKET_SCRIPT = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = capacity
  ts = now
end
tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate)
local allowed = 0
local retry = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  retry = math.ceil((cost - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate) + 1000)
return {allowed, retry, tostring(tokens)}
"""


@dataclass(frozen=True)
class Result:
    allowed: bool
    retry_after_ms: int  # 0 when allowed
    remaining: float  # calls (window) or tokens (bucket) still free after this one
    count: int = 0  # sliding window: the calls in the window, this one included when allowed

    @property
    def retry_after(self) -> int:
        """Whole seconds to wait (at least 1 when refused), for a Retry-After header."""
        return 0 if self.allowed else max(1, math.ceil(self.retry_after_ms / 1000))


@functools.cache
def _scripts():
    client = get_redis()
    return client.register_script(_WINDOW_SCRIPT), client.register_script(_BUCKET_SCRIPT)


def sliding_window(redis_key: str, *, limit: int, window_seconds: float) -> Result:
    """Count one call under `redis_key` if the last `window_seconds` hold fewer than `limit`."""
    try:
        allowed, retry_ms, count = _scripts()[0](
            keys=[redis_key], args=[int(window_seconds * 1000), limit, secrets.token_hex(6)]
        )
    except RedisError:
        logger.exception("Rate limit %s could not be checked; allowing the call.", redis_key)
        return Result(True, 0, 0)
    return Result(bool(allowed), int(retry_ms), max(0, limit - int(count)), int(count))


def token_bucket(redis_key: str, *, capacity: float, per_second: float, cost: float = 1) -> Result:
    """Take `cost` tokens from the bucket under `redis_key` (full at first, refilled at
    `per_second`); refused, with the wait until enough tokens are back, when it holds fewer."""
    if capacity <= 0 or per_second <= 0 or cost <= 0:
        raise ValueError("capacity, per_second and cost must be greater than 0")
    try:
        allowed, retry_ms, tokens = _scripts()[1](keys=[redis_key], args=[capacity, per_second / 1000, cost])
    except RedisError:
        logger.exception("Token bucket %s could not be checked; allowing the call.", redis_key)
        return Result(True, 0, 0)
    return Result(bool(allowed), int(retry_ms), float(tokens))


def reset(redis_key: str) -> None:
    """Forget a limit's state (tests, support)."""
    get_redis().delete(redis_key)
