"""A small OpenRouter client over httpx (contract: ../shared/contracts/openrouter.md).

The base URL comes from settings (the sandbox in tests and the demo). The API key is sent
as a bearer token and never appears in errors, reprs or logs.

    with OpenRouterClient(key) as client:
        client.get_key()                      # GET /key: credits
        client.chat({"model": ..., ...})      # POST /chat/completions: the raw response body
        client.embeddings(model, ["text"])    # POST /embeddings: the raw response body

Every error answer (HTTP error status, or an `error` object inside an HTTP 200 body) raises
`OpenRouterError` with the error `code`, the HTTP `status`, `Retry-After` and any `usage`
the body carried; network errors and timeouts raise `OpenRouterConnectionError` (code 0).
Mapping errors onto retry policy is the provider's job (apps/ai/providers/openrouter.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from django.conf import settings

from apps.core.closing import Closing

APP_TITLE = "ViralForge"


@dataclass(frozen=True)
class KeyInfo:
    """GET /key: credits of the key. `limit` and `limit_remaining` are None for unlimited keys."""

    limit: float | None
    limit_remaining: float | None
    usage: float


class OpenRouterError(Exception):
    """An error answer from OpenRouter: `code` is the HTTP-like status (401 bad key, 402 no credits, ...)."""

    def __init__(
        self,
        code: int,
        message: str,
        *,
        retry_after: str | None = None,
        status: int | None = None,
        usage: dict | None = None,
        timeout: bool = False,
    ):
        super().__init__(code, message)
        self.code = code
        self.message = message
        self.retry_after = retry_after
        self.status = status  # the HTTP status (200 for an error inside a 200 body); None: no answer
        self.usage = usage or {}  # `usage` of the body, if the error came with one
        self.timeout = timeout

    def __str__(self) -> str:
        return f"OpenRouter error {self.code}: {self.message}"


class OpenRouterConnectionError(OpenRouterError):
    """OpenRouter could not be reached (network error or timeout); `code` is 0."""


class OpenRouterClient(Closing):
    def __init__(
        self,
        api_key: str,
        *,
        base_url: str | None = None,
        timeout: float | None = None,
        transport: httpx.BaseTransport | None = None,
        headers: dict[str, str] | None = None,
    ):
        if not api_key:
            raise ValueError("An OpenRouter API key is required.")
        self._api_key = api_key
        self.base_url = (base_url or settings.OPENROUTER_BASE_URL).rstrip("/")
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout if timeout is not None else settings.OPENROUTER_TIMEOUT_SECONDS,
            transport=transport,
            headers={
                "Authorization": f"Bearer {api_key}",
                "HTTP-Referer": settings.VF_BASE_URL,
                "X-OpenRouter-Title": APP_TITLE,
                **(headers or {}),
            },
        )

    def __repr__(self) -> str:
        return f"<OpenRouterClient {self.base_url}>"

    def close(self) -> None:
        self._http.close()

    def _redact(self, text: str) -> str:
        return text.replace(self._api_key, "[redacted]") if text else text

    def _request(self, method: str, path: str, **kwargs) -> dict:
        failure: OpenRouterConnectionError | None = None
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            failure = OpenRouterConnectionError(
                0, self._redact(f"{type(exc).__name__}: {exc}"), timeout=isinstance(exc, httpx.TimeoutException)
            )
        if failure is not None:
            # Raised outside the `except` and `from None`: the httpx exception holds the request, and
            # with it the Authorization header, so it must not ride along as __context__ or __cause__.
            raise failure from None
        try:
            body = response.json()
        except ValueError:
            body = None
        error = body.get("error") if isinstance(body, dict) else None
        if response.is_error or error:
            error = error if isinstance(error, dict) else {}
            code = error.get("code") if _is_int(error.get("code")) else response.status_code
            message = str(error.get("message") or response.reason_phrase or "error")
            usage = body.get("usage") if isinstance(body, dict) else None
            raise OpenRouterError(
                code,
                self._redact(message)[:500],
                retry_after=response.headers.get("Retry-After"),
                status=response.status_code,
                usage=usage if isinstance(usage, dict) else None,
            )
        if not isinstance(body, dict):
            raise OpenRouterError(
                502, "OpenRouter returned a response that is not a JSON object.", status=response.status_code
            )
        return body

    def get_key(self) -> KeyInfo:
        data = self._request("GET", "/key").get("data")
        if not isinstance(data, dict):
            raise OpenRouterError(502, "OpenRouter returned no key data.")
        return KeyInfo(
            limit=_number(data.get("limit")),
            limit_remaining=_number(data.get("limit_remaining")),
            usage=_number(data.get("usage")) or 0.0,
        )

    def chat(self, body: dict, *, request_id: str | None = None) -> dict:
        """POST /chat/completions with `body` as is; the parsed response body.

        `request_id` is sent as `X-Request-ID` (the sandbox logs it, so calls can be traced)."""
        return self._request("POST", "/chat/completions", json=body, headers=_request_id_header(request_id))

    def embeddings(
        self, model: str, inputs: list[str], *, dimensions: int | None = None, request_id: str | None = None
    ) -> dict:
        """POST /embeddings for `inputs`; the parsed response body (`data[i].embedding`)."""
        body: dict = {"model": model, "input": list(inputs)}
        if dimensions:
            body["dimensions"] = dimensions
        return self._request("POST", "/embeddings", json=body, headers=_request_id_header(request_id))


def _request_id_header(request_id: str | None) -> dict[str, str] | None:
    return {"X-Request-ID": request_id} if request_id else None


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
