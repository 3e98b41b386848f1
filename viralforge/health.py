"""Liveness and readiness for load balancers and orchestrators."""

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _check_redis() -> str:
    from viralforge.redis import get_redis

    get_redis().ping()
    return "ok"


def _check_worker() -> str:
    from apps.jobs.heartbeat import newest_heartbeat_age

    age = newest_heartbeat_age()
    if age is None:
        raise RuntimeError("no worker heartbeat yet")
    if age > settings.VF_WORKER_HEARTBEAT_MAX_AGE:
        raise RuntimeError(f"last worker heartbeat {age:.0f}s ago")
    return "ok"


CHECKS = {"database": _check_database, "redis": _check_redis, "worker": _check_worker}


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    results, failing = {}, []
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # every failure, whatever its kind, makes the part "failing"
            results[name] = f"failing: {type(exc).__name__}: {exc}"[:300]
            failing.append(name)
    body = {"status": "ok" if not failing else "unavailable", "checks": results, "failing": failing}
    return JsonResponse(body, status=503 if failing else 200)
