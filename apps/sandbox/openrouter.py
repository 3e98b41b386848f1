"""OpenRouter stand-in, following ../shared/contracts/openrouter.md.

Keys: anything starting with `sk-or-` is accepted, except keys containing `revoked`.
More endpoints (chat completions, embeddings) belong here too.
"""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from apps.sandbox.log import record_call

SERVICE = "openrouter"
KEY_PREFIX = "sk-or-"

# What GET /key reports for every accepted key (credits).
KEY_LIMIT = 100.0
KEY_USAGE = 12.5


def _error(request: HttpRequest, code: int, message: str) -> JsonResponse:
    record_call(SERVICE, request, code)
    return JsonResponse({"error": {"code": code, "message": message}}, status=code)


def _api_key(request: HttpRequest) -> str | None:
    """The bearer key if the sandbox accepts it, else None."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key.startswith(KEY_PREFIX) or "revoked" in key:
        return None
    return key


@csrf_exempt
@require_GET
def key(request: HttpRequest) -> JsonResponse:
    if "Authorization" not in request.headers:
        return _error(request, 401, "No auth credentials found")
    if _api_key(request) is None:
        return _error(request, 401, "User not found.")
    record_call(SERVICE, request, 200)
    data = {"limit": KEY_LIMIT, "limit_remaining": KEY_LIMIT - KEY_USAGE, "usage": KEY_USAGE}
    return JsonResponse({"data": data})
