"""Kling AI stand-in, following ../shared/contracts/video-providers.md.

Endpoints (under /sandbox/kling/):
  POST v1/videos/text2video              create a task → {"code": 0, "data": {"task_id", "task_status": "submitted", …}}
  GET  v1/videos/text2video/<task_id>    submitted → processing → succeed (task_result.videos) | failed
  GET  files/<task_id>.mp4               the result file (a plain CDN-style URL: no key)

Every API call must carry `Authorization: Bearer <JWT>`, HS256-signed with the secret of its `iss`
(access key) and with `exp` and `nbf` that hold on the sandbox clock: no header → 401/1001, a bad
token or signature or an unknown access key → 401/1002, `nbf` in the future → 401/1003, `exp` passed
→ 401/1004. Known keys: `KEYS`, plus any access key starting with "sbx-kling-" whose secret is the
access key followed by "-secret". Access keys containing "arrears" get 429/1101, "noperm" 403/1103.

Faults (apps.sandbox.faults, service "kling", or the X-Sandbox-Fault header):
  per request: "401" (1000), "1102" (429, resource pack used up), "1103" (403), "1200" (400),
      "1203" (404 model), "1301" (400 content safety at create), "429" (1302 rate limit, with Retry-After),
      "429_no_hint" (1303 concurrency limit, without), "500" (5000), "503" (5001), "504" (5002),
      "timeout" (waits `hang_seconds`, then 504/5002);
  drawn at create, for that task: "safety" (fails the risk control), "failed", "stuck" (never leaves
      processing), "download_once" (its first download answers 503).
"""

from __future__ import annotations

import secrets
import time

import jwt
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from apps.core import clock
from apps.sandbox import clipgen
from apps.sandbox.faults import HEADER as FAULT_HEADER
from apps.sandbox.faults import FaultConfigError, draw_fault, register_kinds
from apps.sandbox.http import json_body
from apps.sandbox.log import record_call

SERVICE = "kling"
KEYS = {"sbx-kling-access": "sbx-kling-secret-0123456789"}
MODELS = ("kling-v1", "kling-v1-6", "kling-v2-master", "kling-v2-1-master")
ERRORS = {
    "401": (401, 1000, "Authentication failed (sandbox fault)."),
    "1102": (429, 1102, "The resource pack is used up or expired (sandbox fault)."),
    "1103": (403, 1103, "No permission for this resource or model (sandbox fault)."),
    "1200": (400, 1200, "Invalid request parameters (sandbox fault)."),
    "1203": (404, 1203, "The requested model was not found (sandbox fault)."),
    "1301": (400, 1301, "The content failed the safety check (sandbox fault)."),
    "429": (429, 1302, "Rate limit exceeded (sandbox fault)."),
    "429_no_hint": (429, 1303, "Concurrency limit exceeded (sandbox fault)."),
    "500": (500, 5000, "Server internal error (sandbox fault)."),
    "503": (503, 5001, "Server under maintenance (sandbox fault)."),
    "504": (504, 5002, "Server timeout (sandbox fault)."),
    "timeout": (504, 5002, "Server timeout (sandbox fault)."),
}
TASK_FAULTS = ("safety", "failed", "stuck", "download_once")
register_kinds(SERVICE, (*ERRORS, *TASK_FAULTS))
SAFETY_MESSAGE = "Failure to pass the risk control system (sandbox fault)."
MAX_TEXT = 2500


def _request_id() -> str:
    return secrets.token_hex(12)


def _error(request, status: int, code: int, message: str, *, body=None, fault: str = "", retry_after=None):
    record_call(SERVICE, request, status, body=body, fault=fault)
    response = JsonResponse({"code": code, "message": message, "request_id": _request_id()}, status=status)
    if retry_after is not None:
        response["Retry-After"] = f"{retry_after:g}"
    return response


def secret_for(access_key: str) -> str | None:
    if access_key in KEYS:
        return KEYS[access_key]
    if access_key.startswith("sbx-kling-"):
        return f"{access_key}-secret"
    return None


def check_token(authorization: str) -> tuple[int, int, str, str] | None:
    """None when the JWT is good, else (HTTP status, code, message, access key)."""
    scheme, _, raw = authorization.partition(" ")
    if scheme != "Bearer" or not raw.strip():
        return 401, 1001, "Authorization is empty.", ""
    try:
        header = jwt.get_unverified_header(raw)
        claims = jwt.decode(raw, options={"verify_signature": False})
    except jwt.PyJWTError:
        return 401, 1002, "Authorization is invalid.", ""
    issuer = str(claims.get("iss") or "")
    secret = secret_for(issuer)
    if header.get("alg") != "HS256" or secret is None:
        return 401, 1002, "Authorization is invalid.", issuer
    try:  # the times are checked below, on the sandbox clock
        claims = jwt.decode(
            raw, secret, algorithms=["HS256"],
            options={"verify_exp": False, "verify_nbf": False, "require": ["iss", "exp", "nbf"]},
        )  # fmt: skip
    except jwt.PyJWTError:
        return 401, 1002, "Authorization is invalid.", issuer
    now = clock.timestamp()
    if not isinstance(claims["nbf"], int | float) or claims["nbf"] > now:
        return 401, 1003, "Authorization is not yet valid.", issuer
    if not isinstance(claims["exp"], int | float) or claims["exp"] <= now:
        return 401, 1004, "Authorization has expired.", issuer
    return None


def _refusal(request, body=None) -> tuple[HttpResponse | None, str]:
    """(an error response for a fault or the token, or None; the fault kind drawn)."""
    try:
        fault = draw_fault(SERVICE, request.headers.get(FAULT_HEADER))
    except FaultConfigError as exc:
        return _error(request, 400, 1200, str(exc), body=body), ""
    if fault.latency_ms:
        time.sleep(fault.latency_ms / 1000)
    problem = check_token(request.headers.get("Authorization", ""))
    if problem:
        status, code, message, _issuer = problem
        return _error(request, status, code, message, body=body), ""
    error = clipgen.error_fault(SERVICE, fault, ERRORS)
    if error:
        status, code, message, retry_after = error
        return _error(request, status, code, message, body=body, fault=fault.kind, retry_after=retry_after), ""
    issuer = jwt.decode(request.headers["Authorization"].split(" ", 1)[1], options={"verify_signature": False})["iss"]
    if "arrears" in issuer:
        return _error(request, 429, 1101, "The account is in arrears.", body=body), ""
    if "noperm" in issuer:
        return _error(request, 403, 1103, "No permission for this resource or model.", body=body), ""
    return None, fault.kind or ""


def _problem(body) -> tuple[int, int, str] | None:
    if not isinstance(body, dict):
        return 400, 1200, "The request body must be a JSON object."
    if body.get("model_name", "kling-v1") not in MODELS:
        return 404, 1203, f"Model {body.get('model_name')!r} not found."
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip() or len(prompt) > MAX_TEXT:
        return 400, 1201, "prompt is required and may have at most 2500 characters."
    negative = body.get("negative_prompt", "")
    if not isinstance(negative, str) or len(negative) > MAX_TEXT:
        return 400, 1201, "negative_prompt may have at most 2500 characters."
    cfg = body.get("cfg_scale", 0.5)
    if isinstance(cfg, bool) or not isinstance(cfg, int | float) or not 0 <= cfg <= 1:
        return 400, 1201, "cfg_scale must be between 0 and 1."
    if body.get("mode", "std") not in ("std", "pro"):
        return 400, 1201, "mode must be std or pro."
    if body.get("aspect_ratio", "16:9") not in ("16:9", "9:16", "1:1"):
        return 400, 1201, "aspect_ratio must be 16:9, 9:16 or 1:1."
    if body.get("duration", "5") not in ("5", "10"):
        return 400, 1201, 'duration must be "5" or "10".'
    return None


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


def _task_data(request, task: dict) -> dict:
    stage = clipgen.stage(SERVICE, task)
    created = _ms(task["created_at"])
    data = {"task_id": task["id"], "task_status": stage, "task_status_msg": "", "created_at": created,
            "updated_at": _ms(clock.timestamp())}  # fmt: skip
    if task["params"].get("external_task_id"):
        data["task_info"] = {"external_task_id": task["params"]["external_task_id"]}
    if stage != "done":
        return data
    if task["fault"] in ("safety", "failed"):
        message = SAFETY_MESSAGE if task["fault"] == "safety" else "Video generation failed (sandbox fault)."
        return data | {"task_status": "failed", "task_status_msg": message}
    url = request.build_absolute_uri(reverse("sandbox_kling_download", args=[task["id"]]))
    video = {"id": f"v{task['id']}", "url": url, "duration": str(task["params"]["seconds"])}
    return data | {"task_status": "succeed", "task_result": {"videos": [video]}}


@csrf_exempt
@require_POST
def text2video(request: HttpRequest) -> HttpResponse:
    body = json_body(request)
    refused, kind = _refusal(request, body)
    if refused:
        return refused
    problem = _problem(body)
    if problem:
        return _error(request, *problem, body=body)
    params = {
        "model": body.get("model_name", "kling-v1"),
        "prompt": body["prompt"],
        "aspect_ratio": body.get("aspect_ratio", "16:9"),
        "seconds": int(body.get("duration", "5")),
        "external_task_id": str(body.get("external_task_id") or ""),
    }
    task = clipgen.create(SERVICE, params, kind if kind in TASK_FAULTS else "")
    record_call(SERVICE, request, 200, body=body, fault=kind)
    data = _task_data(request, task)
    data = {name: data[name] for name in ("task_id", "task_status", "created_at", "updated_at")}
    return JsonResponse({"code": 0, "message": "SUCCEED", "request_id": _request_id(), "data": data})


@require_GET
def task(request: HttpRequest, task_id: str) -> HttpResponse:
    refused, kind = _refusal(request)
    if refused:
        return refused
    found = clipgen.get(SERVICE, task_id)
    if found is None:
        return _error(request, 404, 1201, f"Task {task_id} not found.")
    record_call(SERVICE, request, 200, fault=kind)
    data = _task_data(request, found)
    return JsonResponse({"code": 0, "message": "SUCCEED", "request_id": _request_id(), "data": data})


@require_GET
def download(request: HttpRequest, task_id: str) -> HttpResponse:
    found = clipgen.take_download(SERVICE, task_id)
    if found is None:
        record_call(SERVICE, request, 404)
        return HttpResponse(status=404)
    if clipgen.download_fails(found):
        record_call(SERVICE, request, 503, fault="download_once")
        return HttpResponse(b"Service Unavailable (sandbox fault)", status=503, content_type="text/plain")
    record_call(SERVICE, request, 200)
    return HttpResponse(clipgen.clip_of(found), content_type="video/mp4")
