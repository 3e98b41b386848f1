"""The shapes every LLM provider speaks: one request, one response, three kinds of failure.

Providers (apps/ai/providers/) turn an `LLMRequest` into an `LLMResponse` whose `content` is
the raw JSON text the model produced; validating it against the agent's pydantic contract,
repairing it and recording usage is the orchestrator's job (apps/ai/orchestrator.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from pydantic import BaseModel


@dataclass(frozen=True)
class Message:
    role: str  # "system" | "user" | "assistant"
    content: str


@dataclass(frozen=True)
class LLMRequest:
    agent: str  # key in apps.ai.contracts.AGENTS, e.g. "script"
    messages: tuple[Message, ...]
    output_model: type[BaseModel]  # the pydantic contract; providers derive the JSON schema from it
    model: str = ""  # e.g. "openai/gpt-5-mini"; empty: the provider's default
    fallback_models: tuple[str, ...] = ()
    temperature: float = 0.7
    max_tokens: int = 2000
    seed: int = 0  # the offline provider is deterministic for a seed
    language: str = "de"  # content language of the project
    context: dict = field(default_factory=dict)  # structured inputs (brief, brand kit, topics, retrieved knowledge)


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cost: Decimal = Decimal("0")  # provider credits (OpenRouter: usage.cost)


@dataclass(frozen=True)
class LLMResponse:
    content: str  # raw text the model returned (should be JSON for the contract)
    model: str
    provider: str  # "openrouter" | "offline"
    usage: Usage
    latency_ms: float
    offline: bool = False  # offline drafts are labelled as such in the UI


class LLMProvider(Protocol):
    name: str

    def complete(self, request: LLMRequest) -> LLMResponse: ...


class ProviderError(Exception):
    """Base class; `str()` never contains a secret."""

    retryable = False

    def __init__(self, message: str, *, code: int = 0, usage: Usage | None = None):
        super().__init__(message)
        self.code = code
        self.usage = usage or Usage()


class ProviderRetryableError(ProviderError):
    """429 (honour `retry_after` seconds), 5xx, timeouts, an error inside an HTTP 200 body."""

    retryable = True

    def __init__(self, message: str, *, code: int = 0, retry_after: float | None = None, usage: Usage | None = None):
        super().__init__(message, code=code, usage=usage)
        self.retry_after = retry_after


class ProviderOutOfCreditsError(ProviderError):
    """402: stop, do not retry, tell the organization."""


class ProviderFatalError(ProviderError):
    """400/401/403 and other answers that a retry cannot fix."""
