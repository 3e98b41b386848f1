"""Where browsers report Content-Security-Policy violations: logged, nothing stored.

No login (the browser sends the report on its own), no CSRF token (browsers send none), a small
body cap and a per-IP rate limit, so the endpoint cannot be used to flood the logs.
"""

import json
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.accounts.client_ip import client_ip
from apps.core.ratelimit import sliding_window
from viralforge.redis import key

logger = logging.getLogger("viralforge.csp")

MAX_REPORT_BYTES = 8 * 1024
# Fields of a report worth a log line (CSP level 2 `csp-report` and Reporting API `body` names).
_FIELDS = (
    "document-uri", "documentURL", "violated-directive", "effectiveDirective", "effective-directive",
    "blocked-uri", "blockedURL", "source-file", "sourceFile", "line-number", "lineNumber", "disposition",
)


def _fields(payload) -> dict:
    reports = payload if isinstance(payload, list) else [payload]
    found = {}
    for report in reports[:5]:
        if not isinstance(report, dict):
            continue
        body = report.get("csp-report") or report.get("body") or {}
        if isinstance(body, dict):
            found.update({name: str(body[name])[:300] for name in _FIELDS if name in body})
    return found


@csrf_exempt
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > MAX_REPORT_BYTES:
        return HttpResponse(status=413)
    limit = settings.VF_RATE_LIMIT_CSP_REPORTS
    if not sliding_window(key("ratelimit", "csp_report", client_ip(request)), limit=limit, window_seconds=60).allowed:
        return HttpResponse(status=429)
    try:
        payload = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return HttpResponse(status=400)
    logger.warning("CSP violation %s", json.dumps(_fields(payload), sort_keys=True))
    return HttpResponse(status=204)
