"""Sign-in limits that stop guessing without locking the real owner out.

- Per IP: the `VF_LOGIN_IP_FAILURES`-th failed sign-in within a minute blocks that IP's sign-in
  attempts (429) for `VF_LOGIN_IP_BLOCK_SECONDS`.
- Per (IP, account): `VF_LOGIN_PAIR_FAILURES` failures within `VF_LOGIN_PAIR_WINDOW_SECONDS` refuse
  further attempts for that account *from that IP* only; the owner signs in from anywhere else.

allauth's own account-wide `login_failed` limit is switched off in settings (it let anyone who
knows an address lock its owner out). Counts live in Redis, so every web process shares them.
"""

import hashlib

from django.conf import settings
from django.http import HttpRequest

from apps.accounts.client_ip import client_ip
from apps.core.ratelimit import sliding_window
from viralforge.redis import get_redis, key

_WINDOW_SECONDS = 60


def _account(login: str) -> str:
    # The address is personal data: only a digest goes into Redis keys.
    return hashlib.sha256(login.strip().lower().encode()).hexdigest()[:32]


def _block_key(kind: str, name: str) -> str:
    return key("login", f"{kind}-blocked", name)


def _pair_name(ip: str, login: str) -> str:
    return f"{ip}|{_account(login)}"


def ip_blocked_seconds(request: HttpRequest) -> int:
    """Seconds this request's IP is still blocked from signing in (0: not blocked)."""
    return max(0, int(get_redis().ttl(_block_key("ip", client_ip(request)))))


def pair_locked(request: HttpRequest, login: str) -> bool:
    """Has this IP failed too often for this account lately?"""
    return bool(get_redis().exists(_block_key("pair", _pair_name(client_ip(request), login))))


def _count_failure(kind: str, name: str, limit: int, window: int, block_seconds: int) -> None:
    # A limit of N+1 lets the window count the N-th failure (hit refuses at the limit); the N-th blocks.
    failures = sliding_window(key("ratelimit", f"login_{kind}", name), limit=limit + 1, window_seconds=window)
    if not failures.allowed or failures.count >= limit:
        get_redis().set(_block_key(kind, name), 1, ex=block_seconds)


def record_failure(request: HttpRequest, login: str) -> None:
    ip = client_ip(request)
    pair_window = settings.VF_LOGIN_PAIR_WINDOW_SECONDS
    _count_failure("pair", _pair_name(ip, login), settings.VF_LOGIN_PAIR_FAILURES, pair_window, pair_window)
    _count_failure("ip", ip, settings.VF_LOGIN_IP_FAILURES, _WINDOW_SECONDS, settings.VF_LOGIN_IP_BLOCK_SECONDS)


def reset(ip: str) -> None:
    """Forget an IP's blocks and failure counts, its (IP, account) pairs included (support, tests)."""
    redis = get_redis()
    for pattern in (key("login", "*", f"{ip}*"), key("ratelimit", "login_*", f"{ip}*")):
        names = list(redis.scan_iter(match=pattern, count=500))
        if names:
            redis.delete(*names)
