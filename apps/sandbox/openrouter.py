"""OpenRouter stand-in, following ../shared/contracts/openrouter.md.

Keys: anything starting with `sk-or-` is accepted, except keys containing `revoked`.

Endpoints (under /sandbox/openrouter/api/v1/):
  GET  key               credits of the key
  POST chat/completions  validates the body like OpenRouter (400 in the contract's error shape);
                         with `response_format` json_schema it answers JSON that validates against
                         the schema, generated from the schema and seeded by a hash of the request
                         (identical requests, identical answers). A `strict: true` schema must be
                         strict-compatible (every object: additionalProperties false, all properties
                         required), as with providers that honour `require_parameters`.
                         Fallbacks: the first model of `model` + `models` whose name does not contain
                         "unavailable" answers; none left → 502.
                         Usage: tokens ≈ characters / 4, cost at the sandbox price below. An answer
                         longer than `max_tokens` is cut (finish_reason "length").
                         `stream: true`: the same answer as server-sent events (chunks of the content,
                         the last with finish reason and usage, then `data: [DONE]`).
  POST embeddings        deterministic vectors of `dimensions` (default 1536) from the local
                         hashing embedder: similar texts get similar vectors; `encoding_format`
                         `base64` sends each as little-endian float32 bytes in base64.

Scripted answers (tests): `script_answer({...}, match="Kurkuma")` makes every chat completion
whose messages contain `match` (empty: every one) answer with exactly that content instead of the
generated one, in the same response shape (usage, finish_reason, faults still apply);
`clear_scripts()` ends it. Stored in Redis like the faults, so the live server sees it.

Every call is logged (apps.sandbox.log, with the JSON body of POSTs) and answers with the header
`X-Sandbox-Duration-Ms`: the server-side time of the request from the moment Django started
handling it (before the middleware) to the finished response, including injected latency, so
benchmarks can subtract it. Faults (latency, HTTP errors, broken content) are switched on through
apps.sandbox.faults or per request with the `X-Sandbox-Fault` header.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import random
import re
import secrets
import struct
import time
from functools import lru_cache

from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from apps.ai.embeddings import HashingEmbedder
from apps.ai.offline.schema_fill import Generator, break_schema, generate
from apps.sandbox.apps import STARTED_KEY
from apps.sandbox.faults import HEADER as FAULT_HEADER
from apps.sandbox.faults import Fault, FaultConfigError, draw_fault
from apps.sandbox.http import json_body
from apps.sandbox.log import record_call
from viralforge.redis import get_redis
from viralforge.redis import key as redis_key

SERVICE = "openrouter"
KEY_PREFIX = "sk-or-"
UPSTREAM = "Sandbox"
DURATION_HEADER = "X-Sandbox-Duration-Ms"

# What GET /key reports for every accepted key (credits).
KEY_LIMIT = 100.0
KEY_USAGE = 12.5

# Sandbox prices in credits per token.
PROMPT_PRICE = 0.0000005
COMPLETION_PRICE = 0.000002
EMBEDDING_PRICE = 0.00000002

DEFAULT_EMBEDDING_DIMENSIONS = 1536
MAX_EMBEDDING_DIMENSIONS = 4096
ROLES = ("system", "developer", "user", "assistant", "tool")
_SCHEMA_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_GERMAN = re.compile(r"\b(deutsch|german|auf deutsch|language[:=]\s*de|sprache[:=]\s*de)\b", re.IGNORECASE)

HTTP_FAULTS = {
    "400": ("Invalid request (sandbox fault).", None),
    "401": ("User not found.", None),
    "402": (
        "Insufficient credits. This account never purchased credits. Add more using "
        "https://openrouter.ai/settings/credits",
        None,
    ),
    "403": ("Input was flagged by moderation.", "moderation"),
    "408": ("Request timed out.", None),
    "429": ("Rate limit exceeded: too many requests. Try again later.", None),
    "500": ("Internal Server Error", None),
    "502": ("Provider returned error", "provider"),
    "503": ("No allowed providers are available for the selected model.", None),
}


# --- plumbing ------------------------------------------------------------------------------------


def _started(request: HttpRequest) -> float:
    """When Django began handling the request (stamped before the middleware), else now."""
    now = time.perf_counter()
    stamp = request.META.get(STARTED_KEY)
    return stamp if isinstance(stamp, float) and 0 <= now - stamp < 60 else now


def _finish(response: HttpResponse, started: float) -> HttpResponse:
    response[DURATION_HEADER] = f"{(time.perf_counter() - started) * 1000:.3f}"
    return response


def _error(
    request: HttpRequest,
    code: int,
    message: str,
    *,
    started: float | None = None,
    body=None,
    fault: str = "",
    metadata: dict | None = None,
    headers: dict | None = None,
) -> HttpResponse:
    record_call(SERVICE, request, code, body=body, fault=fault)
    error: dict = {"code": code, "message": message}
    if metadata:
        error["metadata"] = metadata
    response = JsonResponse({"error": error}, status=code, headers=headers)
    return _finish(response, started) if started is not None else response


def _api_key(request: HttpRequest) -> str | None:
    """The bearer key if the sandbox accepts it, else None."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key.startswith(KEY_PREFIX) or "revoked" in key:
        return None
    return key


def _auth_error(request: HttpRequest) -> str | None:
    if "Authorization" not in request.headers:
        return "No auth credentials found"
    if _api_key(request) is None:
        return "User not found."
    return None


def _tokens(chars: int) -> int:
    return max(1, math.ceil(chars / 4)) if chars else 0


def _generation_id() -> str:
    return f"gen-{int(time.time())}-{secrets.token_hex(10)}"


def _fault(request: HttpRequest) -> Fault:
    return draw_fault(SERVICE, request.headers.get(FAULT_HEADER))


def _retry_after_header(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"


def _http_fault(request: HttpRequest, fault: Fault, started: float, body, model: str) -> HttpResponse:
    message, kind = HTTP_FAULTS[fault.kind]
    code = int(fault.kind)
    metadata, headers = None, None
    if kind == "moderation":
        last_user = next((m for m in reversed(body.get("messages", [])) if m.get("role") == "user"), {})
        text = last_user.get("content") if isinstance(last_user.get("content"), str) else ""
        metadata = {"reasons": ["sandbox"], "flagged_input": text[:100], "provider_name": UPSTREAM, "model_slug": model}
    elif kind == "provider":
        metadata = {"provider_name": UPSTREAM, "raw": "upstream answered 502 (sandbox fault)"}
    if code == 429:
        headers = {"Retry-After": _retry_after_header(fault.retry_after)}
    return _error(
        request, code, message, started=started, body=body, fault=fault.kind, metadata=metadata, headers=headers
    )


# --- GET /key -----------------------------------------------------------------------------------


@csrf_exempt
@require_GET
def key(request: HttpRequest) -> JsonResponse:
    problem = _auth_error(request)
    if problem:
        return _error(request, 401, problem)
    record_call(SERVICE, request, 200)
    data = {"limit": KEY_LIMIT, "limit_remaining": KEY_LIMIT - KEY_USAGE, "usage": KEY_USAGE}
    return JsonResponse({"data": data})


# --- POST /chat/completions -----------------------------------------------------------------------


def strict_schema_problem(schema, path: tuple = ()) -> str | None:
    """Why `schema` is not acceptable for strict structured outputs, or None."""
    if isinstance(schema, list):
        for index, sub in enumerate(schema):
            problem = strict_schema_problem(sub, (*path, index))
            if problem:
                return problem
        return None
    if not isinstance(schema, dict):
        return None
    kind = schema.get("type")
    if kind == "object" or (isinstance(kind, list) and "object" in kind) or "properties" in schema:
        context = f"context=({', '.join(repr(p) for p in path)})"
        if schema.get("additionalProperties") is not False:
            return f"In {context}, 'additionalProperties' is required to be supplied and to be false."
        properties = schema.get("properties") or {}
        required = schema.get("required") or []
        missing = [name for name in properties if name not in required]
        if missing:
            return (
                f"In {context}, 'required' is required to be supplied and to be an array including every key "
                f"in properties. Missing '{missing[0]}'."
            )
    for key_name in ("properties", "$defs", "definitions"):
        if isinstance(schema.get(key_name), dict):
            for name, sub in schema[key_name].items():
                problem = strict_schema_problem(sub, (*path, key_name, name))
                if problem:
                    return problem
    for key_name in ("items", "anyOf", "oneOf", "allOf", "prefixItems"):
        if key_name in schema:
            problem = strict_schema_problem(schema[key_name], (*path, key_name))
            if problem:
                return problem
    return None


def validate_chat(body) -> str | None:
    """The first problem with a chat completions body (OpenRouter answers 400), or None."""
    if not isinstance(body, dict):
        return "Request body must be a JSON object."
    model, models = body.get("model"), body.get("models")
    if model is not None and (not isinstance(model, str) or not model.strip()):
        return "'model' must be a non-empty string."
    if models is not None and (
        not isinstance(models, list) or not models or not all(isinstance(m, str) and m.strip() for m in models)
    ):
        return "'models' must be a non-empty array of model ids."
    if not model and not models:
        return "Either 'model' or 'models' is required."
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "'messages' is required and must be a non-empty array."
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            return f"messages[{index}] must be an object."
        if message.get("role") not in ROLES:
            return f"messages[{index}].role must be one of {', '.join(ROLES)}."
        content = message.get("content")
        if not isinstance(content, str | list):
            return f"messages[{index}].content must be a string or an array of content parts."
    temperature = body.get("temperature")
    if temperature is not None and (
        not isinstance(temperature, int | float) or isinstance(temperature, bool) or not 0 <= temperature <= 2
    ):
        return "'temperature' must be a number between 0 and 2."
    max_tokens = body.get("max_tokens")
    if max_tokens is not None and (not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1):
        return "'max_tokens' must be a positive integer."
    if body.get("stream") is not None and not isinstance(body.get("stream"), bool):
        return "'stream' must be a boolean."
    if body.get("stream_options") is not None and not isinstance(body.get("stream_options"), dict):
        return "'stream_options' must be an object."
    if body.get("provider") is not None and not isinstance(body.get("provider"), dict):
        return "'provider' must be an object."
    response_format = body.get("response_format")
    if response_format is not None:
        if not isinstance(response_format, dict) or response_format.get("type") not in (
            "text",
            "json_object",
            "json_schema",
        ):
            return "'response_format.type' must be one of text, json_object, json_schema."
        if response_format["type"] == "json_schema":
            spec = response_format.get("json_schema")
            if not isinstance(spec, dict):
                return "'response_format.json_schema' is required for type json_schema."
            name = spec.get("name")
            if not isinstance(name, str) or not _SCHEMA_NAME.fullmatch(name):
                return "'response_format.json_schema.name' must match ^[a-zA-Z0-9_-]{1,64}$."
            if not isinstance(spec.get("schema"), dict):
                return "'response_format.json_schema.schema' must be a JSON schema object."
            if spec.get("strict") is True:
                problem = strict_schema_problem(spec["schema"])
                if problem:
                    return f"Invalid schema for response_format '{name}': {problem}"
    return None


def _model_chain(body: dict) -> list[str]:
    chain = [body["model"]] if body.get("model") else []
    return list(dict.fromkeys([*chain, *(body.get("models") or [])]))


def _text_of(content) -> str:
    if isinstance(content, str):
        return content
    return " ".join(part.get("text", "") for part in content if isinstance(part, dict))


# --- scripted answers ---------------------------------------------------------------------------


def _scripts_key() -> str:
    return redis_key("sandbox", "scripts", SERVICE)


def script_answer(content: dict | str, *, match: str = "", ttl_seconds: int = 3600) -> None:
    """Answer chat completions whose messages contain `match` with `content` (a dict is sent as JSON)."""
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    get_redis().rpush(_scripts_key(), json.dumps({"match": match, "content": text}))
    get_redis().expire(_scripts_key(), ttl_seconds)


def clear_scripts() -> None:
    get_redis().delete(_scripts_key())


def _scripted(messages_text: str) -> str | None:
    for raw in get_redis().lrange(_scripts_key(), 0, -1):
        script = json.loads(raw)
        if script["match"] in messages_text:
            return script["content"]
    return None


def _content(body: dict, rng: random.Random, fault: Fault) -> tuple[str, str]:
    """(message content, finish_reason)."""
    messages_text = " ".join(_text_of(m.get("content", "")) for m in body["messages"])
    language = "de" if _GERMAN.search(messages_text) else "en"
    response_format = body.get("response_format") or {"type": "text"}
    schema = None
    scripted = _scripted(messages_text)
    if scripted is not None and not fault.kind:
        return scripted, "stop"
    if response_format["type"] == "json_schema":
        schema = response_format["json_schema"]["schema"]
        value = generate(schema, rng, language)
    elif response_format["type"] == "json_object":
        generator = Generator({}, rng, language)
        value = {
            "text": generator.string({}, "text"),
            "confidence": generator.number({}, "confidence", integer=False),
            "rationale": generator.string({}, "rationale"),
        }
    else:
        value = None

    if fault.kind == "schema_violation":
        value = break_schema(value if value is not None else {}, schema or {}, rng.randint(0, 1))
    if value is None:
        generator = Generator({}, rng, language)
        content = " ".join(generator._sentence() for _ in range(3))
    else:
        content = json.dumps(value, ensure_ascii=False)
    if fault.kind == "invalid_json":
        content = "Sure! Here is the JSON you asked for:\n" + content[: max(1, len(content) // 2)]

    max_tokens = body.get("max_tokens")
    if isinstance(max_tokens, int) and _tokens(len(content)) > max_tokens:
        return content[: max_tokens * 4], "length"
    return content, "stop"


def _accept(request: HttpRequest, validate) -> tuple[float, dict, Fault] | HttpResponse:
    """What every POST endpoint does first: authenticate, validate the body, draw a fault, wait out
    its latency. Returns (start time, body, fault), or the error response to send."""
    started = _started(request)
    problem = _auth_error(request)
    if problem:
        return _error(request, 401, problem, started=started)
    body = json_body(request)
    problem = validate(body)
    if problem:
        return _error(request, 400, problem, started=started, body=body if isinstance(body, dict) else None)
    try:
        fault = _fault(request)
    except FaultConfigError as exc:
        return _error(request, 400, str(exc), started=started, body=body)
    if fault.latency_ms:
        time.sleep(fault.latency_ms / 1000)
    return started, body, fault


@csrf_exempt
@require_POST
def chat_completions(request: HttpRequest) -> HttpResponse:
    accepted = _accept(request, validate_chat)
    if isinstance(accepted, HttpResponse):
        return accepted
    started, body, fault = accepted

    chain = _model_chain(body)
    served = next((m for m in chain if "unavailable" not in m.lower()), None)
    if served is None:
        return _error(
            request,
            502,
            f"Model {chain[-1]} is currently unavailable.",
            started=started,
            body=body,
            metadata={"provider_name": UPSTREAM, "raw": "all models of the request are down"},
        )
    if fault.kind in HTTP_FAULTS:
        return _http_fault(request, fault, started, body, served)

    seed = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).digest()
    rng = random.Random(int.from_bytes(seed[:8], "big"))
    content, finish_reason = _content(body, rng, fault)

    prompt_chars = sum(len(_text_of(m.get("content", ""))) for m in body["messages"])
    if body.get("response_format"):
        prompt_chars += len(json.dumps(body["response_format"]))
    prompt_tokens = _tokens(prompt_chars)
    completion_tokens = _tokens(len(content))
    if fault.kind == "error_in_200":
        completion_tokens = completion_tokens // 2  # generation stopped half-way
    usage = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "cost": round(prompt_tokens * PROMPT_PRICE + completion_tokens * COMPLETION_PRICE, 10),
        "is_byok": False,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0},
    }
    answer: dict = {
        "id": _generation_id(),
        "provider": UPSTREAM,
        "model": served,
        "object": "chat.completion",
        "created": int(time.time()),
        "choices": [
            {
                "index": 0,
                "finish_reason": finish_reason,
                "native_finish_reason": finish_reason,
                "message": {"role": "assistant", "content": content},
            }
        ],
        "usage": usage,
    }
    if fault.kind == "error_in_200":
        answer["error"] = {
            "code": 502,
            "message": "Provider returned error",
            "metadata": {"provider_name": UPSTREAM, "raw": "upstream stream interrupted (sandbox fault)"},
        }
        answer["choices"][0].update(finish_reason="error", native_finish_reason="error")
        answer["choices"][0]["message"]["content"] = ""
    record_call(SERVICE, request, 200, body=body, fault=fault.kind or "")
    if body.get("stream"):
        return _finish(_event_stream(answer), started)
    return _finish(JsonResponse(answer), started)


STREAM_CHUNK_CHARS = 40


def _event_stream(answer: dict) -> StreamingHttpResponse:
    """The answer as OpenRouter streams it: server-sent events, a keep-alive comment, one
    `chat.completion.chunk` per piece of content (the role in the first delta), a last chunk with the
    finish reason and the usage, an error chunk instead when the upstream failed, then `[DONE]`."""
    choice = answer["choices"][0]
    content = choice["message"]["content"]
    head = {key: answer[key] for key in ("id", "provider", "model", "created")} | {"object": "chat.completion.chunk"}

    def chunk(delta: dict, finish=None, **extra) -> str:
        part = {"index": 0, "delta": delta, "finish_reason": finish, "native_finish_reason": finish, "logprobs": None}
        return f"data: {json.dumps(head | {'choices': [part]} | extra, ensure_ascii=False)}\n\n"

    def events():
        yield ": OPENROUTER PROCESSING\n\n"
        pieces = [content[i : i + STREAM_CHUNK_CHARS] for i in range(0, len(content), STREAM_CHUNK_CHARS)] or [""]
        for number, piece in enumerate(pieces):
            yield chunk({"role": "assistant", "content": piece} if number == 0 else {"content": piece})
        if "error" in answer:
            yield chunk({"content": ""}, "error", error=answer["error"])
        else:
            yield chunk({}, choice["finish_reason"], usage=answer["usage"])
        yield "data: [DONE]\n\n"

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    return response


# --- POST /embeddings ---------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _embedder(dimension: int):
    return HashingEmbedder(dimension)


def validate_embeddings(body) -> str | None:
    if not isinstance(body, dict):
        return "Request body must be a JSON object."
    if not isinstance(body.get("model"), str) or not body["model"].strip():
        return "'model' is required."
    inputs = body.get("input")
    if isinstance(inputs, str):
        inputs = [inputs]
    if not isinstance(inputs, list) or not inputs or not all(isinstance(text, str) for text in inputs):
        return "'input' must be a string or a non-empty array of strings."
    if any(not text for text in inputs):
        return "'input' cannot contain empty strings."
    dimensions = body.get("dimensions")
    if dimensions is not None and (
        not isinstance(dimensions, int)
        or isinstance(dimensions, bool)
        or not 1 <= dimensions <= MAX_EMBEDDING_DIMENSIONS
    ):
        return f"'dimensions' must be an integer between 1 and {MAX_EMBEDDING_DIMENSIONS}."
    if body.get("encoding_format", "float") not in ("float", "base64"):
        return "'encoding_format' must be 'float' or 'base64'."
    return None


def _encoded(vector, encoding_format):
    """`base64`: the vector as little-endian float32 bytes in base64 (what the openai SDK asks for by default)."""
    if encoding_format != "base64":
        return vector
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")


@csrf_exempt
@require_POST
def embeddings(request: HttpRequest) -> HttpResponse:
    accepted = _accept(request, validate_embeddings)
    if isinstance(accepted, HttpResponse):
        return accepted
    started, body, fault = accepted
    if fault.kind in HTTP_FAULTS:
        return _http_fault(request, fault, started, body, body["model"])
    if fault.kind == "invalid_json":
        record_call(SERVICE, request, 200, body=body, fault=fault.kind)
        return _finish(HttpResponse("<html>upstream gateway hiccup</html>", content_type="text/html"), started)

    texts = [body["input"]] if isinstance(body["input"], str) else body["input"]
    dimension = body.get("dimensions") or DEFAULT_EMBEDDING_DIMENSIONS
    tokens = _tokens(sum(len(text) for text in texts))
    usage = {"prompt_tokens": tokens, "total_tokens": tokens, "cost": round(tokens * EMBEDDING_PRICE, 12)}
    if fault.kind == "error_in_200":
        record_call(SERVICE, request, 200, body=body, fault=fault.kind)
        error = {"code": 502, "message": "Provider returned error", "metadata": {"provider_name": UPSTREAM}}
        return _finish(JsonResponse({"error": error, "usage": usage}), started)
    # "schema_violation": vectors one dimension too long (a model that ignores `dimensions`).
    vectors = _embedder(dimension + (1 if fault.kind == "schema_violation" else 0)).embed(texts)
    answer = {
        "id": _generation_id(),
        "object": "list",
        "data": [
            {"object": "embedding", "embedding": _encoded(vector, body.get("encoding_format")), "index": i}
            for i, vector in enumerate(vectors)
        ],
        "model": body["model"],
        "provider": UPSTREAM,
        "usage": usage,
    }
    record_call(SERVICE, request, 200, body=body, fault=fault.kind or "")
    return _finish(JsonResponse(answer), started)
