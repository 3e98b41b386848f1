"""Google Veo (Gemini API) stand-in, following ../shared/contracts/video-providers.md.

Endpoints (under /sandbox/veo/):
  POST v1beta/models/<model>:predictLongRunning     → {"name": "models/<model>/operations/<id>", "done": false}
  GET  v1beta/models/<model>/operations/<id>        → the operation (done with a video URI, filtered, or an error)
  GET  v1beta/files/<id>:download?alt=media         → the MP4 (apps.sandbox.clipgen makes it)

Keys (`x-goog-api-key`): any non-empty key, except keys containing "invalid" (400 INVALID_ARGUMENT
"API key not valid") and "denied" (403 PERMISSION_DENIED); none at all is 403. Unknown models →
404 NOT_FOUND; a bad body → 400 INVALID_ARGUMENT. `durationSeconds` may be 1–8 here (Veo 3 takes
4, 6 or 8) so tests can ask for short clips. Operations move on with the clock (`clipgen.configure`).

Faults (apps.sandbox.faults, service "veo", or the X-Sandbox-Fault header):
  per request: "400", "403", "429" (RESOURCE_EXHAUSTED with Retry-After), "429_no_hint" (without),
      "500" (INTERNAL), "503" (UNAVAILABLE), "timeout" (waits `hang_seconds`, then 504 DEADLINE_EXCEEDED);
  drawn at create, for that operation: "safety" (done, no samples, filter reasons), "stuck" (never done),
      "failed" (done with an INTERNAL error), "download_once" (its first download answers 503).
"""

from __future__ import annotations

import time

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from apps.sandbox import clipgen
from apps.sandbox.faults import HEADER as FAULT_HEADER
from apps.sandbox.faults import FaultConfigError, draw_fault, register_kinds
from apps.sandbox.http import json_body
from apps.sandbox.log import record_call

SERVICE = "veo"
MODELS = ("veo-3.1-generate-preview", "veo-3.1-fast-generate-preview", "veo-3.0-generate-001")
ERRORS = {
    "400": (400, "INVALID_ARGUMENT", "Request contains an invalid argument (sandbox fault)."),
    "403": (403, "PERMISSION_DENIED", "The caller does not have permission (sandbox fault)."),
    "429": (429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota) (sandbox fault)."),
    "429_no_hint": (429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (sandbox fault)."),
    "500": (500, "INTERNAL", "An internal error has occurred (sandbox fault)."),
    "503": (503, "UNAVAILABLE", "The service is currently unavailable (sandbox fault)."),
    "timeout": (504, "DEADLINE_EXCEEDED", "The request deadline was exceeded (sandbox fault)."),
}
TASK_FAULTS = ("safety", "stuck", "failed", "download_once")
register_kinds(SERVICE, (*ERRORS, *TASK_FAULTS))
FILTER_REASON = (
    "Your video could not be generated because it violates our safety policy (sandbox fault). "
    "Please rephrase the prompt."
)


def _error(request, status: int, code: str, message: str, *, body=None, fault: str = "", retry_after=None):
    record_call(SERVICE, request, status, body=body, fault=fault)
    response = JsonResponse({"error": {"code": status, "message": message, "status": code}}, status=status)
    if retry_after is not None:
        response["Retry-After"] = f"{retry_after:g}"
    return response


def _fault_response(request, body=None) -> tuple[HttpResponse | None, str]:
    """(an error response for a per-request fault or a bad key, or None; the fault kind drawn)."""
    try:
        fault = draw_fault(SERVICE, request.headers.get(FAULT_HEADER))
    except FaultConfigError as exc:
        return _error(request, 400, "INVALID_ARGUMENT", str(exc), body=body), ""
    if fault.latency_ms:
        time.sleep(fault.latency_ms / 1000)
    error = clipgen.error_fault(SERVICE, fault, ERRORS)
    if error:
        status, code, message, retry_after = error
        return _error(request, status, code, message, body=body, fault=fault.kind, retry_after=retry_after), ""
    key = request.headers.get("x-goog-api-key", "")
    if not key:
        message = "Method doesn't allow unregistered callers. Please use an API key."
        return _error(request, 403, "PERMISSION_DENIED", message, body=body), ""
    if "invalid" in key:
        message = "API key not valid. Please pass a valid API key."
        return _error(request, 400, "INVALID_ARGUMENT", message, body=body), ""
    if "denied" in key:
        return _error(request, 403, "PERMISSION_DENIED", "The API key has no access to this model.", body=body), ""
    return None, fault.kind or ""


def _problems(body) -> str:
    if not isinstance(body, dict):
        return "Invalid JSON payload received."
    instances = body.get("instances")
    if not isinstance(instances, list) or len(instances) != 1 or not isinstance(instances[0], dict):
        return "instances must hold exactly one instance."
    prompt = instances[0].get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        return "instances[0].prompt is required."
    parameters = body.get("parameters") or {}
    if not isinstance(parameters, dict):
        return "parameters must be an object."
    if parameters.get("aspectRatio", "16:9") not in ("9:16", "16:9"):
        return "aspectRatio must be 9:16 or 16:9."
    seconds = parameters.get("durationSeconds", 8)
    if not isinstance(seconds, int) or isinstance(seconds, bool) or not 1 <= seconds <= 8:
        return "durationSeconds must be a whole number of seconds (at most 8)."
    if parameters.get("resolution", "720p") not in ("720p", "1080p"):
        return "resolution must be 720p or 1080p."
    return ""


@csrf_exempt
@require_POST
def predict(request: HttpRequest, model: str) -> HttpResponse:
    body = json_body(request)
    refused, kind = _fault_response(request, body)
    if refused:
        return refused
    if model not in MODELS:
        return _error(request, 404, "NOT_FOUND", f"models/{model} is not found for API version v1beta.", body=body)
    problem = _problems(body)
    if problem:
        return _error(request, 400, "INVALID_ARGUMENT", problem, body=body)
    parameters = body.get("parameters") or {}
    params = {
        "model": model,
        "prompt": body["instances"][0]["prompt"],
        "aspect_ratio": parameters.get("aspectRatio", "16:9"),
        "seconds": parameters.get("durationSeconds", 8),
    }
    task = clipgen.create(SERVICE, params, kind if kind in TASK_FAULTS else "")
    record_call(SERVICE, request, 200, body=body, fault=kind)
    return JsonResponse({"name": f"models/{model}/operations/{task['id']}", "done": False})


@require_GET
def operation(request: HttpRequest, model: str, operation_id: str) -> HttpResponse:
    refused, kind = _fault_response(request)
    if refused:
        return refused
    task = clipgen.get(SERVICE, operation_id)
    name = f"models/{model}/operations/{operation_id}"
    if task is None or task["params"]["model"] != model:
        return _error(request, 404, "NOT_FOUND", f"Operation {name} not found.")
    record_call(SERVICE, request, 200, fault=kind)
    if clipgen.stage(SERVICE, task) != "done":
        return JsonResponse({"name": name, "done": False})
    if task["fault"] == "failed":
        error = {"code": 500, "message": "Video generation failed (sandbox fault).", "status": "INTERNAL"}
        return JsonResponse({"name": name, "done": True, "error": error})
    if task["fault"] == "safety":
        result = {"raiMediaFilteredCount": 1, "raiMediaFilteredReasons": [FILTER_REASON]}
    else:
        uri = request.build_absolute_uri(reverse("sandbox_veo_download", args=[operation_id]) + "?alt=media")
        result = {"generatedSamples": [{"video": {"uri": uri}}]}
    response = {"@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse"}
    return JsonResponse({"name": name, "done": True, "response": response | {"generateVideoResponse": result}})


@require_GET
def download(request: HttpRequest, file_id: str) -> HttpResponse:
    refused, kind = _fault_response(request)
    if refused:
        return refused
    task = clipgen.take_download(SERVICE, file_id)
    if task is None:
        return _error(request, 404, "NOT_FOUND", f"File {file_id} not found.")
    if clipgen.download_fails(task):
        message = "The file could not be served (sandbox fault)."
        return _error(request, 503, "UNAVAILABLE", message, fault="download_once")
    record_call(SERVICE, request, 200, fault=kind)
    return HttpResponse(clipgen.clip_of(task), content_type="video/mp4")
