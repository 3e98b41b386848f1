"""The sandbox request log: what the stand-ins received, for tests and the demo."""

import hashlib

from django.db.models import QuerySet
from django.http import HttpRequest

from apps.sandbox.models import SandboxCall

# Headers worth keeping (none of them carries a secret).
LOGGED_HEADERS = ("Content-Type", "HTTP-Referer", "X-OpenRouter-Title", "X-Title", "User-Agent", "X-Request-ID")


def digest(value: str) -> str:
    """SHA-256 of a header value, e.g. `digest("Bearer sk-or-...")` to compare with `SandboxCall.auth_digest`."""
    return hashlib.sha256(value.encode()).hexdigest() if value else ""


def record_call(service: str, request: HttpRequest, status: int) -> SandboxCall:
    return SandboxCall.objects.create(
        service=service,
        method=request.method,
        path=request.path[:500],
        status=status,
        auth_digest=digest(request.headers.get("Authorization", "")),
        headers={name: request.headers[name][:200] for name in LOGGED_HEADERS if name in request.headers},
    )


def calls(service: str | None = None) -> QuerySet[SandboxCall]:
    queryset = SandboxCall.objects.all()
    return queryset.filter(service=service) if service else queryset


def clear_calls(service: str | None = None) -> None:
    calls(service).delete()
