"""Helpers for the orchestrator tests: a scripted provider and valid answers."""

import json
from dataclasses import dataclass, field
from decimal import Decimal

from apps.ai.types import LLMRequest, LLMResponse, Usage
from apps.core import clock

COMPLIANCE_OK = {
    "confidence": 0.9,
    "rationale": "Nothing risky in the caption.",
    "verdict": "pass",
    "claims": [],
    "needs_disclosure": False,
    "disclosure_text": "",
    "suggested_fixes": [],
}


def compliance(confidence: float = 0.9, rationale: str = "Nothing risky in the caption.") -> str:
    return json.dumps(COMPLIANCE_OK | {"confidence": confidence, "rationale": rationale})


BROKEN = json.dumps({"confidence": 2, "verdict": "maybe"})  # valid JSON, breaks the contract
USAGE = Usage(prompt_tokens=100, completion_tokens=50, total_tokens=150, cost=Decimal("0.001"))


@dataclass
class Scripted:
    """A provider that answers from a script: each item is a content string or an exception.

    The last item repeats when the script runs out. Records every request it got, and when
    (by `apps.core.clock`: freeze it, and `waits` are the orchestrator's pauses between calls).
    """

    script: list
    name: str = "openrouter"
    usage: Usage = USAGE
    offline: bool = False
    requests: list[LLMRequest] = field(default_factory=list)
    times: list = field(default_factory=list)

    def complete(self, request: LLMRequest) -> LLMResponse:
        self.requests.append(request)
        self.times.append(clock.now())
        item = self.script[min(len(self.requests), len(self.script)) - 1]
        if isinstance(item, BaseException):
            raise item
        return LLMResponse(
            content=item,
            model=request.model or "scripted/model",
            provider=self.name,
            usage=self.usage,
            latency_ms=1.0,
            offline=self.offline,
        )

    @property
    def waits(self) -> list[float]:
        """Seconds of clock time between one call and the next."""
        return [(later - earlier).total_seconds() for earlier, later in zip(self.times, self.times[1:], strict=False)]

    @property
    def calls(self) -> int:
        return len(self.requests)
