"""A small OpenRouter client over httpx (contract: ../shared/contracts/openrouter.md).

The base URL comes from settings (the sandbox in tests and the demo). The API key is sent
as a bearer token and never appears in errors, reprs or logs.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from django.conf import settings

APP_TITLE = "ViralForge"


@dataclass(frozen=True)
class KeyInfo:
    """GET /key: credits of the key. `limit` and `limit_remaining` are None for unlimited keys."""

    limit: float | None
    limit_remaining: float | None
    usage: float


class OpenRouterError(Exception):
    """An error answer from OpenRouter: `code` is the HTTP-like status (401 bad key, 402 no credits, ...)."""

    def __init__(self, code: int, message: str, *, retry_after: str | None = None):
        super().__init__(code, message)
        self.code = code
        self.message = message
        self.retry_after = retry_after

    def __str__(self) -> str:
        return f"OpenRouter error {self.code}: {self.message}"


class OpenRouterConnectionError(OpenRouterError):
    """OpenRouter could not be reached (network error or timeout); `code` is 0."""


class OpenRouterClient:
    def __init__(
        self,
        api_key: str,
        *,
        base_url: str | None = None,
        timeout: float | None = None,
        transport: httpx.BaseTransport | None = None,
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
            },
        )

    def __repr__(self) -> str:
        return f"<OpenRouterClient {self.base_url}>"

    def __enter__(self) -> OpenRouterClient:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _redact(self, text: str) -> str:
        return text.replace(self._api_key, "[redacted]") if text else text

    def _request(self, method: str, path: str, **kwargs) -> dict:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            # `from None`: the httpx exception holds the request, and with it the Authorization header.
            raise OpenRouterConnectionError(0, self._redact(f"{type(exc).__name__}: {exc}")) from None
        try:
            body = response.json()
        except ValueError:
            body = None
        error = body.get("error") if isinstance(body, dict) else None
        if response.is_error or error:
            error = error if isinstance(error, dict) else {}
            code = error.get("code") if isinstance(error.get("code"), int) else response.status_code
            message = str(error.get("message") or response.reason_phrase or "error")
            raise OpenRouterError(code, self._redact(message)[:500], retry_after=response.headers.get("Retry-After"))
        if not isinstance(body, dict):
            raise OpenRouterError(502, "OpenRouter returned a response that is not a JSON object.")
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


def _number(value) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
