"""The offline provider's tokens on "Plan & usage": in the decision log, never charged (apps.billing.sources)."""

from __future__ import annotations

from django.db.models import F, Sum

from apps.ai.models import AIDecision
from apps.billing.models import UsageKind
from apps.billing.services import month_bounds
from apps.billing.sources import add_uncharged_usage


def offline_tokens(org, month) -> int:
    start, end = month_bounds(month)
    decisions = AIDecision.objects.for_org(org).filter(offline=True, created_at__gte=start, created_at__lt=end)
    return decisions.aggregate(n=Sum(F("prompt_tokens") + F("completion_tokens")))["n"] or 0


def register() -> None:
    add_uncharged_usage(UsageKind.TOKENS, offline_tokens)
