"""Google Veo through the Gemini API: predictLongRunning, operation polling, download with the key.

    client = VeoClient(api_key=key, base_url=settings.VF_VEO_BASE_URL)
    name = client.create(ClipPrompt("A barista pours latte art", seconds=8))   # "models/…/operations/…"
    generation = client.poll(name)          # pending, done (video URL), blocked (filter reasons), failed
    client.download(generation.video_url, path)

One request per call: retrying and waiting belong to the caller (the fetch step re-enqueues
itself instead of blocking a worker). Errors come as `ClipError` with our `Outcome`.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from apps.media.clips.base import ClipError, ClipPrompt, ClosingClient, Generation, Outcome, retry_after_of, stream_to

DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com"
MODELS = ("veo-3.1-generate-preview", "veo-3.1-fast-generate-preview", "veo-3.0-generate-001")
ASPECT_RATIOS = ("9:16", "16:9")
RESOLUTIONS = ("720p", "1080p")

# Google's canonical status → our outcome (the HTTP code decides when the status is unknown).
_STATUS_OUTCOMES = {
    "INVALID_ARGUMENT": Outcome.INVALID,
    "FAILED_PRECONDITION": Outcome.INVALID,
    "NOT_FOUND": Outcome.INVALID,
    "UNAUTHENTICATED": Outcome.AUTH,
    "PERMISSION_DENIED": Outcome.AUTH,
    "RESOURCE_EXHAUSTED": Outcome.TRANSIENT,
    "INTERNAL": Outcome.TRANSIENT,
    "UNAVAILABLE": Outcome.TRANSIENT,
    "DEADLINE_EXCEEDED": Outcome.TRANSIENT,
}
_HTTP_OUTCOMES = {
    400: Outcome.INVALID, 401: Outcome.AUTH, 403: Outcome.AUTH, 404: Outcome.INVALID, 429: Outcome.TRANSIENT,
}  # fmt: skip


def _outcome(code: int, status: str, message: str) -> Outcome:
    if code == 400 and "api key" in message.lower():
        return Outcome.AUTH  # Google answers a wrong key with 400 INVALID_ARGUMENT "API key not valid"
    if status in _STATUS_OUTCOMES:
        return _STATUS_OUTCOMES[status]
    if code >= 500:
        return Outcome.TRANSIENT
    return _HTTP_OUTCOMES.get(code, Outcome.FAILED)


def error_of(response: httpx.Response) -> ClipError:
    """The contract's error shape `{"error": {"code", "message", "status"}}` → ClipError."""
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    code = int(error.get("code") or response.status_code)
    status, message = str(error.get("status") or ""), str(error.get("message") or response.text[:200])
    return ClipError(
        _outcome(code, status, message), response.status_code, status or str(code), message,
        retry_after=retry_after_of(response),
    )  # fmt: skip


class VeoClient(ClosingClient):
    provider = "veo"

    def __init__(
        self, *, api_key: str, base_url: str = DEFAULT_BASE_URL, timeout: float = 60.0, http: httpx.Client | None = None
    ):
        self._http = http or httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout)
        self._headers = {"x-goog-api-key": api_key}

    def _send(self, method: str, url: str, **kwargs) -> dict:
        try:
            response = self._http.request(method, url, headers=self._headers, **kwargs)
        except httpx.TimeoutException as exc:
            raise ClipError(Outcome.TRANSIENT, 0, "timeout", str(exc) or "timed out") from exc
        except httpx.TransportError as exc:
            raise ClipError(Outcome.TRANSIENT, 0, "network", str(exc)) from exc
        if response.status_code != 200:
            raise error_of(response)
        try:
            return response.json()
        except ValueError as exc:
            raise ClipError(Outcome.TRANSIENT, 200, "invalid_json", "The answer was not JSON.") from exc

    @staticmethod
    def body(prompt: ClipPrompt, resolution: str = "720p") -> dict:
        parameters = {
            "aspectRatio": prompt.aspect_ratio if prompt.aspect_ratio in ASPECT_RATIOS else "9:16",
            "durationSeconds": int(prompt.seconds),
            "resolution": resolution,
        }
        if prompt.negative_prompt:
            parameters["negativePrompt"] = prompt.negative_prompt
        return {"instances": [{"prompt": prompt.prompt}], "parameters": parameters}

    def create(self, prompt: ClipPrompt, *, resolution: str = "720p") -> str:
        """Start a generation; returns the operation name to poll."""
        model = prompt.model or MODELS[1]
        data = self._send("POST", f"/v1beta/models/{model}:predictLongRunning", json=self.body(prompt, resolution))
        name = data.get("name")
        if not isinstance(name, str) or not name:
            raise ClipError(Outcome.TRANSIENT, 200, "no_operation", "The answer named no operation.")
        return name

    def poll(self, name: str) -> Generation:
        data = self._send("GET", f"/v1beta/{name}")
        if not data.get("done"):
            return Generation("pending", provider_state="running")
        error = data.get("error")
        if error:
            code, status = int(error.get("code") or 500), str(error.get("status") or "")
            message = str(error.get("message") or "")
            if _outcome(code, status, message) == Outcome.TRANSIENT:
                return Generation("failed", detail=f"{status or code}: {message}", provider_state="error_transient")
            return Generation("failed", detail=f"{status or code}: {message}", provider_state="error")
        result = (data.get("response") or {}).get("generateVideoResponse") or {}
        samples = [s for s in result.get("generatedSamples") or [] if isinstance(s, dict)]
        uris = [((s.get("video") or {}).get("uri") or "") for s in samples]
        uris = [uri for uri in uris if uri]
        if uris:
            return Generation("done", video_url=uris[0], provider_state="done")
        reasons = [str(r) for r in result.get("raiMediaFilteredReasons") or []]
        if result.get("raiMediaFilteredCount") or reasons:
            return Generation("blocked", detail="; ".join(reasons), reasons=reasons, provider_state="filtered")
        return Generation("failed", detail="The operation finished without a video.", provider_state="empty")

    def download(self, uri: str, dest: Path) -> Path:
        """The generated file, fetched with the API key (the URI is …/files/{id}:download?alt=media)."""
        return stream_to(self._http, uri, dest, headers=self._headers, error=error_of)
