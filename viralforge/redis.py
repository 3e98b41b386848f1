import functools

import redis
from django.conf import settings


@functools.cache
def get_redis() -> redis.Redis:
    """The shared Redis client (connection pool) for this process."""
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)


def key(*parts: str) -> str:
    return ":".join([settings.VF_REDIS_NAMESPACE, *parts])
