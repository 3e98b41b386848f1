"""Which provider and model an agent uses: project route, else organization route, else the default.

    route = resolve_route(org, "script", project=project)
    provider = build_provider(route)

The default route: the offline provider when the organization has no usable OpenRouter key,
else OpenRouter with `VF_DEFAULT_CHEAP_MODEL`, escalating to `VF_DEFAULT_STRONG_MODEL` when
the answer's confidence is below `VF_AI_ESCALATE_BELOW`. A configured OpenRouter route whose
key cannot be used falls back to the offline provider (drafts are labelled offline).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import F, Q

from apps.ai.models import AgentRoute
from apps.credentials.services import CredentialUnavailable, ResolvedCredential, resolve_credential

logger = logging.getLogger("viralforge.ai")

OFFLINE = AgentRoute.ProviderName.OFFLINE.value
OPENROUTER = AgentRoute.ProviderName.OPENROUTER.value


@dataclass(frozen=True)
class Route:
    provider: str  # "offline" | "openrouter"
    model: str
    fallback_models: tuple[str, ...] = ()
    escalation_model: str = ""
    escalate_below: float = 0.0
    source: str = "default"  # "project" | "organization" | "default"
    note: str = ""  # why the route differs from what was configured (log/audit only)
    credential: ResolvedCredential | None = field(default=None, repr=False, compare=False)

    @property
    def offline(self) -> bool:
        return self.provider == OFFLINE

    def wants_escalation(self, confidence: float | None) -> bool:
        return (
            bool(self.escalation_model)
            and self.escalation_model != self.model
            and (confidence is not None and confidence < self.escalate_below)
        )


def configured_route(org, agent: str, project=None) -> AgentRoute | None:
    """The AgentRoute row that applies: the project's own first, then the organization's."""
    if project is not None and project.organization_id != org.id:
        raise ValueError("The project belongs to another organization.")
    scope = Q(project__isnull=True) | Q(project=project) if project is not None else Q(project__isnull=True)
    return (
        AgentRoute.objects.for_org(org).filter(scope, agent=agent).order_by(F("project").asc(nulls_last=True)).first()
    )


def _credential(org, project) -> tuple[ResolvedCredential | None, str]:
    try:
        return resolve_credential(org, OPENROUTER, project=project), ""
    except CredentialUnavailable as exc:
        return None, exc.code


def offline_route(source: str = "default", note: str = "") -> Route:
    return Route(provider=OFFLINE, model="", source=source, note=note)


def resolve_route(org, agent: str, project=None, *, check_credential: bool = True) -> Route:
    """The route for `agent`. With `check_credential=False` (a provider is given by the caller)
    the configured models are returned without looking for a key."""
    row = configured_route(org, agent, project)
    if row is not None:
        source = "project" if row.project_id else "organization"
        if row.provider == OFFLINE:
            return offline_route(source)
        credential, code = _credential(org, project) if check_credential else (None, "")
        if check_credential and credential is None:
            logger.warning(
                "Agent route %s of organization %s wants OpenRouter but no key is usable (%s); using offline.",
                agent,
                org.id,
                code,
            )
            return offline_route(source, note=f"openrouter key unavailable: {code}")
        return Route(
            provider=OPENROUTER,
            model=row.model or settings.VF_DEFAULT_CHEAP_MODEL,
            fallback_models=tuple(m for m in row.fallback_models or () if isinstance(m, str) and m),
            escalation_model=row.escalation_model,
            escalate_below=row.escalate_below,
            source=source,
            credential=credential,
        )
    credential, code = _credential(org, project) if check_credential else (None, "missing")
    if credential is None:
        return offline_route("default")
    return Route(
        provider=OPENROUTER,
        model=settings.VF_DEFAULT_CHEAP_MODEL,
        escalation_model=settings.VF_DEFAULT_STRONG_MODEL,
        escalate_below=settings.VF_AI_ESCALATE_BELOW,
        source="default",
        credential=credential,
    )


def build_provider(route: Route):
    """The provider object for a resolved route. Shared between calls and threads: do not close it."""
    if route.offline or route.credential is None:
        return _offline_provider()
    return _openrouter_provider(
        hashlib.sha256(route.credential.secret.encode()).hexdigest(),
        settings.OPENROUTER_BASE_URL,
        settings.OPENROUTER_TIMEOUT_SECONDS,
        route.credential.secret,
    )


@functools.lru_cache(maxsize=1)
def _offline_provider():
    from apps.ai.offline import OfflineProvider

    return OfflineProvider()


_pool_lock = threading.Lock()
_pool: OrderedDict[tuple, object] = OrderedDict()
POOL_SIZE = 64


def _openrouter_provider(key_digest: str, base_url: str, timeout, secret: str):
    """One pooled OpenRouterProvider per key and endpoint: building an httpx client (its TLS
    context) costs ~100 ms, and a warm client reuses its connections. Least recently used
    clients beyond POOL_SIZE are dropped (not closed: another thread may still be using one;
    their connections close when they are garbage-collected)."""
    from apps.ai.providers.openrouter import OpenRouterProvider

    pool_key = (key_digest, base_url, timeout)
    with _pool_lock:
        provider = _pool.get(pool_key)
        if provider is not None:
            _pool.move_to_end(pool_key)
            return provider
        provider = OpenRouterProvider(secret, base_url=base_url, timeout=timeout)
        _pool[pool_key] = provider
        while len(_pool) > POOL_SIZE:
            _pool.popitem(last=False)
    return provider


def close_pooled_providers() -> None:
    """Close and forget every pooled provider client (tests, shutdown)."""
    with _pool_lock:
        providers = list(_pool.values())
        _pool.clear()
    for provider in providers:
        provider.close()
