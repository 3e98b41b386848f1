"""The sandbox request log: what the stand-ins received, for tests and the demo."""

import hashlib
import json

from django.db.models import QuerySet
from django.http import HttpRequest

from apps.sandbox.models import SandboxCall

# Headers worth keeping (none of them carries a secret).
LOGGED_HEADERS = (
    "Content-Type",
    "HTTP-Referer",
    "X-OpenRouter-Title",
    "X-Title",
    "User-Agent",
    "X-Request-ID",
    "X-Sandbox-Fault",
)
REDACTED = "[redacted]"


def digest(value: str) -> str:
    """SHA-256 of a header value, e.g. `digest("Bearer sk-or-...")` to compare with `SandboxCall.auth_digest`."""
    return hashlib.sha256(value.encode()).hexdigest() if value else ""


def scrub(body, authorization: str):
    """`body` without any occurrence of the Authorization header's value or its token."""
    if body is None or not authorization:
        return body
    secrets = {authorization, authorization.partition(" ")[2].strip()}
    text = json.dumps(body, ensure_ascii=False)
    for secret in sorted((s for s in secrets if len(s) >= 8), key=len, reverse=True):
        text = text.replace(json.dumps(secret, ensure_ascii=False)[1:-1], REDACTED)
    return json.loads(text)


def record_call(service: str, request: HttpRequest, status: int, *, body=None, fault: str = "") -> SandboxCall:
    authorization = request.headers.get("Authorization", "")
    return SandboxCall.objects.create(
        service=service,
        method=request.method,
        path=request.path[:500],
        status=status,
        auth_digest=digest(authorization),
        headers={name: request.headers[name][:200] for name in LOGGED_HEADERS if name in request.headers},
        body=scrub(body, authorization),
        fault=(fault or "")[:40],
    )


def calls(service: str | None = None) -> QuerySet[SandboxCall]:
    queryset = SandboxCall.objects.all()
    return queryset.filter(service=service) if service else queryset


def clear_calls(service: str | None = None) -> None:
    calls(service).delete()
