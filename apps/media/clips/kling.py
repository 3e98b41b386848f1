"""Kling AI text-to-video: an HS256 JWT per request, create and query `text2video`, download at once.

    client = KlingClient(access_key=ak, secret_key=sk, base_url=settings.VF_KLING_BASE_URL)
    task_id = client.create(ClipPrompt("A barista pours latte art", seconds=5), external_task_id=...)
    generation = client.query(task_id)      # submitted/processing → pending; succeed → done; failed
    client.download(generation.video_url, path)   # result files are removed after 30 days

The numeric error codes of the contract map to our `Outcome`s (`CODE_OUTCOMES`).
"""

from __future__ import annotations

from pathlib import Path

import httpx
import jwt

from apps.core import clock
from apps.media.clips.base import ClipError, ClipPrompt, ClosingClient, Generation, Outcome, retry_after_of, stream_to

DEFAULT_BASE_URL = "https://api-singapore.klingai.com"
TOKEN_SECONDS = 1800
NOT_BEFORE_SLACK = 5
MODELS = ("kling-v1", "kling-v1-6", "kling-v2-master", "kling-v2-1-master")
ASPECT_RATIOS = ("16:9", "9:16", "1:1")
DURATIONS = (5, 10)
NEGATIVE_MAX = 2500
SAFETY_WORDS = ("safety", "risk", "sensitive", "policy", "moderation")

CODE_OUTCOMES: dict[int, Outcome] = {
    # 1000–1004: authentication failed, header empty, invalid, not yet valid, expired
    **dict.fromkeys(range(1000, 1005), Outcome.AUTH),
    1100: Outcome.QUOTA,  # account exception
    1101: Outcome.QUOTA,  # account in arrears
    1102: Outcome.QUOTA,  # resource pack used up or expired
    1103: Outcome.AUTH,  # no permission for the resource or model
    1200: Outcome.INVALID,  # invalid request parameters
    1201: Outcome.INVALID,  # invalid parameters (wrong key or value)
    1203: Outcome.INVALID,  # the model was not found
    1300: Outcome.BLOCKED,  # platform policy
    1301: Outcome.BLOCKED,  # content safety
    1302: Outcome.TRANSIENT,  # rate limit
    1303: Outcome.TRANSIENT,  # concurrency or QPS limit
    5000: Outcome.TRANSIENT,  # server error
    5001: Outcome.TRANSIENT,  # under maintenance
    5002: Outcome.TRANSIENT,  # server timeout
}
_HTTP_OUTCOMES = {
    401: Outcome.AUTH, 403: Outcome.AUTH, 400: Outcome.INVALID, 404: Outcome.INVALID, 429: Outcome.TRANSIENT,
}  # fmt: skip


def token(access_key: str, secret_key: str, now: float | None = None) -> str:
    """The JWT Kling expects: HS256 with the secret, `iss` the access key, valid for 30 minutes."""
    now = int(clock.timestamp() if now is None else now)
    payload = {"iss": access_key, "exp": now + TOKEN_SECONDS, "nbf": now - NOT_BEFORE_SLACK}
    return jwt.encode(payload, secret_key, algorithm="HS256", headers={"alg": "HS256", "typ": "JWT"})


def error_of(response: httpx.Response) -> ClipError:
    try:
        data = response.json()
    except ValueError:
        data = {}
    data = data if isinstance(data, dict) else {}
    try:
        code = int(data.get("code"))
    except (TypeError, ValueError):
        code = 0
    message = str(data.get("message") or response.text[:200])
    outcome = CODE_OUTCOMES.get(code)
    if outcome is None:
        outcome = Outcome.TRANSIENT if response.status_code >= 500 else _HTTP_OUTCOMES.get(response.status_code)
    return ClipError(
        outcome or Outcome.FAILED, response.status_code, str(code or response.status_code), message,
        retry_after=retry_after_of(response),
    )  # fmt: skip


class KlingClient(ClosingClient):
    provider = "kling"

    def __init__(
        self, *, access_key: str, secret_key: str, base_url: str = DEFAULT_BASE_URL, timeout: float = 60.0,
        http: httpx.Client | None = None,
    ):  # fmt: skip
        self._access_key, self._secret_key = access_key, secret_key
        self._http = http or httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout)

    def _headers(self) -> dict:
        return {"Authorization": f"Bearer {token(self._access_key, self._secret_key)}"}

    def _send(self, method: str, url: str, **kwargs) -> dict:
        try:
            response = self._http.request(method, url, headers=self._headers(), **kwargs)
        except httpx.TimeoutException as exc:
            raise ClipError(Outcome.TRANSIENT, 0, "timeout", str(exc) or "timed out") from exc
        except httpx.TransportError as exc:
            raise ClipError(Outcome.TRANSIENT, 0, "network", str(exc)) from exc
        if response.status_code != 200:
            raise error_of(response)
        try:
            data = response.json()
        except ValueError as exc:
            raise ClipError(Outcome.TRANSIENT, 200, "invalid_json", "The answer was not JSON.") from exc
        if data.get("code") not in (0, None):  # an error inside a 200
            raise error_of(response)
        return data.get("data") or {}

    @staticmethod
    def body(prompt: ClipPrompt, *, mode: str = "std", external_task_id: str = "") -> dict:
        seconds = min(DURATIONS, key=lambda d: (abs(d - int(prompt.seconds)), d))
        body = {
            "model_name": prompt.model or "kling-v1-6",
            "prompt": prompt.prompt,
            "cfg_scale": 0.5,
            "mode": mode,
            "aspect_ratio": prompt.aspect_ratio if prompt.aspect_ratio in ASPECT_RATIOS else "9:16",
            "duration": str(seconds),
        }
        if prompt.negative_prompt:
            body["negative_prompt"] = prompt.negative_prompt[:NEGATIVE_MAX]
        if external_task_id:
            body["external_task_id"] = external_task_id
        return body

    def create(self, prompt: ClipPrompt, *, mode: str = "std", external_task_id: str = "") -> str:
        body = self.body(prompt, mode=mode, external_task_id=external_task_id)
        data = self._send("POST", "/v1/videos/text2video", json=body)
        task_id = data.get("task_id")
        if not task_id:
            raise ClipError(Outcome.TRANSIENT, 200, "no_task", "The answer named no task.")
        return str(task_id)

    def query(self, task_id: str) -> Generation:
        data = self._send("GET", f"/v1/videos/text2video/{task_id}")
        status = str(data.get("task_status") or "")
        if status in ("submitted", "processing"):
            return Generation("pending", provider_state=status)
        if status == "succeed":
            found = (data.get("task_result") or {}).get("videos") or []
            videos = [v for v in found if isinstance(v, dict) and v.get("url")]
            if not videos:
                return Generation("failed", detail="The task succeeded without a video.", provider_state=status)
            try:
                seconds = float(videos[0].get("duration"))
            except (TypeError, ValueError):
                seconds = None
            return Generation("done", video_url=str(videos[0]["url"]), seconds=seconds, provider_state=status)
        message = str(data.get("task_status_msg") or "")
        if status == "failed":
            blocked = any(word in message.lower() for word in SAFETY_WORDS)
            return Generation("blocked" if blocked else "failed", detail=message, reasons=[message] if blocked else [],
                              provider_state=status)  # fmt: skip
        return Generation("failed", detail=f"Unknown task status {status!r}.", provider_state=status)

    poll = query

    def download(self, url: str, dest: Path) -> Path:
        """The result file (a plain URL on Kling's CDN: no key goes with it)."""
        return stream_to(self._http, url, dest, headers={}, error=error_of)
