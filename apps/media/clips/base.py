"""What both video providers share: the request, the state of a generation and the error outcomes.

Plain data and httpx only (no Django), like the renderer: keys come from the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import httpx


class Outcome(StrEnum):
    """What a provider error means for us."""

    TRANSIENT = "transient"  # rate or concurrency limit, server error, timeout, network: try again later
    AUTH = "auth"  # the key is wrong, expired or lacks permission
    QUOTA = "quota"  # the provider account is out of credit or in arrears
    INVALID = "invalid"  # bad parameters or an unknown model
    BLOCKED = "blocked"  # the provider's safety filters refused the prompt or the result
    FAILED = "failed"  # the generation itself failed


class ClipError(Exception):
    """A provider refused or failed. `message` is the provider's text (never contains the key)."""

    def __init__(self, outcome: Outcome, status: int, code: str, message: str, *, retry_after: float | None = None):
        super().__init__(f"{status} {code}: {message}")
        self.outcome, self.status, self.code, self.message = Outcome(outcome), status, str(code), message
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        return self.outcome == Outcome.TRANSIENT


@dataclass(frozen=True)
class ClipPrompt:
    prompt: str
    negative_prompt: str = ""
    aspect_ratio: str = "9:16"
    seconds: int = 5
    model: str = ""


@dataclass(frozen=True)
class Generation:
    """One look at a running generation: pending, done (with the video's URL), blocked or failed."""

    state: str  # "pending" | "done" | "blocked" | "failed"
    video_url: str = ""
    seconds: float | None = None  # as the provider reports it (Kling); Veo: None, probe the file
    detail: str = ""  # provider status text, failure message or filter reasons
    reasons: list[str] = field(default_factory=list)
    provider_state: str = ""  # the provider's own word for it ("processing", "submitted", …)

    @property
    def finished(self) -> bool:
        return self.state != "pending"


class ClosingClient:
    """`with client:` closes its HTTP connections at the end."""

    _http: httpx.Client

    def close(self) -> None:
        self._http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def retry_after_of(response: httpx.Response) -> float | None:
    raw = response.headers.get("Retry-After", "").strip()
    try:
        return max(0.0, float(raw)) if raw else None
    except ValueError:
        return None


def stream_to(http: httpx.Client, url: str, dest: Path, *, headers: dict, error: type) -> Path:
    """Download `url` into `dest` (written under a temporary name, then renamed)."""
    part = dest.with_name(dest.name + ".part")
    try:
        with http.stream("GET", url, headers=headers, follow_redirects=True) as response:
            if response.status_code != 200:
                response.read()
                raise error(response)
            with part.open("wb") as handle:
                for chunk in response.iter_bytes(1 << 16):
                    handle.write(chunk)
    except httpx.TimeoutException as exc:
        part.unlink(missing_ok=True)
        raise ClipError(Outcome.TRANSIENT, 0, "timeout", str(exc) or "timed out") from exc
    except httpx.TransportError as exc:
        part.unlink(missing_ok=True)
        raise ClipError(Outcome.TRANSIENT, 0, "network", str(exc)) from exc
    part.replace(dest)
    return dest
