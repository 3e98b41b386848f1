"""OpenRouter as an LLM provider and as an embedder (contract: ../shared/contracts/openrouter.md).

    provider = OpenRouterProvider.for_org(org, project)      # key from apps.credentials
    response = provider.complete(request)                     # LLMResponse, raw JSON text in .content

`complete()` makes exactly one POST /chat/completions: structured output through a strict JSON
schema derived from the request's pydantic contract, `provider.require_parameters = true` so
only upstream providers that honour the schema are used, fallback models through `models`.
It never retries; it raises one of the three provider errors and the orchestrator decides:

| answer                                         | raises                                              |
|------------------------------------------------|-----------------------------------------------------|
| 402                                            | ProviderOutOfCreditsError (never retry)             |
| 429                                            | ProviderRetryableError, retry_after from Retry-After|
| 408, 5xx, network error, timeout               | ProviderRetryableError                              |
| `error` object inside an HTTP 200 body         | ProviderRetryableError (carries the body's usage)   |
| 200 without message content                    | ProviderRetryableError (carries the body's usage)   |
| 400, 401, 403, other 4xx                       | ProviderFatalError                                  |

Content that is not JSON, or JSON that breaks the schema, is returned as is: the provider only
transports, the orchestrator validates against the contract and runs its repair loop (it also
needs the usage of that answer, which a raised error would hide). The same holds for answers
cut short by `max_tokens` (`finish_reason == "length"`).

The API key lives only inside the httpx client's headers; it is redacted from every error
message and never part of a repr or a log line.
"""

from __future__ import annotations

import functools
import logging
import math
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from email.utils import parsedate_to_datetime

import httpx
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pydantic import BaseModel

from apps.ai.openrouter import OpenRouterClient, OpenRouterConnectionError, OpenRouterError
from apps.ai.providers import strict_json_schema
from apps.ai.types import (
    LLMRequest,
    LLMResponse,
    ProviderError,
    ProviderFatalError,
    ProviderOutOfCreditsError,
    ProviderRetryableError,
    Usage,
)
from apps.core.closing import Closing
from apps.credentials.services import resolve_credential
from viralforge.request_id import get_request_id

logger = logging.getLogger("viralforge.ai.openrouter")

PROVIDER_NAME = "openrouter"
# The model used when neither the request nor the route names one (override: VF_OPENROUTER_DEFAULT_MODEL).
DEFAULT_MODEL = "openai/gpt-5-mini"
EMBEDDING_BATCH_SIZE = 64
_SCHEMA_NAME = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class OpenRouterResponse(LLMResponse):
    """An `LLMResponse` plus what OpenRouter adds: the upstream provider, the generation id and
    why generation stopped ("stop", "length", ...)."""

    upstream_provider: str = ""
    generation_id: str = ""
    finish_reason: str = ""


# --- request body ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def contract_schema(output_model: type[BaseModel]) -> dict:
    """The strict JSON schema of a pydantic contract (cached per class; do not mutate)."""
    return strict_json_schema(output_model.model_json_schema())


def schema_name(agent: str) -> str:
    """`json_schema.name` must match ^[a-zA-Z0-9_-]{1,64}$."""
    return _SCHEMA_NAME.sub("_", agent or "")[:64] or "output"


def default_model() -> str:
    return getattr(settings, "VF_OPENROUTER_DEFAULT_MODEL", "") or DEFAULT_MODEL


def build_chat_body(request: LLMRequest) -> dict:
    """The POST /chat/completions body for an `LLMRequest`."""
    model = request.model or default_model()
    body: dict = {
        "model": model,
        "messages": [{"role": message.role, "content": message.content} for message in request.messages],
        "temperature": request.temperature,
        "max_tokens": request.max_tokens,
        "response_format": {
            "type": "json_schema",
            "json_schema": {
                "name": schema_name(request.agent),
                "strict": True,
                "schema": contract_schema(request.output_model),
            },
        },
        "provider": {"require_parameters": True},
    }
    fallbacks = [m for m in dict.fromkeys(request.fallback_models) if m and m != model]
    if fallbacks:
        # Priority order, the primary first: OpenRouter tries the next one when a model fails.
        body["models"] = [model, *fallbacks]
    return body


# --- response parsing -------------------------------------------------------------------------


def parse_usage(data) -> Usage:
    """OpenRouter's `usage` object → `Usage` (cost in credits as a Decimal)."""
    if not isinstance(data, dict):
        return Usage()
    prompt = _int(data.get("prompt_tokens"))
    completion = _int(data.get("completion_tokens"))
    total = _int(data.get("total_tokens")) or prompt + completion
    return Usage(
        prompt_tokens=prompt, completion_tokens=completion, total_tokens=total, cost=_decimal(data.get("cost"))
    )


def parse_retry_after(value: str | None) -> float | None:
    """`Retry-After` as seconds: a number of seconds, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(0.0, seconds)


def _int(value) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0 else 0


def _decimal(value) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return Decimal("0")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return Decimal("0")
    return number if number.is_finite() and number >= 0 else Decimal("0")


def _content_text(content) -> str | None:
    """`message.content` as text: a string, or a list of content parts with `text`."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [part.get("text") for part in content if isinstance(part, dict) and isinstance(part.get("text"), str)]
        return "".join(parts) if parts else None
    return None


def map_error(exc: OpenRouterError) -> ProviderError:
    """An `OpenRouterError` (already keyless) → the provider error that tells the orchestrator what to do."""
    usage = parse_usage(exc.usage)
    code = exc.code
    if isinstance(exc, OpenRouterConnectionError):
        if exc.timeout:
            message = _("OpenRouter did not answer in time.")
        else:
            message = _("OpenRouter could not be reached: %(error)s") % {"error": exc.message}
        return ProviderRetryableError(message, code=0)
    if exc.status == 200:
        # An error after generation started comes back as HTTP 200 with `error` in the body.
        return ProviderRetryableError(
            _("OpenRouter reported an error during generation (%(code)s): %(message)s")
            % {"code": code, "message": exc.message},
            code=code,
            usage=usage,
        )
    if code == 402:
        return ProviderOutOfCreditsError(
            _("OpenRouter has no credits left for this key (402): %(message)s") % {"message": exc.message},
            code=code,
            usage=usage,
        )
    if code == 429:
        return ProviderRetryableError(
            _("OpenRouter is rate limiting this key (429): %(message)s") % {"message": exc.message},
            code=code,
            retry_after=parse_retry_after(exc.retry_after),
            usage=usage,
        )
    if code == 408 or code >= 500:
        return ProviderRetryableError(
            _("OpenRouter or the model is temporarily unavailable (%(code)s): %(message)s")
            % {"code": code, "message": exc.message},
            code=code,
            retry_after=parse_retry_after(exc.retry_after),
            usage=usage,
        )
    if code == 401:
        message = _("OpenRouter rejected the key (401): %(message)s")
    elif code == 403:
        message = _("OpenRouter's moderation refused the input (403): %(message)s")
    else:
        message = _("OpenRouter refused the request (%(code)s): %(message)s")
    return ProviderFatalError(message % {"code": code, "message": exc.message}, code=code, usage=usage)


# --- chat ---------------------------------------------------------------------------------------


class OpenRouterProvider(Closing):
    """The `LLMProvider` for OpenRouter. One instance holds one pooled httpx client; close it
    (or use it as a context manager) when done. Thread-safe."""

    name = PROVIDER_NAME

    def __init__(
        self,
        api_key: str,
        base_url: str | None = None,
        timeout: float | None = None,
        *,
        headers: dict[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
    ):
        self._client = OpenRouterClient(
            api_key, base_url=base_url, timeout=timeout, transport=transport, headers=headers
        )

    @classmethod
    def for_org(cls, org, project=None, **kwargs) -> OpenRouterProvider:
        """The provider with the key the organization (or project) uses for OpenRouter.

        Raises `apps.credentials.services.CredentialUnavailable` (translated) when there is none.
        """
        return cls(resolve_credential(org, PROVIDER_NAME, project=project).secret, **kwargs)

    @property
    def base_url(self) -> str:
        return self._client.base_url

    def __repr__(self) -> str:
        return f"<OpenRouterProvider {self.base_url}>"

    def close(self) -> None:
        self._client.close()

    def complete(self, request: LLMRequest) -> OpenRouterResponse:
        body = build_chat_body(request)
        started = time.perf_counter()
        error: ProviderError | None = None
        try:
            data = self._client.chat(body, request_id=get_request_id())
        except OpenRouterError as exc:
            error = map_error(exc)
        if error is not None:  # raised outside the `except`: no __context__ chain to the HTTP layer
            logger.warning("OpenRouter chat for agent %s failed: %s", request.agent, error)
            raise error from None
        latency_ms = (time.perf_counter() - started) * 1000
        return self._response(request, body, data, latency_ms)

    def _response(self, request: LLMRequest, body: dict, data: dict, latency_ms: float) -> OpenRouterResponse:
        usage = parse_usage(data.get("usage"))
        choices = data.get("choices")
        choice = choices[0] if isinstance(choices, list) and choices and isinstance(choices[0], dict) else {}
        message = choice.get("message") if isinstance(choice.get("message"), dict) else {}
        content = _content_text(message.get("content"))
        if not content or not content.strip():
            logger.warning("OpenRouter answered agent %s without content.", request.agent)
            raise ProviderRetryableError(
                _("OpenRouter returned an answer without content (finish reason: %(reason)s).")
                % {"reason": choice.get("finish_reason") or "-"},
                code=502,
                usage=usage,
            )
        model = data.get("model") if isinstance(data.get("model"), str) and data.get("model") else body["model"]
        upstream = data.get("provider") if isinstance(data.get("provider"), str) else ""
        return OpenRouterResponse(
            content=content,
            model=model,
            provider=PROVIDER_NAME,
            usage=usage,
            latency_ms=latency_ms,
            upstream_provider=upstream,
            generation_id=str(data.get("id") or ""),
            finish_reason=str(choice.get("finish_reason") or ""),
        )


# --- embeddings ---------------------------------------------------------------------------------


class OpenRouterEmbedder(Closing):
    """The `Embedder` over POST /embeddings (`apps.ai.embeddings.get_embedder()` with VF_EMBEDDER=openrouter).

    Vectors have `settings.VF_EMBEDDING_DIMENSION` dimensions (the pgvector column size); the
    request asks the model for that many (`dimensions`) and an answer of another length is an
    error. Texts are sent in batches of `batch_size`. Without an explicit key the platform's
    managed key (VF_MANAGED_OPENROUTER_KEY) is used; `for_org` uses an organization's key.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        model: str | None = None,
        dimension: int | None = None,
        base_url: str | None = None,
        timeout: float | None = None,
        batch_size: int = EMBEDDING_BATCH_SIZE,
        transport: httpx.BaseTransport | None = None,
    ):
        self.model = model or settings.VF_OPENROUTER_EMBEDDING_MODEL
        self.dimension = dimension or settings.VF_EMBEDDING_DIMENSION
        self.batch_size = max(1, batch_size)
        self.name = f"openrouter:{self.model}:{self.dimension}"[:60]
        self._api_key = api_key or settings.VF_MANAGED_KEYS.get(PROVIDER_NAME, "")
        self._client_options = {"base_url": base_url, "timeout": timeout, "transport": transport}
        self._client: OpenRouterClient | None = None

    @classmethod
    def for_org(cls, org, project=None, **kwargs) -> OpenRouterEmbedder:
        return cls(resolve_credential(org, PROVIDER_NAME, project=project).secret, **kwargs)

    def __repr__(self) -> str:
        return f"<OpenRouterEmbedder {self.model} dim={self.dimension}>"

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _http(self) -> OpenRouterClient:
        if self._client is None:
            if not self._api_key:
                raise ProviderFatalError(
                    _(
                        "No OpenRouter key for embeddings: set VF_MANAGED_OPENROUTER_KEY or use an "
                        "organization's OpenRouter credential."
                    )
                )
            self._client = OpenRouterClient(self._api_key, **self._client_options)
        return self._client

    def embed(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            vectors.extend(self._embed_batch(texts[start : start + self.batch_size]))
        return vectors

    def _embed_batch(self, batch: list[str]) -> list[list[float]]:
        # Empty strings are refused by the embedding APIs; a blank embeds as "nothing" all the same.
        inputs = [text if text.strip() else " " for text in batch]
        error: ProviderError | None = None
        try:
            data = self._http().embeddings(self.model, inputs, dimensions=self.dimension, request_id=get_request_id())
        except OpenRouterError as exc:
            error = map_error(exc)
        if error is not None:
            logger.warning("OpenRouter embeddings failed: %s", error)
            raise error from None
        items = data.get("data")
        if not isinstance(items, list) or len(items) != len(batch):
            raise ProviderRetryableError(
                ngettext(
                    "OpenRouter returned %(got)s embeddings for %(expected)s text.",
                    "OpenRouter returned %(got)s embeddings for %(expected)s texts.",
                    len(batch),
                )
                % {"got": len(items) if isinstance(items, list) else 0, "expected": len(batch)},
                code=502,
                usage=parse_usage(data.get("usage")),
            )
        ordered = sorted(items, key=lambda item: item.get("index", 0) if isinstance(item, dict) else 0)
        vectors = []
        for item in ordered:
            vector = item.get("embedding") if isinstance(item, dict) else None
            if not isinstance(vector, list) or not all(isinstance(v, int | float) for v in vector):
                raise ProviderRetryableError(_("OpenRouter returned an embedding that is not a list of numbers."))
            if len(vector) != self.dimension:
                raise ProviderFatalError(
                    _(
                        "The embedding model %(model)s returned vectors of dimension %(got)s, but "
                        "VF_EMBEDDING_DIMENSION is %(expected)s. Choose a model that supports that dimension."
                    )
                    % {"model": self.model, "got": len(vector), "expected": self.dimension}
                )
            vectors.append([float(v) for v in vector])
        return vectors
