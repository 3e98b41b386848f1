"""run_agent: cache, budget, retries, repair loop, out of credits, escalation, usage and audit."""

from decimal import Decimal

import pytest
from django.core import mail

from apps.ai import orchestrator
from apps.ai.actions import do_save_agent_route, do_save_brand_voice
from apps.ai.models import AIDecision, PromptTemplate
from apps.ai.orchestrator import run_agent
from apps.ai.types import ProviderFatalError, ProviderOutOfCreditsError, ProviderRetryableError, Usage
from apps.billing.models import Reservation, ReservationStatus, UsageAggregate, UsageKind, UsageLedger
from apps.billing.testing import subscribe
from apps.core import clock
from apps.projects.models import Project
from apps.variants.generation import platform_row
from tests.support.orchestrator import BROKEN, USAGE, Scripted, compliance

pytestmark = pytest.mark.django_db

INPUTS = {"caption": "Unser Kaffee macht wach.", "platform": "tiktok"}


@pytest.fixture(autouse=True)
def fast(settings):
    """A frozen clock: the orchestrator's waits between retries pass at once (and can be measured)."""
    settings.VF_AI_MAX_BACKOFF_SECONDS = 30
    settings.VF_AI_MAX_ATTEMPTS = 4
    settings.VF_AI_REPAIR_ROUNDS = 2
    with clock.freeze():
        yield


@pytest.fixture
def project(org):
    return Project.objects.create(organization=org, name="Alpenglow", slug="alpenglow", language="de")


def ledger(org):
    return list(UsageLedger.objects.for_org(org).filter(kind=UsageKind.TOKENS))


def open_reservations(org):
    return Reservation.objects.for_org(org).filter(status=ReservationStatus.RESERVED).count()


# --- success, audit, usage ----------------------------------------------------------------------


def test_valid_answer_is_recorded_with_usage(org, project):
    provider = Scripted([compliance(0.8)])
    result = run_agent(org, "compliance", INPUTS, project=project, provider=provider)

    assert result.ok and result.outcome == "ok" and result.error_message == ""
    assert result.output.verdict == "pass"
    decision = result.decision
    assert AIDecision.objects.for_org(org).count() == 1
    assert decision.agent == "compliance" and decision.prompt_key == "compliance" and decision.prompt_version >= 1
    assert decision.provider == "openrouter" and decision.attempts == 1
    assert decision.confidence == 0.8 and decision.rationale.startswith("Nothing risky")
    assert decision.output["verdict"] == "pass"
    assert (decision.prompt_tokens, decision.completion_tokens, decision.cost) == (100, 50, Decimal("0.001"))
    assert len(decision.input_digest) == 64 and decision.offline is False
    (entry,) = ledger(org)
    assert (entry.quantity, entry.cost, entry.project_id) == (150, Decimal("0.001"), project.id)
    assert entry.source == f"ai.AIDecision:{decision.id}"
    assert open_reservations(org) == 0
    template = PromptTemplate.objects.filter(organization__isnull=True, key="compliance", active=True).get()
    assert template.used_at is not None


def test_messages_carry_template_voice_language_and_schema(org, project):
    do_save_brand_voice(org, voice="Warm und frech", tone="locker")
    do_save_brand_voice(org, project, voice="Alpine calm", dont_list="Keine Anglizismen")
    provider = Scripted([compliance()])
    run_agent(org, "compliance", INPUTS, project=project, provider=provider)

    (request,) = provider.requests
    system, user = request.messages
    assert (system.role, user.role) == ("system", "user")
    assert "compliance reviewer" in system.content
    assert system.content.index("Warm und frech") < system.content.index("Alpine calm")
    assert "- Keine Anglizismen" in system.content
    assert "Write in German." in system.content
    assert '"verdict"' in system.content  # the JSON schema
    assert "Unser Kaffee macht wach." in user.content
    assert request.language == "de" and request.context["caption"] == INPUTS["caption"]


def test_request_id_is_recorded(org):
    from viralforge.request_id import reset_request_id, set_request_id

    token = set_request_id("req-abc-123")
    try:
        result = run_agent(org, "compliance", INPUTS, provider=Scripted([compliance()]))
    finally:
        reset_request_id(token)
    assert result.decision.request_id == "req-abc-123"


# --- cache --------------------------------------------------------------------------------------


def test_identical_call_is_served_from_cache(org):
    provider = Scripted([compliance()])
    first = run_agent(org, "compliance", INPUTS, provider=provider)
    second = run_agent(org, "compliance", INPUTS, provider=provider)

    assert provider.calls == 1
    assert second.outcome == "cached" and second.output == first.output
    assert second.decision.id != first.decision.id
    assert (second.decision.attempts, second.decision.prompt_tokens, second.decision.cost) == (0, 0, 0)
    assert second.decision.input_digest == first.decision.input_digest
    assert len(ledger(org)) == 1  # no budget for the cached answer


def test_cache_misses_on_other_inputs_seed_language_or_voice(org):
    provider = Scripted([compliance()])
    run_agent(org, "compliance", INPUTS, provider=provider)
    run_agent(org, "compliance", INPUTS | {"caption": "Anders"}, provider=provider)
    run_agent(org, "compliance", INPUTS, provider=provider, seed=1)
    run_agent(org, "compliance", INPUTS, provider=provider, language="en")
    do_save_brand_voice(org, voice="Neue Stimme")
    run_agent(org, "compliance", INPUTS, provider=provider)
    assert provider.calls == 5
    assert AIDecision.objects.for_org(org).filter(outcome="cached").count() == 0


def test_cache_can_be_switched_off(org):
    provider = Scripted([compliance()])
    run_agent(org, "compliance", INPUTS, provider=provider)
    assert run_agent(org, "compliance", INPUTS, provider=provider, cache=False).outcome == "ok"
    assert provider.calls == 2


def test_failed_answers_are_not_cached(org):
    provider = Scripted([ProviderFatalError("bad request", code=400), compliance()])
    assert run_agent(org, "compliance", INPUTS, provider=provider).outcome == "failed"
    assert run_agent(org, "compliance", INPUTS, provider=provider).outcome == "ok"


def test_cache_is_per_organization(org, other_org):
    provider = Scripted([compliance()])
    run_agent(org, "compliance", INPUTS, provider=provider)
    assert run_agent(other_org, "compliance", INPUTS, provider=provider).outcome == "ok"
    assert provider.calls == 2


# --- budget -------------------------------------------------------------------------------------


def test_budget_refusal_never_calls_the_provider(org):
    subscribe(org, monthly_tokens=100)
    provider = Scripted([compliance()])
    result = run_agent(org, "compliance", INPUTS, provider=provider)

    assert provider.calls == 0
    assert result.outcome == "budget_refused" and result.output is None
    # nothing used yet, so the refusal says "not enough left", never "limit reached" (honest quotas)
    assert result.error_message.startswith(
        "Not enough LLM tokens left this month: your plan allows 100 per month, 100 are left and "
    )
    assert result.decision.error == result.error_message and result.decision.attempts == 0
    assert ledger(org) == [] and open_reservations(org) == 0
    assert not PromptTemplate.objects.filter(
        organization__isnull=True, key="compliance", used_at__isnull=False
    ).exists()


def test_project_budget_refusal(org):
    project = Project.objects.create(organization=org, name="Tight", slug="tight", monthly_token_budget=10)
    provider = Scripted([compliance()])
    result = run_agent(org, "compliance", INPUTS, project=project, provider=provider)
    assert result.outcome == "budget_refused" and provider.calls == 0
    assert "Tight" in result.error_message


def test_same_idempotency_key_is_charged_once(org):
    provider = Scripted([compliance()])
    run_agent(org, "compliance", INPUTS, provider=provider, idempotency_key="post-1:1")
    run_agent(org, "compliance", INPUTS | {"caption": "x"}, provider=provider, idempotency_key="post-1:1")
    assert provider.calls == 2 and len(ledger(org)) == 1
    run_agent(org, "compliance", INPUTS | {"caption": "y"}, provider=provider, idempotency_key="post-1:2")
    assert len(ledger(org)) == 2


# --- retries ------------------------------------------------------------------------------------


def test_429_with_retry_after_is_honoured(org):
    provider = Scripted(
        [
            ProviderRetryableError("rate limited", code=429, retry_after=2.5),
            ProviderRetryableError("rate limited", code=429, retry_after=1.0),
            compliance(),
        ]
    )
    result = run_agent(org, "compliance", INPUTS, provider=provider)
    assert result.outcome == "ok" and provider.calls == 3 and result.decision.attempts == 3
    first, second = provider.waits
    assert 2.5 <= first <= 2.75 and 1.0 <= second <= 1.25


def test_retry_after_longer_than_the_cap_is_shortened(org, settings):
    settings.VF_AI_MAX_BACKOFF_SECONDS = 0.5
    provider = Scripted([ProviderRetryableError("rate limited", code=429, retry_after=60), compliance()])
    assert run_agent(org, "compliance", INPUTS, provider=provider).outcome == "ok"
    assert provider.waits == [0.5]


def test_retries_run_out_into_a_clean_failure(org):
    failing = ProviderRetryableError("upstream 503", code=503, usage=Usage(10, 0, 10))
    provider = Scripted([failing])
    result = run_agent(org, "compliance", INPUTS, provider=provider)
    assert result.outcome == "failed" and result.output is None
    assert provider.calls == 4 and result.decision.attempts == 4 and len(provider.waits) == 3
    assert all(wait > 0 for wait in provider.waits)
    assert "not available" in result.error_message
    assert "upstream 503" in result.decision.error
    assert result.decision.prompt_tokens == 40  # usage of failed calls counts
    assert [e.quantity for e in ledger(org)] == [40]


def test_fatal_error_is_not_retried(org):
    provider = Scripted([ProviderFatalError("moderation", code=403)])
    result = run_agent(org, "compliance", INPUTS, provider=provider)
    assert result.outcome == "failed" and provider.calls == 1
    assert ledger(org) == [] and open_reservations(org) == 0  # nothing spent: released


def test_unexpected_provider_exception_becomes_a_failure(org):
    provider = Scripted([RuntimeError("socket exploded")])
    result = run_agent(org, "compliance", INPUTS, provider=provider)
    assert result.outcome == "failed" and "socket exploded" in result.decision.error
    assert open_reservations(org) == 0


# --- out of credits -----------------------------------------------------------------------------


def test_402_stops_at_once_and_tells_the_owners(org, owner, django_capture_on_commit_callbacks):
    provider = Scripted([ProviderOutOfCreditsError("no credits", code=402)])
    with django_capture_on_commit_callbacks(execute=True):
        result = run_agent(org, "compliance", INPUTS, provider=provider)
        again = run_agent(org, "compliance", INPUTS | {"caption": "x"}, provider=provider)

    assert result.outcome == "out_of_credits" and provider.calls == 2  # one call per run: not retried
    assert result.decision.attempts == 1 and again.outcome == "out_of_credits"
    assert "credits" in result.error_message
    assert orchestrator.out_of_credits_today(org)
    assert len(mail.outbox) == 1  # once per day
    assert mail.outbox[0].to == [owner.email]
    assert "/credentials/" in mail.outbox[0].body


# --- repair loop --------------------------------------------------------------------------------


def test_schema_violation_is_repaired(org):
    provider = Scripted([BROKEN, compliance()])
    result = run_agent(org, "compliance", INPUTS, provider=provider)

    assert result.outcome == "repaired" and result.ok
    assert provider.calls == 2 and result.decision.attempts == 2
    repair = provider.requests[1].messages
    assert [m.role for m in repair] == ["system", "user", "assistant", "user"]
    assert repair[2].content == BROKEN
    assert "confidence" in repair[3].content and "verdict" in repair[3].content  # the quoted errors
    assert result.decision.prompt_tokens == 200  # both calls count
    assert ledger(org)[0].quantity == 300


def test_invalid_json_is_repaired(org):
    provider = Scripted(["Sure! Here is the JSON: {", compliance()])
    assert run_agent(org, "compliance", INPUTS, provider=provider).outcome == "repaired"


def test_json_in_a_code_fence_is_accepted(org):
    provider = Scripted([f"```json\n{compliance()}\n```"])
    assert run_agent(org, "compliance", INPUTS, provider=provider).outcome == "ok"


def test_always_broken_fails_cleanly_after_the_repair_rounds(org, settings):
    settings.VF_AI_REPAIR_ROUNDS = 3
    provider = Scripted([BROKEN])
    result = run_agent(org, "compliance", INPUTS, provider=provider)

    assert result.outcome == "failed" and result.output is None
    assert provider.calls == 4 and result.decision.attempts == 4
    assert "3 repair attempts" in result.error_message
    assert "schema violation" in result.decision.error and "confidence" in result.decision.error
    assert result.decision.output is None
    assert AIDecision.objects.for_org(org).count() == 1
    assert [e.quantity for e in ledger(org)] == [600]  # the spent tokens are still charged
    # A failed answer is not reused.
    assert run_agent(org, "compliance", INPUTS, provider=Scripted([compliance()])).outcome == "ok"


# --- escalation ---------------------------------------------------------------------------------


def test_low_confidence_escalates_and_keeps_the_better_answer(org):
    do_save_agent_route(
        org, "compliance", provider="openrouter", model="cheap/m", escalation_model="strong/m", escalate_below=0.6
    )
    provider = Scripted([compliance(0.3, "unsure"), compliance(0.95, "sure now")])
    result = run_agent(org, "compliance", INPUTS, provider=provider)

    assert [r.model for r in provider.requests] == ["cheap/m", "strong/m"]
    assert result.outcome == "ok" and result.output.confidence == 0.95
    assert result.decision.model == "strong/m" and result.decision.attempts == 2
    assert result.decision.rationale == "sure now"


def test_escalation_keeps_the_first_answer_when_it_is_not_better(org):
    do_save_agent_route(org, "compliance", provider="openrouter", model="cheap/m", escalation_model="strong/m")
    provider = Scripted([compliance(0.3, "first"), compliance(0.2, "worse")])
    result = run_agent(org, "compliance", INPUTS, provider=provider)
    assert result.output.rationale == "first" and result.decision.model == "cheap/m"


def test_no_escalation_above_the_threshold_or_without_a_model(org):
    do_save_agent_route(org, "compliance", provider="openrouter", model="cheap/m", escalate_below=0.5)
    provider = Scripted([compliance(0.1)])
    run_agent(org, "compliance", INPUTS, provider=provider)
    do_save_agent_route(org, "compliance", provider="openrouter", model="cheap/m", escalation_model="strong/m")
    run_agent(org, "compliance", INPUTS | {"caption": "x"}, provider=Scripted([compliance(0.7)]))
    assert provider.calls == 1


def test_failed_escalation_keeps_the_first_answer(org):
    do_save_agent_route(org, "compliance", provider="openrouter", model="cheap/m", escalation_model="strong/m")
    provider = Scripted([compliance(0.3), ProviderFatalError("model gone", code=404)])
    result = run_agent(org, "compliance", INPUTS, provider=provider)
    assert result.outcome == "ok" and result.output.confidence == 0.3
    assert "escalation" in result.decision.error


# --- misc ---------------------------------------------------------------------------------------


def test_broken_override_template_is_a_recorded_failure(org):
    PromptTemplate.objects.create(
        organization=org, key="compliance", system_template="{{ caption|date:'Y' }}", user_template="{% if %}"
    )
    provider = Scripted([compliance()])
    result = run_agent(org, "compliance", INPUTS, provider=provider)
    assert result.outcome == "failed" and provider.calls == 0
    assert "template" in result.error_message
    assert AIDecision.objects.for_org(org).get().outcome == "failed"


def test_unknown_agent_and_foreign_project_are_programming_errors(org, other_org):
    with pytest.raises(KeyError):
        run_agent(org, "nope", {})
    foreign = Project.objects.create(organization=other_org, name="B", slug="b")
    with pytest.raises(ValueError):
        run_agent(org, "compliance", {}, project=foreign)


def test_usage_totals_match_the_aggregate(org):
    provider = Scripted([BROKEN, compliance()], usage=USAGE)
    run_agent(org, "compliance", INPUTS, provider=provider)
    aggregate = UsageAggregate.objects.for_org(org).filter(kind=UsageKind.TOKENS, project__isnull=True).get()
    assert (aggregate.used, aggregate.reserved) == (300, 0)


# --- offline provider, every agent ------------------------------------------------------------

OFFLINE_INPUTS = {
    "research": {"brief": "Herbstkampagne für Röstkaffee", "topics": ["Herbst", "Latte Art"]},
    "trend_format": {"brief": "Mehr Reichweite", "topics": ["Rezepte", "Behind the scenes"]},
    "creative_director": {"brief": "Oktober-Plan", "slots": ["2026-10-01 #1", "2026-10-01 #2", "2026-10-02 #1"]},
    "script": {
        "concept": {"hook": "Kennst du den Unterschied?", "title": "Espresso vs. Lungo"},
        "duration_seconds": 30,
    },
    "prompt_engineer": {"brief": "Espresso vs. Lungo", "topics": ["Kaffee"]},
    "compliance": {"text": "Unser Kaffee heilt Kopfschmerzen!", "ai_generated": True},
    "qa_judge": {"brief": "Espresso vs. Lungo", "topics": ["Kaffee"]},
    "scheduler_optimizer": {"metrics": [{"weekday": "mon", "hour": 18, "views": 1200}], "timezone": "Europe/Berlin"},
    "analytics_insight": {"posts": [{"format": "tutorial", "hook": "So geht's", "views": 5000}]},
    "variants": {
        "brief": {"topic": "Espresso vs. Lungo", "goal": "Reichweite", "link": "https://example.com/kaffee"},
        "platform": platform_row("instagram"),
        "variant_index": 1,
        "variant_count": 2,
    },
    "voice_trainer": {
        "examples": [
            "Kennst du schon unseren Herbst-Latte? Probier ihn diese Woche! ☕ #Kaffee",
            "Frisch geröstet, frisch gebrüht: so schmeckt Montag. #Rösterei",
            "Drei Tipps für bessere Crema – Nummer zwei überrascht dich.",
            "Unser Team testet neue Bohnen aus Äthiopien. Was meinst du?",
            "Latte Art in 30 Sekunden: schau bis zum Ende! #LatteArt",
        ]
    },
}


@pytest.mark.parametrize("agent", sorted(OFFLINE_INPUTS))
def test_every_agent_runs_offline(org, project, agent):
    from apps.ai.contracts import AGENTS

    assert set(OFFLINE_INPUTS) == set(AGENTS)
    result = run_agent(org, agent, OFFLINE_INPUTS[agent], project=project, cache=False)

    assert result.outcome == "ok", result.decision.error
    assert isinstance(result.output, AGENTS[agent].output_model)
    assert result.offline and result.decision.offline and result.decision.provider == "offline"
    assert result.decision.cost == 0 and result.decision.attempts == 1
    assert result.decision.prompt_tokens > 0  # recorded on the decision ...
    assert ledger(org) == [] and open_reservations(org) == 0  # ... but not charged to the quota
    assert AGENTS[agent].output_model.model_validate(result.decision.output) == result.output
    template = PromptTemplate.objects.filter(organization__isnull=True, key=AGENTS[agent].prompt_key, active=True).get()
    assert template.used_at is not None


def test_offline_is_deterministic_per_seed_and_uses_the_cache(org):
    first = run_agent(org, "script", OFFLINE_INPUTS["script"])
    again = run_agent(org, "script", OFFLINE_INPUTS["script"])
    other = run_agent(org, "script", OFFLINE_INPUTS["script"], seed=7, cache=False)
    same = run_agent(org, "script", OFFLINE_INPUTS["script"], seed=7, cache=False)
    assert again.outcome == "cached" and again.output == first.output
    assert other.output == same.output
    assert AIDecision.objects.for_org(org).count() == 4
