"""TikTok stand-in, following ../shared/contracts/tiktok.md, mounted at /sandbox/tiktok/.

  GET/POST v2/auth/authorize/             consent page → redirect back with ?code&scopes&state or ?error
  POST     v2/oauth/token/                 both grants; refresh tokens rotate (the old one dies)
  POST     v2/oauth/revoke/
  POST     v2/post/publish/creator_info/query/       20/min per token
  POST     v2/post/publish/video/init/               6/min per token (direct post)
  POST     v2/post/publish/inbox/video/init/         6/min per token (inbox/draft)
  PUT      upload/<upload_id>/                       chunk upload (no Authorization)
  POST     v2/post/publish/status/fetch/             30/min per token
  POST     v2/post/publish/cancel/
  GET      v2/user/info/  POST v2/video/list/  POST v2/video/query/   600/min per token and endpoint
  GET      avatar/<open_id>.svg                      the creators' avatars (no network in the demo)

Time is `apps.core.clock`'s; state lives in Redis (state.py); every call is logged
(apps.sandbox.log, secrets never stored) and counted (`state.counts()`); faults come from
apps.sandbox.faults (service "tiktok", see faults.py).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.sandbox.faults import HEADER as FAULT_HEADER
from apps.sandbox.faults import NO_FAULT, Fault, FaultConfigError, draw_fault
from apps.sandbox.log import record_call
from apps.sandbox.tiktok import publishing, state
from apps.sandbox.tiktok.faults import FAIL_REASONS, OAUTH_FAULTS, POSTING_BLOCKS
from apps.sandbox.tiktok.world import world
from apps.social.tiktok.chunks import ChunkRuleError, check_plan

SERVICE = "tiktok"
SCOPES = ("user.info.basic", "user.info.profile", "user.info.stats", "video.list", "video.upload", "video.publish")
OAUTH_ERRORS = (
    "access_denied",
    "invalid_client",
    "invalid_grant",
    "invalid_request",
    "invalid_scope",
    "unauthorized_client",
    "unsupported_grant_type",
    "server_error",
    "temporarily_unavailable",
)
OAUTH_STATUS = {"invalid_client": 401, "server_error": 500, "temporarily_unavailable": 503}
LOCAL_HOSTS = ("127.0.0.1", "localhost", "testserver")

# Per token and endpoint, requests per minute (the contract's numbers).
LIMITS = {
    "creator_info": 20,
    "video_init": 6,
    "inbox_init": 6,
    "status_fetch": 30,
    "cancel": 30,
    "user_info": 600,
    "video_list": 600,
    "video_query": 600,
}
HTTP_STATUS = {
    "ok": 200,
    "invalid_param": 400,
    "invalid_params": 400,
    "scope_permission_missed": 400,
    "access_token_invalid": 401,
    "scope_not_authorized": 401,
    "spam_risk_too_many_posts": 403,
    "spam_risk_user_banned_from_posting": 403,
    "reached_active_user_cap": 403,
    "unaudited_client_can_only_post_to_private_accounts": 403,
    "url_ownership_unverified": 403,
    "privacy_level_option_mismatch": 403,
    "spam_risk_too_many_pending_share": 403,
    "rate_limit_exceeded": 429,
    "internal_error": 500,
}
MAX_TITLE_UTF16 = 2200
ACTIVE_CREATOR_CAP = 5  # unaudited clients: posting creators per 24 h
PENDING_SHARE_CAP = 5  # inbox shares per creator in 24 h


def _log_id() -> str:
    return datetime.fromtimestamp(state.now(), UTC).strftime("%Y%m%d%H%M%S") + secrets.token_hex(8).upper()


def _fault(request: HttpRequest) -> Fault:
    return draw_fault(SERVICE, request.headers.get(FAULT_HEADER))


# --- OAuth ------------------------------------------------------------------------------------------


def _redirect_uri_problem(request, client, redirect_uri: str) -> str | None:
    """The registered redirect URI: the client's path on this server's host (the app that the
    sandbox serves) or a local host; https except on local hosts; no query, no fragment."""
    parts = urlsplit(redirect_uri or "")
    if parts.query or parts.fragment:
        return "redirect_uri must have no query and no fragment"
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOCAL_HOSTS):
        return "redirect_uri must be https"
    if parts.hostname not in LOCAL_HOSTS and parts.netloc != request.get_host():
        return "redirect_uri is not registered for this app"
    if parts.path != client.redirect_path:
        return "redirect_uri is not registered for this app"
    return None


def _back(redirect_uri: str, **params) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{redirect_uri}?{urlencode(params)}")


@csrf_exempt  # stands in for TikTok's own site: our CSRF token has no meaning there
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    """The consent page. GET shows it; its form POSTs back here with the same query and the answer:
    `decision=allow` (+ `creator`), `decision=deny`, or `decision=error:<oauth code>` (sandbox only)."""
    q = request.GET
    client = world().client(q.get("client_key", ""))
    if client is None:
        record_call(SERVICE, request, 400)
        return render(request, "sandbox/tiktok_authorize.html", {"problem": "client_key"}, status=400)
    redirect_uri = q.get("redirect_uri", "")
    problem = _redirect_uri_problem(request, client, redirect_uri)
    if problem:
        record_call(SERVICE, request, 400)
        return render(request, "sandbox/tiktok_authorize.html", {"problem": problem}, status=400)
    state_param = q.get("state", "")
    scopes = [s.strip() for s in q.get("scope", "").split(",") if s.strip()]
    if q.get("response_type") != "code" or not scopes:
        return _back(redirect_uri, error="invalid_request", error_description="response_type and scope are required",
                     state=state_param)  # fmt: skip
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        return _back(redirect_uri, error="invalid_scope", error_description=f"unknown scope {unknown[0]}",
                     state=state_param)  # fmt: skip
    if q.get("code_challenge") and q.get("code_challenge_method", "S256") != "S256":
        return _back(redirect_uri, error="invalid_request", error_description="code_challenge_method must be S256",
                     state=state_param)  # fmt: skip
    if request.method == "GET":
        record_call(SERVICE, request, 200)
        context = {"client": client, "scopes": scopes, "creators": world().creators, "errors": OAUTH_ERRORS}
        return render(request, "sandbox/tiktok_authorize.html", context)

    decision = request.POST.get("decision", "")
    state.count("authorize", 302)
    record_call(SERVICE, request, 302, body={"decision": decision, "creator": request.POST.get("creator", "")})
    if decision == "deny":
        return _back(redirect_uri, error="access_denied", error_description="The user denied the request",
                     state=state_param)  # fmt: skip
    if decision.startswith("error:") and decision[6:] in OAUTH_ERRORS:
        return _back(redirect_uri, error=decision[6:], error_description="sandbox: chosen on the consent page",
                     state=state_param)  # fmt: skip
    creator = world().creator(request.POST.get("creator", ""))
    if decision != "allow" or creator is None:
        return HttpResponseBadRequest("Choose a creator and allow, or deny.")
    granted = [s for s in scopes if s in request.POST.getlist("scopes")] if "scopes_given" in request.POST else scopes
    code = state.new_code(
        client_key=client.client_key,
        open_id=creator.open_id,
        scopes=granted,
        redirect_uri=redirect_uri,
        code_challenge=q.get("code_challenge", ""),
    )
    return _back(redirect_uri, code=code, scopes=",".join(granted), state=state_param)


def _oauth_error(request, error: str, description: str, *, body=None, fault: str = "") -> JsonResponse:
    status = OAUTH_STATUS.get(error, 400)
    record_call(SERVICE, request, status, body=body, fault=fault)
    return JsonResponse({"error": error, "error_description": description, "log_id": _log_id()}, status=status)


def _form(request: HttpRequest) -> dict | None:
    if not request.content_type == "application/x-www-form-urlencoded":
        return None
    return {name: request.POST.get(name, "") for name in request.POST}


def _client_of(form: dict):
    client = world().client(form.get("client_key", ""))
    if client is None or not secrets.compare_digest(client.client_secret, form.get("client_secret", "")):
        return None
    return client


@csrf_exempt
@require_POST
def token(request: HttpRequest) -> JsonResponse:
    form = _form(request)
    grant_type = (form or {}).get("grant_type", "")
    endpoint = "token_refresh" if grant_type == "refresh_token" else "token_code"
    logged = {"grant_type": grant_type, "client_key": (form or {}).get("client_key", "")}  # never the secrets
    if form is None:
        state.count(endpoint, 400)
        return _oauth_error(request, "invalid_request", "Content-Type must be application/x-www-form-urlencoded")
    try:
        fault = _fault(request)
    except FaultConfigError as exc:
        return _oauth_error(request, "invalid_request", str(exc), body=logged)
    # invalid_grant as a fault only rejects refreshes; a code grant keeps its own rules.
    if fault.kind in (*OAUTH_FAULTS, "500", "503") and (fault.kind != "invalid_grant" or endpoint == "token_refresh"):
        error = {"500": "server_error", "503": "temporarily_unavailable"}.get(fault.kind, fault.kind)
        state.count(endpoint, OAUTH_STATUS.get(error, 400))
        return _oauth_error(request, error, "sandbox fault", body=logged, fault=fault.kind)
    client = _client_of(form)
    if client is None:
        state.count(endpoint, 401)
        return _oauth_error(request, "invalid_client", "Client key or secret is invalid", body=logged)
    if grant_type == "authorization_code":
        missing = [n for n in ("code", "redirect_uri") if not form.get(n)]
        if missing:
            state.count(endpoint, 400)
            return _oauth_error(request, "invalid_request", f"{missing[0]} is required", body=logged)
        grant_request = state.take_code(form["code"])
        if (
            grant_request is None
            or grant_request["client_key"] != client.client_key
            or grant_request["expires_at"] <= state.now()
            or grant_request["redirect_uri"] != form["redirect_uri"]
        ):
            state.count(endpoint, 400)
            return _oauth_error(request, "invalid_grant", "Authorization code is expired or invalid", body=logged)
        challenge = grant_request.get("code_challenge", "")
        if challenge:
            verifier = form.get("code_verifier", "")
            if not verifier or hashlib.sha256(verifier.encode()).hexdigest() != challenge:
                state.count(endpoint, 400)
                return _oauth_error(request, "invalid_grant", "code_verifier does not match", body=logged)
        grant_id, grant = state.new_grant(client.client_key, grant_request["open_id"], grant_request["scopes"])
    elif grant_type == "refresh_token":
        if not form.get("refresh_token"):
            state.count(endpoint, 400)
            return _oauth_error(request, "invalid_request", "refresh_token is required", body=logged)
        found = state.use_refresh_token(form["refresh_token"], client.client_key)
        if found is None:
            state.count(endpoint, 400)
            return _oauth_error(request, "invalid_grant", "Refresh token is invalid or expired", body=logged)
        grant_id, grant = found
    else:
        state.count(endpoint, 400)
        return _oauth_error(request, "unsupported_grant_type", "grant_type is not supported", body=logged)
    body = state.issue_tokens(grant_id, grant)
    state.count(endpoint, 200)
    record_call(SERVICE, request, 200, body=logged)
    return JsonResponse(body)


@csrf_exempt
@require_POST
def revoke(request: HttpRequest) -> JsonResponse:
    form = _form(request)
    logged = {"client_key": (form or {}).get("client_key", "")}
    try:
        fault = _fault(request)
    except FaultConfigError as exc:
        return _oauth_error(request, "invalid_request", str(exc), body=logged)
    if fault.kind in ("server_error", "temporarily_unavailable", "500", "503"):
        error = {"500": "server_error", "503": "temporarily_unavailable"}.get(fault.kind, fault.kind)
        state.count("revoke", OAUTH_STATUS[error])
        return _oauth_error(request, error, "sandbox fault", body=logged, fault=fault.kind)
    if form is None or not form.get("token"):
        state.count("revoke", 400)
        return _oauth_error(request, "invalid_request", "token is required", body=logged)
    client = _client_of(form)
    if client is None:
        state.count("revoke", 401)
        return _oauth_error(request, "invalid_client", "Client key or secret is invalid", body=logged)
    if not state.revoke(form["token"], client.client_key):
        state.count("revoke", 400)
        return _oauth_error(request, "invalid_request", "Token is invalid", body=logged)
    state.count("revoke", 200)
    record_call(SERVICE, request, 200, body=logged)
    return JsonResponse({})


# --- API calls -------------------------------------------------------------------------------------


class APIAnswer(Exception):
    """Raised inside an endpoint to answer with the envelope's error."""

    def __init__(self, code: str, message: str, *, status: int | None = None, headers: dict | None = None):
        super().__init__(code)
        self.code, self.message, self.headers = code, message, headers or {}
        self.status = status if status is not None else HTTP_STATUS.get(code, 400)


def _envelope(data, code: str = "ok", message: str = "") -> dict:
    return {"data": data if data is not None else {}, "error": {"code": code, "message": message, "log_id": _log_id()}}


class Call:
    """One authenticated API request: the grant, the creator, the body, the fault it drew."""

    def __init__(self, request, endpoint: str, scope: str):
        self.request, self.endpoint = request, endpoint
        self.body = None
        self.fault = NO_FAULT
        scheme, _, token_value = request.headers.get("Authorization", "").partition(" ")
        token_value = token_value.strip()
        try:
            self.fault = _fault(request)
        except FaultConfigError as exc:
            raise APIAnswer("invalid_param", str(exc)) from None
        if request.method == "POST":
            if not request.content_type == "application/json":
                raise APIAnswer("invalid_param", "Content-Type must be application/json; charset=UTF-8")
            try:
                self.body = json.loads(request.body or b"{}")
            except (ValueError, UnicodeDecodeError):
                raise APIAnswer("invalid_param", "The request body is not valid JSON.") from None
            if not isinstance(self.body, dict):
                raise APIAnswer("invalid_param", "The request body must be a JSON object.")
        found = state.access_grant(token_value) if scheme.lower() == "bearer" and token_value else None
        if found is None or self.fault.kind == "access_token_invalid":
            raise APIAnswer("access_token_invalid", "The access token is invalid or not found in the request.")
        self.grant_id, self.grant = found
        if scope not in self.grant["scopes"]:
            raise APIAnswer("scope_not_authorized", f"The user did not authorize the scope required ({scope}).")
        self.client = world().client(self.grant["client_key"])
        self.creator = world().creator(self.grant["open_id"])
        retry = state.hit_limit(f"{endpoint}:{state.digest(token_value)}", LIMITS[endpoint])
        if retry:
            raise APIAnswer("rate_limit_exceeded", "Rate limit exceeded.", headers={"Retry-After": f"{retry:.0f}"})
        if self.fault.kind == "429":
            raise APIAnswer("rate_limit_exceeded", "Rate limit exceeded (sandbox fault).", headers={"Retry-After": "1"})
        if self.fault.kind in ("500", "503"):
            raise APIAnswer("internal_error", "Internal error (sandbox fault).", status=int(self.fault.kind))


def api(endpoint: str, scope: str, methods=("POST",)):
    """Decorator: authenticate, limit, count and log; the view returns `data` or raises APIAnswer."""

    def decorator(view):
        @csrf_exempt
        @require_http_methods(list(methods))
        def wrapper(request, *args, **kwargs):
            fault = ""
            body = None
            try:
                call = Call(request, endpoint, scope)
                fault, body = call.fault.kind or "", call.body
                data = view(call, *args, **kwargs)
            except APIAnswer as answer:
                state.count(endpoint, answer.status)
                record_call(SERVICE, request, answer.status, body=body, fault=fault or "")
                return JsonResponse(
                    _envelope({}, answer.code, answer.message), status=answer.status, headers=answer.headers
                )
            state.count(endpoint, 200)
            record_call(SERVICE, request, 200, body=body, fault=fault)
            if isinstance(data, tuple):  # (data, error code) answered with HTTP 200 (creator_info caps)
                data, code = data
                return JsonResponse(_envelope(data, code, code.replace("_", " ")))
            return JsonResponse(_envelope(data))

        wrapper.__name__ = view.__name__
        return wrapper

    return decorator


def _posting_block(call: Call) -> str | None:
    """Why this creator may not post now (a contract error code), or None."""
    if call.fault.kind in POSTING_BLOCKS:
        return call.fault.kind
    creator = call.creator
    if creator.banned:
        return "spam_risk_user_banned_from_posting"
    if state.posts_today(creator.open_id, publishing.today()) >= creator.daily_post_cap:
        return "spam_risk_too_many_posts"
    if not state.is_audited(call.client):
        active = set(state.activity_since(call.client.client_key, "", "active", 24 * 3600))
        if creator.open_id not in active and len(active) >= ACTIVE_CREATOR_CAP:
            return "reached_active_user_cap"
    return None


@api("creator_info", "video.publish")
def creator_info(call: Call):
    creator = call.creator
    data = {
        "creator_avatar_url": publishing.avatar_url(call.request, creator.open_id),
        "creator_username": creator.username,
        "creator_nickname": creator.nickname,
        "privacy_level_options": creator.privacy_level_options,
        "comment_disabled": creator.comment_disabled,
        "duet_disabled": creator.duet_disabled,
        "stitch_disabled": creator.stitch_disabled,
        "max_video_post_duration_sec": creator.max_video_post_duration_sec,
    }
    block = _posting_block(call)
    return (data, block) if block else data


def _source(call: Call) -> dict:
    source = call.body.get("source_info")
    if not isinstance(source, dict) or source.get("source") not in ("FILE_UPLOAD", "PULL_FROM_URL"):
        raise APIAnswer("invalid_param", "source_info.source must be FILE_UPLOAD or PULL_FROM_URL.")
    if source["source"] == "FILE_UPLOAD":
        try:
            plan = check_plan(source.get("video_size"), source.get("chunk_size"), source.get("total_chunk_count"))
        except ChunkRuleError as exc:
            raise APIAnswer("invalid_param", str(exc)) from None
        return {"source": "FILE_UPLOAD", "video_size": plan.video_size, "chunk_size": plan.chunk_size,
                "total_chunk_count": plan.total_chunk_count}  # fmt: skip
    url = source.get("video_url")
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme != "https" or not parts.hostname:
        raise APIAnswer("invalid_param", "video_url must be an https URL.")
    if parts.hostname not in world().verified_domains:
        raise APIAnswer("url_ownership_unverified", "The domain of video_url is not verified for this app.")
    return {"source": "PULL_FROM_URL", "video_url": url}


def _post_info(call: Call) -> dict:
    info = call.body.get("post_info")
    if not isinstance(info, dict):
        raise APIAnswer("invalid_param", "post_info is required.")
    privacy = info.get("privacy_level")
    if not isinstance(privacy, str) or not privacy:
        raise APIAnswer("invalid_param", "post_info.privacy_level is required.")
    if privacy not in call.creator.privacy_level_options:
        raise APIAnswer("privacy_level_option_mismatch", "privacy_level is not one of the creator's options.")
    title = info.get("title", "")
    if not isinstance(title, str) or len(title.encode("utf-16-le")) // 2 > MAX_TITLE_UTF16:
        raise APIAnswer("invalid_param", "title must be a string of at most 2200 UTF-16 code units.")
    for flag in ("disable_duet", "disable_stitch", "disable_comment", "brand_content_toggle",
                 "brand_organic_toggle", "is_aigc"):  # fmt: skip
        if flag in info and not isinstance(info[flag], bool):
            raise APIAnswer("invalid_param", f"post_info.{flag} must be a boolean.")
    cover = info.get("video_cover_timestamp_ms")
    if cover is not None and (not isinstance(cover, int) or isinstance(cover, bool) or cover < 0):
        raise APIAnswer("invalid_param", "video_cover_timestamp_ms must be a non-negative integer.")
    if info.get("brand_content_toggle") and privacy == "SELF_ONLY":
        raise APIAnswer("invalid_param", "Branded content cannot be private (SELF_ONLY).")
    if not state.is_audited(call.client) and not (call.creator.private and privacy == "SELF_ONLY"):
        raise APIAnswer(
            "unaudited_client_can_only_post_to_private_accounts",
            "Unaudited clients can only post SELF_ONLY to private accounts.",
        )
    return info


def _init(call: Call, kind: str) -> dict:
    post_info = _post_info(call) if kind == "direct" else {}
    source = _source(call)
    block = _posting_block(call)
    if block:
        raise APIAnswer(block, block.replace("_", " "))
    if kind == "inbox":
        pending = state.activity_since("", call.creator.open_id, "inbox", 24 * 3600)
        if len(pending) >= PENDING_SHARE_CAP:
            raise APIAnswer("spam_risk_too_many_pending_share", "Too many pending shares in the last 24 hours.")
    fail_reason = call.fault.kind if call.fault.kind in FAIL_REASONS else ""
    record = publishing.new_publish(
        call,
        kind=kind,
        source=source,
        post_info=post_info,
        fail_reason=fail_reason,
        expired_url=call.fault.kind == "upload_url_expired",
    )
    state.add_post_today(call.creator.open_id, publishing.today())
    state.note_activity(call.client.client_key, call.creator.open_id, "active")
    if kind == "inbox":
        state.note_activity(call.client.client_key, call.creator.open_id, "inbox")
    data = {"publish_id": record["publish_id"]}
    if source["source"] == "FILE_UPLOAD":
        data["upload_url"] = record["upload_url"]
    return data


@api("video_init", "video.publish")
def video_init(call: Call):
    return _init(call, "direct")


@api("inbox_init", "video.upload")
def inbox_init(call: Call):
    return _init(call, "inbox")


def _own_publish(call: Call) -> dict:
    publish_id = call.body.get("publish_id")
    if not isinstance(publish_id, str) or not publish_id:
        raise APIAnswer("invalid_param", "publish_id is required.")
    record = state.publish(publish_id)
    if record is None or record["open_id"] != call.creator.open_id or record["client_key"] != call.client.client_key:
        raise APIAnswer("invalid_param", "publish_id does not exist.")
    return record


@api("status_fetch", "video.publish")
def status_fetch(call: Call):
    record = _own_publish(call)
    return publishing.status_of(publishing.advance(record["publish_id"]))


@api("cancel", "video.publish")
def cancel(call: Call):
    record = _own_publish(call)
    if not publishing.cancel(record["publish_id"]):
        raise APIAnswer("invalid_param", "The publish is finished and cannot be cancelled.")
    return {}


USER_FIELDS = {
    "open_id", "union_id", "avatar_url", "avatar_url_100", "avatar_large_url", "display_name", "bio_description",
    "profile_deep_link", "is_verified", "username", "follower_count", "following_count", "likes_count", "video_count",
}  # fmt: skip
STATS_FIELDS = {"follower_count", "following_count", "likes_count", "video_count"}
PROFILE_FIELDS = {"bio_description", "profile_deep_link", "is_verified", "username"}


def _fields(call: Call, allowed: set[str]) -> list[str]:
    fields = [f.strip() for f in call.request.GET.get("fields", "").split(",") if f.strip()]
    if not fields:
        raise APIAnswer("invalid_params", "fields is required.")
    unknown = [f for f in fields if f not in allowed]
    if unknown:
        raise APIAnswer("invalid_params", f"Unknown field {unknown[0]}.")
    return fields


@api("user_info", "user.info.basic", methods=("GET",))
def user_info(call: Call):
    fields = _fields(call, USER_FIELDS)
    needs = {"user.info.stats": STATS_FIELDS, "user.info.profile": PROFILE_FIELDS}
    for scope, names in needs.items():
        if names & set(fields) and scope not in call.grant["scopes"]:
            raise APIAnswer("scope_not_authorized", f"The user did not authorize the scope required ({scope}).")
    user = publishing.user_of(call)
    return {"user": {name: user[name] for name in fields if name in user}}


@api("video_list", "video.list")
def video_list(call: Call):
    fields = _fields(call, publishing.VIDEO_FIELDS)
    cursor, max_count = call.body.get("cursor"), call.body.get("max_count", 10)
    if not isinstance(max_count, int) or isinstance(max_count, bool) or not 1 <= max_count <= 20:
        raise APIAnswer("invalid_params", "max_count must be between 1 and 20.")
    if cursor is not None and (not isinstance(cursor, int) or isinstance(cursor, bool)):
        raise APIAnswer("invalid_params", "cursor must be an int64 timestamp in milliseconds.")
    videos = publishing.videos_of(call)  # newest first
    if cursor is not None:
        videos = [v for v in videos if v["create_time"] * 1000 < cursor]
    page = videos[:max_count]
    next_cursor = page[-1]["create_time"] * 1000 if page else (cursor or 0)
    return {
        "videos": [{f: v[f] for f in fields if f in v} for v in page],
        "cursor": next_cursor,
        "has_more": len(videos) > max_count,
    }


@api("video_query", "video.list")
def video_query(call: Call):
    fields = _fields(call, publishing.VIDEO_FIELDS)
    filters = call.body.get("filters")
    ids = filters.get("video_ids") if isinstance(filters, dict) else None
    if not isinstance(ids, list) or not ids or len(ids) > 20 or not all(isinstance(i, str | int) for i in ids):
        raise APIAnswer("invalid_params", "filters.video_ids must list 1 to 20 ids.")
    wanted = {str(i) for i in ids}
    found = [v for v in publishing.videos_of(call) if v["id"] in wanted]
    return {"videos": [{f: v[f] for f in fields if f in v} for v in found]}


# --- chunk upload ------------------------------------------------------------------------------------

_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")
VIDEO_TYPES = ("video/mp4", "video/quicktime", "video/webm")


def check_chunk(record: dict, content_type: str, content_range: str, content_length: str) -> tuple[int, str]:
    """The answer to one chunk's headers before its bytes are read: (0, "") if they fit, else
    (status, message). Pure, so the arithmetic of a 135 MB upload is testable without 135 MB."""
    if (content_type or "").split(";")[0].strip().lower() not in VIDEO_TYPES:
        return 400, "Content-Type must be video/mp4, video/quicktime or video/webm."
    match = _RANGE.match((content_range or "").strip())
    if not match:
        return 400, "Content-Range must be 'bytes FIRST-LAST/TOTAL'."
    first, last, total = (int(n) for n in match.groups())
    if total != record["video_size"] or first > last or last >= total:
        return 400, "Content-Range does not fit the announced video_size."
    if first != record["received_bytes"]:
        return 416, f"Chunks must be sent in order: expected the range to start at {record['received_bytes']}."
    index = first // record["chunk_size"]
    plan = check_plan(record["video_size"], record["chunk_size"], record["total_chunk_count"])
    if (first, last) != plan.range_of(index):
        expected_first, expected_last = plan.range_of(index)
        return 400, f"Chunk {index + 1} must cover bytes {expected_first}-{expected_last}."
    if not (content_length or "").isdigit() or int(content_length) != last - first + 1:
        return 400, "Content-Length must equal the length of the range."
    return 0, ""


@csrf_exempt
@require_http_methods(["PUT"])
def upload(request: HttpRequest, upload_id: str) -> HttpResponse:
    def answer(status: int, message: str = "", fault: str = "") -> HttpResponse:
        state.count("upload", status)
        record_call(SERVICE, request, status, fault=fault)
        return JsonResponse({"status": status, "message": message}, status=status)

    publish_id = state.upload_owner(upload_id)
    if publish_id is None:
        return answer(404, "No such upload.")
    try:
        fault = _fault(request)
    except FaultConfigError as exc:
        return answer(400, str(exc))
    with state.lock(f"publish:{publish_id}"):
        record = state.publish(publish_id)
        if record is None:
            return answer(404, "No such upload.")
        if fault.kind == "upload_url_expired" or record["upload_expires_at"] <= state.now():
            return answer(403, "The upload URL has expired.", fault=fault.kind or "")
        if fault.kind in ("500", "503"):
            return answer(int(fault.kind), "Upload failed; retry this chunk.", fault=fault.kind)
        if record["received_bytes"] >= record["video_size"]:
            return answer(416, "All chunks were received already.")
        status, message = check_chunk(
            record,
            request.headers.get("Content-Type", ""),
            request.headers.get("Content-Range", ""),
            request.headers.get("Content-Length", ""),
        )
        if status:
            return answer(status, message)
        expected = int(request.headers["Content-Length"])
        received = 0
        while True:  # read in pieces: the sandbox never holds a whole chunk in memory
            piece = request.read(1024 * 1024)
            if not piece:
                break
            received += len(piece)
        if received != expected:
            return answer(400, "The body is shorter than Content-Length.")
        record = publishing.add_bytes(record, received)
    return answer(201 if record["uploaded_at"] else 206)


@require_GET
def avatar(request: HttpRequest, open_id: str) -> HttpResponse:
    creator = world().creator(open_id)
    if creator is None:
        return HttpResponse(status=404)
    hue = int(hashlib.sha256(open_id.encode()).hexdigest()[:2], 16) * 360 // 256
    return render(
        request,
        "sandbox/tiktok_avatar.svg",
        {"initial": creator.nickname[:1].upper(), "hue": hue},
        content_type="image/svg+xml",
    )
