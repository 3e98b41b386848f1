"""The sandbox TikTok's moving parts, in Redis (shared by every process that serves the sandbox).

Times are `apps.core.clock` timestamps (seconds), so tests can freeze or move time and benches
can compress it; Redis TTLs only clean up. Tokens are kept under their SHA-256 digest, never raw.

    configure(access_expires_in=60, processing_seconds=0, webhook_url=...)   # tests, benches
    set_audited("sbx-client-viralforge", False)                              # unaudited-client mode
    counts()            # {"video_init": 1, "video_init:200": 1, ...}: what the sandbox received
    reset()             # forget everything (tokens, publishes, counters, limits, config)
"""

from __future__ import annotations

import hashlib
import json
import secrets

from apps.core import clock
from viralforge.redis import get_redis, key

# Real-time TTL of every key: only for cleaning up; validity is decided on clock time.
KEEP_SECONDS = 3 * 24 * 3600

DEFAULTS = {
    "access_expires_in": 86_400,
    "refresh_expires_in": 31_536_000,
    "code_expires_in": 300,
    "upload_url_expires_in": 3600,
    "download_seconds": 3,  # PULL_FROM_URL: PROCESSING_DOWNLOAD this long
    "processing_seconds": 5,  # after the last byte: processing, then complete / inbox / failed
    "moderation_seconds": 60,  # after PUBLISH_COMPLETE: public posts get their post id
    "webhook_url": "",
    "unaudited": [],  # client keys switched to unaudited mode
}


def _k(*parts: str) -> str:
    return key("sandbox", "tiktok", *parts)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def now() -> float:
    return clock.timestamp()


def _get(name: str) -> dict | None:
    raw = get_redis().get(_k(name))
    return json.loads(raw) if raw else None


def _put(name: str, value: dict) -> None:
    get_redis().set(_k(name), json.dumps(value), ex=KEEP_SECONDS)


# --- configuration -----------------------------------------------------------------------------


def config() -> dict:
    return DEFAULTS | (_get("config") or {})


def configure(**values) -> dict:
    unknown = set(values) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"Unknown sandbox TikTok setting(s): {', '.join(sorted(unknown))}")
    merged = (_get("config") or {}) | values
    _put("config", merged)
    return DEFAULTS | merged


def set_audited(client_key: str, audited: bool) -> None:
    unaudited = [c for c in config()["unaudited"] if c != client_key]
    if not audited:
        unaudited.append(client_key)
    configure(unaudited=unaudited)


def is_audited(client) -> bool:
    return client.audited and client.client_key not in config()["unaudited"]


def reset() -> None:
    redis = get_redis()
    names = list(redis.scan_iter(match=_k("*"), count=500))
    if names:
        redis.delete(*names)


def first_seen() -> float:
    """When the sandbox world was first looked at (seeded videos are dated relative to it)."""
    redis = get_redis()
    redis.set(_k("first_seen"), repr(now()), nx=True, ex=KEEP_SECONDS)
    return float(redis.get(_k("first_seen")))


# --- counters ----------------------------------------------------------------------------------


def count(endpoint: str, status: int) -> None:
    with get_redis().pipeline() as pipe:
        pipe.hincrby(_k("counts"), endpoint, 1)
        pipe.hincrby(_k("counts"), f"{endpoint}:{status}", 1)
        pipe.expire(_k("counts"), KEEP_SECONDS)
        pipe.execute()


def counts() -> dict[str, int]:
    return {name.decode(): int(value) for name, value in get_redis().hgetall(_k("counts")).items()}


# --- authorization codes, grants and tokens -----------------------------------------------------


def new_code(**grant_request) -> str:
    code = "sbx_code_" + secrets.token_urlsafe(24)
    _put(f"code:{digest(code)}", grant_request | {"expires_at": now() + config()["code_expires_in"]})
    return code


def take_code(code: str) -> dict | None:
    """A code works once: it is deleted on first use."""
    raw = get_redis().getdel(_k(f"code:{digest(code)}"))
    return json.loads(raw) if raw else None


def issue_tokens(grant_id: str, grant: dict) -> dict:
    """New access and refresh tokens for a grant: the token endpoint's success body."""
    settings = config()
    access = "act." + secrets.token_urlsafe(32)
    refresh = "rft." + secrets.token_urlsafe(32)
    at = now()
    _put(f"access:{digest(access)}", {"grant": grant_id, "expires_at": at + settings["access_expires_in"]})
    _put(f"refresh:{digest(refresh)}", {"grant": grant_id, "expires_at": at + settings["refresh_expires_in"]})
    grant = grant | {"refresh": digest(refresh)}
    _put(f"grant:{grant_id}", grant)
    return {
        "access_token": access,
        "expires_in": settings["access_expires_in"],
        "open_id": grant["open_id"],
        "refresh_token": refresh,
        "refresh_expires_in": settings["refresh_expires_in"],
        "scope": ",".join(grant["scopes"]),
        "token_type": "Bearer",
    }


def new_grant(client_key: str, open_id: str, scopes: list[str]) -> tuple[str, dict]:
    grant_id = secrets.token_hex(12)
    return grant_id, {"client_key": client_key, "open_id": open_id, "scopes": scopes, "revoked": False}


def grant(grant_id: str) -> dict | None:
    return _get(f"grant:{grant_id}")


def use_refresh_token(refresh_token: str, client_key: str) -> tuple[str, dict] | None:
    """The live grant of a refresh token, which dies here (it rotates); None if it is unknown,
    expired, revoked, of another client, or was already used."""
    redis = get_redis()
    entry_raw = redis.getdel(_k(f"refresh:{digest(refresh_token)}"))
    if not entry_raw:
        return None
    entry = json.loads(entry_raw)
    found = grant(entry["grant"])
    if found is None or found["revoked"] or found["client_key"] != client_key or entry["expires_at"] <= now():
        return None
    if found.get("refresh") != digest(refresh_token):
        return None
    return entry["grant"], found


def access_grant(access_token: str) -> tuple[str, dict] | None:
    """(grant id, grant) of a live access token, else None."""
    entry = _get(f"access:{digest(access_token)}")
    if entry is None or entry["expires_at"] <= now():
        return None
    found = grant(entry["grant"])
    if found is None or found["revoked"]:
        return None
    return entry["grant"], found


def revoke(token: str, client_key: str) -> bool:
    """Revoke the grant behind an access (or refresh) token: all its tokens die."""
    entry = _get(f"access:{digest(token)}") or _get(f"refresh:{digest(token)}")
    if entry is None:
        return False
    found = grant(entry["grant"])
    if found is None or found["client_key"] != client_key:
        return False
    _put(f"grant:{entry['grant']}", found | {"revoked": True})
    return True


# --- publishes and uploads ---------------------------------------------------------------------


def save_publish(publish: dict) -> None:
    _put(f"publish:{publish['publish_id']}", publish)
    get_redis().sadd(_k("publishes"), publish["publish_id"])


def publish(publish_id: str) -> dict | None:
    return _get(f"publish:{publish_id}")


def all_publishes() -> list[dict]:
    ids = sorted(i.decode() for i in get_redis().smembers(_k("publishes")))
    return [p for p in (publish(i) for i in ids) if p]


def upload_owner(upload_id: str) -> str | None:
    raw = get_redis().get(_k(f"upload:{upload_id}"))
    return raw.decode() if raw else None


def link_upload(upload_id: str, publish_id: str) -> None:
    get_redis().set(_k(f"upload:{upload_id}"), publish_id, ex=KEEP_SECONDS)


def lock(name: str, timeout: float = 5):
    """A Redis lock around read-modify-write of one publish (concurrent chunk PUTs, status reads)."""
    return get_redis().lock(_k("lock", name), timeout=timeout, blocking_timeout=timeout)


# --- webhooks sent (for tests) ----------------------------------------------------------------------


def remember_webhook(raw: bytes, signature: str, delivered_status: int | None) -> None:
    entry = {"body": raw.decode(), "signature": signature, "status": delivered_status}
    with get_redis().pipeline() as pipe:
        pipe.rpush(_k("webhooks"), json.dumps(entry))
        pipe.expire(_k("webhooks"), KEEP_SECONDS)
        pipe.execute()


def sent_webhooks() -> list[dict]:
    return [json.loads(item) for item in get_redis().lrange(_k("webhooks"), 0, -1)]


# --- sliding-window rate limits on clock time ---------------------------------------------------------

_WINDOW = """
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[1])
if n < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('EXPIRE', KEYS[1], 86400)
  return {1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, tostring(tonumber(oldest[2]) + window - now)}
"""


def hit_limit(bucket: str, limit: int, window_seconds: float = 60) -> float:
    """Count one request in `bucket`; 0 if allowed, else the seconds until one is allowed again.

    A small sliding window on the *core clock's* time: apps.core.ratelimit counts on Redis's own
    clock (TIME), which a frozen or compressed sandbox clock cannot move."""
    allowed, retry = get_redis().eval(
        _WINDOW, 1, _k("rl", bucket), repr(now()), window_seconds, limit, secrets.token_hex(6)
    )
    return 0.0 if int(allowed) else max(float(retry), 0.001)


def posts_today(open_id: str, day: str) -> int:
    raw = get_redis().get(_k("posts", open_id, day))
    return int(raw or 0)


def add_post_today(open_id: str, day: str) -> int:
    name = _k("posts", open_id, day)
    with get_redis().pipeline() as pipe:
        pipe.incr(name)
        pipe.expire(name, KEEP_SECONDS)
        value, _ = pipe.execute()
    return int(value)


def note_activity(client_key: str, open_id: str, kind: str) -> None:
    """Remember when a creator posted (active-creator cap) or shared to the inbox (pending shares)."""
    name = _k("activity", kind, client_key if kind == "active" else open_id)
    member = open_id if kind == "active" else secrets.token_hex(6)
    with get_redis().pipeline() as pipe:
        pipe.zadd(name, {member: now()})
        pipe.expire(name, KEEP_SECONDS)
        pipe.execute()


def activity_since(client_key: str, open_id: str, kind: str, seconds: float) -> list[str]:
    name = _k("activity", kind, client_key if kind == "active" else open_id)
    return [m.decode() for m in get_redis().zrangebyscore(name, now() - seconds, "+inf")]
