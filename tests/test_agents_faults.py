"""The orchestrator against the real OpenRouter sandbox over real HTTP, with injected faults.

200 run_agent calls (several agents, distinct inputs so the cache hides nothing, four threads)
while 30 % of the sandbox's answers are faults (429, 5xx, invalid JSON, schema violations,
errors inside HTTP 200). Every call must end in a schema-valid answer or a clean, recorded
failure; nothing may raise; and the books must balance: one AIDecision per call, one sandbox
request per counted attempt, the tokens of every attempt on the ledger.
"""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connections
from django.db.models import Sum

from apps.ai.contracts import AGENTS
from apps.ai.models import AIDecision
from apps.ai.orchestrator import run_agent
from apps.ai.providers.openrouter import OpenRouterProvider
from apps.ai.routing import close_pooled_providers
from apps.billing.models import Reservation, ReservationStatus, UsageKind, UsageLedger
from apps.billing.testing import subscribe
from apps.core import clock
from apps.sandbox.faults import clear_faults, set_faults
from apps.sandbox.models import SandboxCall
from tests.support.credentials import SECRET, add

pytestmark = pytest.mark.django_db(transaction=True)

CHAT_PATH = "/sandbox/openrouter/api/v1/chat/completions"
RUNS = 200
THREADS = 4
# Agents whose contracts the sandbox's schema-driven answers usually satisfy (their cross-field
# rules are rare to break); the others still end cleanly, but mostly as failures.
AGENT_MIX = ("research", "creative_director", "compliance", "analytics_insight", "qa_judge")
FAULTS = {
    "429": 0.08,
    "500": 0.04,
    "502": 0.03,
    "503": 0.03,
    "invalid_json": 0.04,
    "schema_violation": 0.05,
    "error_in_200": 0.03,
}


@pytest.fixture
def sandbox(live_server, settings):
    settings.OPENROUTER_BASE_URL = live_server.url + "/sandbox/openrouter/api/v1"
    settings.VF_AI_MAX_BACKOFF_SECONDS = 0.01
    settings.VF_AI_MAX_ATTEMPTS = 4
    settings.VF_AI_REPAIR_ROUNDS = 2
    clear_faults()
    yield
    clear_faults()
    # Pooled clients keep their connections alive, and so the live server's request threads
    # (with their database connections): close them so the test database can be dropped.
    close_pooled_providers()


def chat_calls():
    return SandboxCall.objects.filter(service="openrouter", path=CHAT_PATH)


def _run(org, index: int):
    try:
        agent = AGENT_MIX[index % len(AGENT_MIX)]
        return run_agent(org, agent, {"brief": f"Kampagne {index}", "topics": [f"Thema {index}"], "n": index})
    finally:
        connections.close_all()  # this worker thread's connection


def test_200_calls_with_30_percent_faults_end_cleanly_and_the_books_balance(sandbox, org, owner):
    assert abs(sum(FAULTS.values()) - 0.30) < 1e-9
    subscribe(org, monthly_tokens=10**9)
    add(org, "openrouter", secret=SECRET, actor=owner)
    set_faults("openrouter", rates=FAULTS, retry_after=1, seed=20261121)

    with ThreadPoolExecutor(THREADS) as pool:
        futures = [pool.submit(_run, org, i) for i in range(RUNS)]
        results = [future.result() for future in futures]  # re-raises anything that escaped

    decisions = list(AIDecision.objects.for_org(org))
    assert len(results) == RUNS and len(decisions) == RUNS
    outcomes = Counter(d.outcome for d in decisions)
    assert set(outcomes) <= {"ok", "repaired", "failed"}, outcomes
    assert outcomes["ok"] + outcomes["repaired"] >= RUNS * 0.7, outcomes
    assert outcomes["repaired"] > 0  # the schema faults were repaired

    for result in results:
        decision = result.decision
        assert decision.attempts >= 1 and not decision.offline and decision.provider == "openrouter"
        if result.outcome in ("ok", "repaired"):
            model = AGENTS[decision.agent].output_model
            assert isinstance(result.output, model)
            assert model.model_validate(decision.output) == result.output
            assert decision.confidence == result.output.confidence
        else:
            assert result.output is None and decision.output is None
            assert decision.error and result.error_message

    # Every request the sandbox saw is an attempt some decision counted, and vice versa.
    faults_seen = Counter(chat_calls().values_list("fault", flat=True))
    assert chat_calls().count() == sum(d.attempts for d in decisions)
    assert sum(n for kind, n in faults_seen.items() if kind) > 0.2 * chat_calls().count()

    # Usage: every attempt's tokens are on its decision, and the ledger has exactly those.
    ledger = {e.source: e for e in UsageLedger.objects.for_org(org).filter(kind=UsageKind.TOKENS)}
    for decision in decisions:
        tokens = decision.prompt_tokens + decision.completion_tokens
        entry = ledger.get(f"ai.AIDecision:{decision.id}")
        if tokens:
            assert entry is not None and entry.quantity == tokens and entry.cost == decision.cost
        else:
            assert entry is None
    totals = AIDecision.objects.for_org(org).aggregate(
        p=Sum("prompt_tokens"), c=Sum("completion_tokens"), cost=Sum("cost")
    )
    assert sum(e.quantity for e in ledger.values()) == totals["p"] + totals["c"]
    assert sum((e.cost for e in ledger.values()), Decimal("0")) == totals["cost"]
    assert not Reservation.objects.for_org(org).filter(status=ReservationStatus.RESERVED).exists()


def test_budget_stop_never_reaches_the_sandbox(sandbox, org, owner):
    subscribe(org, monthly_tokens=500)
    add(org, "openrouter", secret=SECRET, actor=owner)
    result = run_agent(org, "research", {"brief": "Herbst"})
    assert result.outcome == "budget_refused"
    assert result.error_message.startswith(
        "Not enough LLM tokens left this month: your plan allows 500 per month, 500 are left and "
    )
    assert chat_calls().count() == 0
    assert AIDecision.objects.for_org(org).get().outcome == "budget_refused"


def test_402_from_the_sandbox_is_out_of_credits_and_not_retried(sandbox, org, owner):
    subscribe(org, monthly_tokens=10**9)
    provider = OpenRouterProvider(SECRET, headers={"X-Sandbox-Fault": "402"})
    result = run_agent(org, "research", {"brief": "Herbst"}, provider=provider)
    provider.close()
    assert result.outcome == "out_of_credits" and result.decision.attempts == 1
    assert chat_calls().count() == 1


def test_429_retry_after_from_the_sandbox(sandbox, org, owner, settings):
    settings.VF_AI_MAX_BACKOFF_SECONDS = 30
    subscribe(org, monthly_tokens=10**9)
    provider = OpenRouterProvider(SECRET, headers={"X-Sandbox-Fault": "429, retry_after=3"})
    with clock.freeze():  # the waits between retries pass at once
        start = clock.now()
        result = run_agent(org, "research", {"brief": "Herbst"}, provider=provider)
        waited = (clock.now() - start).total_seconds()
    provider.close()
    assert result.outcome == "failed" and result.decision.attempts == 4
    assert chat_calls().count() == 4
    assert 3 * 3 <= waited <= 3 * 3.25  # three waits of Retry-After (3 s) plus jitter
