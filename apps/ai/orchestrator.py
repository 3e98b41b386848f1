"""The one entry point for AI calls: `run_agent`.

    result = run_agent(org, "script", {"brief": "...", "topics": [...]}, project=project)
    if result.ok:
        script = result.output            # the agent's pydantic contract, validated
    else:
        messages.error(request, result.error_message)   # translated
    result.decision                        # the AIDecision audit row (always exactly one)

What a call does, in order:

1. **Prompt**: the effective template (the organization's override, else the global default)
   composed with brand voice, language and the JSON-schema instruction (apps.ai.prompts).
2. **Route**: project route, else organization route, else the default (apps.ai.routing);
   `provider=` overrides the provider object (tests, benchmarks).
3. **Cache**: the input digest is a SHA-256 over agent, prompt key, version and template id,
   provider, models, the canonical JSON of the inputs, language, seed and the composed
   messages (so a changed brand voice or retrieved knowledge is a different input). An earlier
   valid answer (outcome ok/repaired) of the same organization with the same digest is reused:
   outcome `cached`, no provider call, no budget.
4. **Budget**: tokens are reserved through `apps.billing.quota.reserve` (estimate: prompt
   characters / 4 + max_tokens; offline: only checked, see 8). A hard limit gives outcome `budget_refused` with the
   translated reason; the provider is not called.
5. **Call** with retries: `ProviderRetryableError` (429, 5xx, timeouts, errors in a 200 body)
   is retried up to `VF_AI_MAX_ATTEMPTS` calls per step, waiting `backoff_delay(attempt,
   retry_after)` but never longer than `VF_AI_MAX_BACKOFF_SECONDS` (a longer Retry-After is
   shortened to that cap). `ProviderOutOfCreditsError` (402) stops at once: outcome
   `out_of_credits`, and the organization's owners are told (log line; one e-mail per day).
   `ProviderFatalError` gives `failed`.
6. **Validate** against the agent's contract; on a schema violation the **repair loop** sends
   up to `VF_AI_REPAIR_ROUNDS` more calls quoting the validation errors and the previous
   answer. Still invalid: outcome `failed`, the errors recorded, nothing else persisted.
7. **Escalate**: a valid answer whose confidence is below the route's `escalate_below`, with an
   escalation model set, is asked once more of that model; the answer with the higher
   confidence is kept.
8. **Usage**: every call's usage counts, failed calls included when they reported usage. The
   reservation is committed with the total tokens and cost (one ledger row per run), or
   released when nothing was spent. Offline runs cost nothing and must not eat the
   organization's LLM token quota: for them step 4 only *checks* the limits
   (`quota.check`: a run over the limit is still refused, but nothing is held or charged),
   and their tokens are recorded on the AIDecision only. A provider that turns out to be
   offline only after a reservation (a `provider=` override) gets it released.
9. **Audit**: exactly one AIDecision per call, whatever the outcome.

Provider and validation problems never raise out of `run_agent`; they become outcomes.
Programming errors (an unknown agent key, a project of another organization) do raise.

A job that fans out many calls of one agent (a brief's variants) runs them inside
`with shared_config():`: the route (with its key), the prompt template and the brand voices are
then looked up once per organization, agent and project for the whole block (threads started by
`apps.core.threads.map` inside it share it) instead of once per call.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache as django_cache
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pydantic import BaseModel, ValidationError

from apps.ai import prompts, routing
from apps.ai.models import AIDecision
from apps.ai.providers import backoff_delay
from apps.ai.types import (
    LLMRequest,
    LLMResponse,
    Message,
    ProviderError,
    ProviderFatalError,
    ProviderOutOfCreditsError,
    ProviderRetryableError,
    Usage,
)
from apps.billing.models import UsageKind
from apps.billing.quota import QuotaExceeded, check, commit, release, reserve
from apps.core import clock
from apps.orgs.models import Membership, Organization
from apps.orgs.roles import Role
from viralforge.request_id import get_request_id

logger = logging.getLogger("viralforge.ai")

Outcome = AIDecision.Outcome
SUCCESS = (Outcome.OK, Outcome.REPAIRED)
# How much of a previous answer and of its validation errors a repair prompt quotes.
REPAIR_QUOTE_CHARS = 4000
REPAIR_MAX_ERRORS = 20
ERROR_FIELD_CHARS = 4000
OUT_OF_CREDITS_FLAG_SECONDS = 24 * 3600


@dataclass
class AgentResult:
    output: BaseModel | None
    decision: AIDecision
    outcome: str
    offline: bool
    error_message: str = ""  # translated, for the user; empty on success

    @property
    def ok(self) -> bool:
        return self.output is not None


class _Stop(Exception):
    """Ends a run early with an outcome (internal)."""

    def __init__(self, outcome: str, error: str, message: str):
        super().__init__(error)
        self.outcome, self.error, self.message = outcome, error, message


@dataclass
class _Run:
    """What one run_agent call accumulates over all its provider calls."""

    provider_name: str
    attempts: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cost: Decimal = Decimal("0")
    offline: bool = False
    model: str = ""
    notes: list[str] = field(default_factory=list)

    def add(self, usage: Usage | None) -> None:
        if usage is None:
            return
        self.prompt_tokens += usage.prompt_tokens
        self.completion_tokens += usage.completion_tokens
        self.total_tokens += usage.total_tokens or usage.prompt_tokens + usage.completion_tokens
        self.cost += Decimal(str(usage.cost or 0))


# --- configuration shared by the calls of one job --------------------------------------------

_shared: contextvars.ContextVar[dict | None] = contextvars.ContextVar("vf_ai_shared_config", default=None)


@contextmanager
def shared_config() -> Iterator[None]:
    """Within the block, routes, prompt templates and brand voices are looked up once (see the
    module docstring); a change saved meanwhile applies from the next block on."""
    token = _shared.set({"lock": threading.Lock()})
    try:
        yield
    finally:
        _shared.reset(token)


def _once(key: tuple, lookup: Callable):
    """`lookup()`, remembered for the `shared_config` block (every call outside one looks up anew)."""
    memo = _shared.get()
    if memo is None:
        return lookup()
    if key not in memo:
        with memo["lock"]:  # the other threads wait for the first look-up rather than repeat it
            if key not in memo:
                memo[key] = lookup()
    return memo[key]


# --- digest and cache ---------------------------------------------------------------------


def input_digest(
    *, agent: str, template, provider: str, model: str, inputs: dict, language: str, seed: int, messages
) -> str:
    payload = {
        "agent": agent,
        "prompt": [template.key, template.version, str(template.pk)],
        "provider": provider,
        "model": model,
        "inputs": inputs,
        "language": language,
        "seed": seed,
        "messages": hashlib.sha256(
            prompts.canonical_json([[m.role, m.content] for m in messages]).encode()
        ).hexdigest(),
    }
    return hashlib.sha256(prompts.canonical_json(payload).encode()).hexdigest()


def _cached(org, digest: str, output_model: type[BaseModel]) -> tuple[AIDecision, BaseModel] | None:
    earlier = (
        AIDecision.objects.for_org(org).filter(input_digest=digest, outcome__in=SUCCESS).order_by("-created_at")[:3]
    )
    for decision in earlier:
        try:
            return decision, output_model.model_validate(decision.output)
        except ValidationError:  # the contract changed since: not reusable
            continue
    return None


# --- validation and repair ----------------------------------------------------------------

_FENCE = re.compile(r"^\s*```(?:json)?\s*\n(.*)\n\s*```\s*$", re.DOTALL)


def _json_text(content: str) -> str:
    """The JSON inside a single ```json fence, else the content as is."""
    match = _FENCE.match(content or "")
    return match.group(1) if match else (content or "")


def compact_errors(error: ValidationError) -> str:
    lines = []
    for item in error.errors(include_url=False, include_context=False, include_input=False)[:REPAIR_MAX_ERRORS]:
        location = ".".join(str(part) for part in item.get("loc", ())) or "(root)"
        lines.append(f"- {location}: {item.get('msg', '')} [{item.get('type', '')}]")
    if error.error_count() > REPAIR_MAX_ERRORS:
        lines.append(f"- … and {error.error_count() - REPAIR_MAX_ERRORS} more")
    return "\n".join(lines)


def repair_message(errors: str) -> str:
    return (
        "Your previous answer does not validate against the JSON schema from the system message. "
        f"Validation errors:\n{errors}\n\n"
        "Answer again with the complete corrected JSON object only: keep what was right, fix what the "
        "errors name, no prose, no code fences."
    )


# --- provider calls -----------------------------------------------------------------------


def _call(provider, request: LLMRequest, run: _Run) -> LLMResponse:
    """One step: the provider call with retries. Raises _Stop when it cannot succeed."""
    max_attempts = settings.VF_AI_MAX_ATTEMPTS
    cap = float(settings.VF_AI_MAX_BACKOFF_SECONDS)
    last: ProviderError | None = None
    for attempt in range(1, max_attempts + 1):
        run.attempts += 1
        try:
            response = provider.complete(request)
        except ProviderRetryableError as exc:
            run.add(exc.usage)
            last = exc
            if attempt < max_attempts:
                delay = min(backoff_delay(attempt, exc.retry_after, cap=max(cap, 0.001)), cap)
                if delay > 0:
                    clock.sleep(delay)  # a frozen clock (tests) moves on at once
            continue
        except ProviderOutOfCreditsError as exc:
            run.add(exc.usage)
            raise _Stop(
                Outcome.OUT_OF_CREDITS,
                str(exc),
                _(
                    "The AI provider's credits are used up, so nothing was generated. An admin needs to "
                    "top up the OpenRouter account or add another key under Credentials."
                ),
            ) from None
        except ProviderFatalError as exc:
            run.add(exc.usage)
            raise _Stop(
                Outcome.FAILED, str(exc), _("The AI provider refused the request: %(error)s") % {"error": exc}
            ) from None
        except Exception as exc:  # a provider bug or an unexpected transport error: record, do not raise
            logger.exception("Provider %s raised unexpectedly for agent %s.", run.provider_name, request.agent)
            raise _Stop(
                Outcome.FAILED,
                f"{type(exc).__name__}: {exc}",
                _("The AI provider failed unexpectedly. Please try again later."),
            ) from None
        run.add(response.usage)
        run.offline = run.offline or bool(response.offline)
        run.model = response.model or request.model
        return response
    raise _Stop(
        Outcome.FAILED,
        f"provider unavailable after {max_attempts} attempts: {last}",
        ngettext(
            "The AI provider is not available right now (%(attempts)s attempt). Please try again later.",
            "The AI provider is not available right now (%(attempts)s attempts). Please try again later.",
            max_attempts,
        )
        % {"attempts": max_attempts},
    )


def _validated(spec, request: LLMRequest, provider, run: _Run) -> tuple[BaseModel, LLMResponse, int]:
    """Call, validate, repair. Returns (output, response, repair rounds used); raises _Stop."""
    rounds = settings.VF_AI_REPAIR_ROUNDS
    base_messages = request.messages
    response = _call(provider, request, run)
    for round_number in range(rounds + 1):
        try:
            return spec.output_model.model_validate_json(_json_text(response.content)), response, round_number
        except ValidationError as exc:
            errors = compact_errors(exc)
        if round_number == rounds:
            raise _Stop(
                Outcome.FAILED,
                f"schema violation after {rounds} repair round(s):\n{errors}",
                ngettext(
                    "The AI answer did not match the expected format, even after %(rounds)s repair attempt.",
                    "The AI answer did not match the expected format, even after %(rounds)s repair attempts.",
                    rounds,
                )
                % {"rounds": rounds},
            )
        logger.info("Agent %s answer breaks its contract; repair round %s.", spec.key, round_number + 1)
        messages = (
            *base_messages,
            Message("assistant", (response.content or "")[:REPAIR_QUOTE_CHARS]),
            Message("user", repair_message(errors)),
        )
        request = replace(request, messages=messages)
        response = _call(provider, request, run)
    raise AssertionError("unreachable")  # pragma: no cover


# --- out of credits -------------------------------------------------------------------------


def out_of_credits_flag_key(org) -> str:
    return f"ai:out-of-credits:{org.id}:{timezone.localdate().isoformat()}"


def out_of_credits_today(org) -> bool:
    """Did a provider report exhausted credits for this organization today?"""
    try:
        return bool(django_cache.get(out_of_credits_flag_key(org)))
    except Exception:  # Redis down: no banner
        return False


def notify_out_of_credits(org, agent: str) -> None:
    """Log it, set today's flag (shown on the AI pages), and e-mail the owners once per day."""
    logger.warning("Provider credits exhausted for organization %s (agent %s).", org.id, agent)
    try:
        first = django_cache.add(out_of_credits_flag_key(org), timezone.now().isoformat(), OUT_OF_CREDITS_FLAG_SECONDS)
    except Exception:
        logger.exception("Could not record the out-of-credits flag of organization %s.", org.id)
        return
    if first:
        transaction.on_commit(lambda: _send_out_of_credits_email(org.id))


def _send_out_of_credits_email(org_id) -> None:
    try:
        org = Organization.objects.get(id=org_id)
        owners = Membership.objects.for_org(org).filter(role=Role.OWNER).select_related("user")
        by_language: dict[str, list[str]] = {}
        for membership in owners:
            language = membership.user.language or settings.LANGUAGE_CODE
            by_language.setdefault(language, []).append(membership.user.email)
        link = settings.VF_BASE_URL.rstrip("/") + reverse("credential_list", args=[org.slug])
        for language, recipients in by_language.items():
            with translation.override(language):
                subject = _("%(org)s: the AI provider's credits are used up") % {"org": org.name}
                body = render_to_string("ai/email/out_of_credits.txt", {"org": org, "link": link})
            send_mail(subject, body, None, recipients)
    except Exception:  # mail server down: forget the flag so the next failure tries again
        logger.exception("Could not send the out-of-credits e-mail for organization %s.", org_id)
        try:
            django_cache.delete(f"ai:out-of-credits:{org_id}:{timezone.localdate().isoformat()}")
        except Exception:
            logger.exception("Could not clear the out-of-credits flag of organization %s.", org_id)


# --- the entry point ------------------------------------------------------------------------


def _decision(org, project, decision_id, spec, template, digest: str, **values) -> AIDecision:
    values.setdefault("request_id", (get_request_id() or "")[:128])
    values["error"] = (values.get("error") or "")[:ERROR_FIELD_CHARS]
    return AIDecision.objects.create(
        id=decision_id,
        organization=org,
        project=project,
        agent=spec.key,
        prompt_key=template.key if template else spec.prompt_key,
        prompt_version=template.version if template else None,
        input_digest=digest,
        **values,
    )


def _settle(reservation, run: _Run) -> None:
    if reservation is None:
        return
    try:
        if run.offline or (run.total_tokens == 0 and run.cost == 0):
            release(reservation)
        else:
            commit(reservation, run.total_tokens, cost=run.cost)
    except Exception:  # the stale-reservation job releases it; the run itself is recorded
        logger.exception("Could not settle the token reservation %s.", reservation.id)


def run_agent(
    org,
    agent_key: str,
    inputs: dict,
    *,
    project=None,
    language: str | None = None,
    seed: int = 0,
    idempotency_key: str | None = None,
    provider=None,
    cache: bool | None = None,
    knowledge: list[str] | None = None,
) -> AgentResult:
    """Run one agent through the control plane (see the module docstring).

    `inputs`: JSON-serialisable dict (rendered into the prompt, and the offline provider's
    context). `language`: content language (default: the project's, else German).
    `idempotency_key`: the quota key of this logical call (one per job attempt, e.g.
    f"script:{post.id}:{attempt}"); the same key is never reserved or charged twice. Without
    one, every run is its own reservation. `provider`: use this provider object instead of the
    routed one. `cache`: reuse identical earlier answers (default `VF_AI_CACHE_ENABLED`).
    `knowledge`: retrieved snippets (apps.ai.knowledge.retrieve) to ground the answer.
    """
    from apps.ai.contracts import AGENTS

    spec = AGENTS[agent_key]  # KeyError: a programming error
    if project is not None and project.organization_id != org.id:
        raise ValueError("The project belongs to another organization.")
    if not isinstance(inputs, dict):
        raise TypeError("inputs must be a dict.")
    language = language or (getattr(project, "language", "") or "de")
    use_cache = settings.VF_AI_CACHE_ENABLED if cache is None else cache
    started = time.perf_counter()
    decision_id = uuid.uuid4()
    inputs = json.loads(prompts.canonical_json(inputs))  # plain JSON values from here on
    knowledge = [str(item) for item in (knowledge or [])]

    project_id = project.id if project is not None else None
    route = _once(
        ("route", org.id, agent_key, project_id, provider is None),
        lambda: routing.resolve_route(org, agent_key, project, check_credential=provider is None),
    )
    if provider is None:
        provider = routing.build_provider(route)
    provider_name = getattr(provider, "name", route.provider)
    run = _Run(provider_name=provider_name, offline=provider_name == routing.OFFLINE, model=route.model)

    def elapsed() -> float:
        return (time.perf_counter() - started) * 1000

    template = _once(("template", org.id, spec.prompt_key), lambda: prompts.effective_template(org, spec.prompt_key))
    voices = _once(("voices", org.id, project_id), lambda: prompts.brand_voices(org, project))
    try:
        prompt = prompts.compose(
            org, spec, inputs, project=project, language=language, knowledge=knowledge, template=template, voices=voices
        )
    except prompts.PromptError as exc:
        decision = _decision(
            org, project, decision_id, spec, template, "", provider=provider_name, model=route.model,
            outcome=Outcome.FAILED, error=f"prompt: {exc}", attempts=0, latency_ms=elapsed(), offline=run.offline,
        )  # fmt: skip
        return AgentResult(None, decision, Outcome.FAILED, run.offline, str(exc))

    hints = prompt.template.model_hints or {}
    max_tokens = int(hints.get("max_tokens") or spec.default_max_tokens)
    request = LLMRequest(
        agent=agent_key,
        messages=prompt.messages,
        output_model=spec.output_model,
        model=route.model,
        fallback_models=route.fallback_models,
        temperature=float(hints.get("temperature", 0.7)),
        max_tokens=max_tokens,
        seed=seed,
        language=language,
        context=inputs | {"language": language, "knowledge": knowledge, "agent": agent_key},
    )
    digest = input_digest(
        agent=agent_key,
        template=prompt.template,
        provider=provider_name,
        model="|".join([route.model, *route.fallback_models, route.escalation_model]),
        inputs=inputs,
        language=language,
        seed=seed,
        messages=prompt.messages,
    )
    common = {"provider": provider_name}

    if use_cache:
        hit = _cached(org, digest, spec.output_model)
        if hit is not None:
            earlier, output = hit
            decision = _decision(
                org, project, decision_id, spec, prompt.template, digest, **common, model=earlier.model,
                output=earlier.output, confidence=earlier.confidence, rationale=earlier.rationale,
                attempts=0, outcome=Outcome.CACHED, offline=earlier.offline, latency_ms=elapsed(),
            )  # fmt: skip
            return AgentResult(output, decision, Outcome.CACHED, earlier.offline)

    estimate = max(1, prompt.chars // 4 + max_tokens)
    reservation = None
    try:
        if run.offline:
            # Offline drafts cost nothing: the budget gate applies, but nothing is held or charged.
            verdict = check(org, UsageKind.TOKENS, estimate, project=project)
            if not verdict.allowed:
                raise verdict.error
        else:
            reservation = reserve(
                org,
                UsageKind.TOKENS,
                estimate,
                project=project,
                source=f"ai.AIDecision:{decision_id}",
                idempotency_key=f"ai:{idempotency_key}"[:200] if idempotency_key else f"ai:{decision_id}",
            )
    except QuotaExceeded as exc:
        decision = _decision(
            org, project, decision_id, spec, prompt.template, digest, **common, model=route.model,
            attempts=0, outcome=Outcome.BUDGET_REFUSED, error=str(exc), offline=run.offline, latency_ms=elapsed(),
        )  # fmt: skip
        return AgentResult(None, decision, Outcome.BUDGET_REFUSED, run.offline, str(exc))

    prompts.mark_used(prompt.template)
    output = None
    outcome, error, message = Outcome.OK, "", ""
    try:
        try:
            output, _response, rounds = _validated(spec, request, provider, run)
            outcome = Outcome.REPAIRED if rounds else Outcome.OK
            if route.wants_escalation(getattr(output, "confidence", None)):
                output = _escalate(org, spec, request, route, provider, run, output)
        except _Stop as stop:
            outcome, error, message = stop.outcome, stop.error, stop.message
            output = None
            if stop.outcome == Outcome.OUT_OF_CREDITS:
                notify_out_of_credits(org, agent_key)
    finally:
        _settle(reservation, run)

    if run.notes:
        error = "\n".join([*([error] if error else []), *run.notes])
    data = output.model_dump(mode="json") if output is not None else None
    decision = _decision(
        org, project, decision_id, spec, prompt.template, digest, **common,
        model=run.model or route.model, output=data,
        confidence=getattr(output, "confidence", None) if output is not None else None,
        rationale=str(getattr(output, "rationale", "") or "") if output is not None else "",
        prompt_tokens=run.prompt_tokens, completion_tokens=run.completion_tokens, cost=run.cost,
        latency_ms=elapsed(), attempts=run.attempts, outcome=outcome, error=error, offline=run.offline,
    )  # fmt: skip
    return AgentResult(output, decision, outcome, run.offline, message)


def _escalate(org, spec, request: LLMRequest, route, provider, run: _Run, output: BaseModel) -> BaseModel:
    """Ask the escalation model once; keep the answer with the higher confidence."""
    first_model = run.model
    escalated = replace(request, model=route.escalation_model, fallback_models=())
    try:
        response = _call(provider, escalated, run)
        better = spec.output_model.model_validate_json(_json_text(response.content))
    except _Stop as stop:
        run.notes.append(f"escalation to {route.escalation_model} failed: {stop.error}")
        if stop.outcome == Outcome.OUT_OF_CREDITS:
            notify_out_of_credits(org, spec.key)
        run.model = first_model
        return output
    except ValidationError as exc:
        run.notes.append(f"escalation answer of {route.escalation_model} broke the contract:\n{compact_errors(exc)}")
        run.model = first_model
        return output
    if (getattr(better, "confidence", 0) or 0) > (getattr(output, "confidence", 0) or 0):
        run.model = response.model or route.escalation_model
        return better
    run.model = first_model
    return output
