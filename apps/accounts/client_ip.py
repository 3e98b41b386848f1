"""The client's IP address, as far as this deployment can trust it.

Off by default: `REMOTE_ADDR`. Behind reverse proxies set either `VF_TRUSTED_PROXY_COUNT` (how many
proxies append to `X-Forwarded-For`; the entry that many from the right is the client) or
`VF_TRUSTED_CLIENT_IP_HEADER` (a header your proxy sets and overwrites, e.g. `X-Real-IP`). Never
both, and never when no proxy strips what a client sends: the value would be the attacker's choice.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(value: str) -> str | None:
    value = value.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    header = settings.VF_TRUSTED_CLIENT_IP_HEADER
    if header:
        return _valid(request.headers.get(header, "")) or remote
    count = settings.VF_TRUSTED_PROXY_COUNT
    if count:
        hops = [part for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
        if len(hops) >= count:
            return _valid(hops[-count]) or remote
    return remote
