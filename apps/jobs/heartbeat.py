"""Worker heartbeats in Redis, read by /readyz and the queue page."""

import os
import socket
import time

from django.conf import settings

from viralforge.redis import get_redis, key

_HASH = "worker-heartbeats"


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def record_worker_heartbeat(identity: str | None = None) -> float:
    now = time.time()
    client = get_redis()
    client.hset(key(_HASH), identity or worker_identity(), now)
    # Forget workers that have been silent for a day so the hash stays small.
    stale = [name for name, ts in client.hgetall(key(_HASH)).items() if now - float(ts) > 86_400]
    if stale:
        client.hdel(key(_HASH), *stale)
    return now


def newest_heartbeat_age() -> float | None:
    """Seconds since the freshest worker heartbeat, or None if no worker ever beat."""
    values = get_redis().hvals(key(_HASH))
    if not values:
        return None
    return max(0.0, time.time() - max(float(v) for v in values))


def worker_is_alive() -> bool:
    age = newest_heartbeat_age()
    return age is not None and age <= settings.VF_WORKER_HEARTBEAT_MAX_AGE
