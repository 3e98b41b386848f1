"""OpenRouterProvider and OpenRouterEmbedder: the real httpx client over real HTTP against the sandbox
(pytest-django's live_server), faults included."""

import json
import logging
import time
from decimal import Decimal

import httpx
import pytest
from pydantic import BaseModel, Field, ValidationError

from apps.ai.embeddings import cosine, get_embedder
from apps.ai.openrouter import OpenRouterClient, OpenRouterConnectionError
from apps.ai.providers.openrouter import OpenRouterEmbedder, OpenRouterProvider, OpenRouterResponse
from apps.ai.types import (
    LLMProvider,
    LLMRequest,
    Message,
    ProviderError,
    ProviderFatalError,
    ProviderOutOfCreditsError,
    ProviderRetryableError,
)
from apps.credentials.services import CredentialUnavailable
from apps.sandbox.faults import clear_faults, set_faults
from apps.sandbox.log import calls, digest
from tests.support.credentials import BAD_SECRET, PLATFORM_SECRET, SECRET, add
from tests.support.ports import free_port
from viralforge.request_id import reset_request_id, set_request_id


class HookIdea(BaseModel):
    hook: str = Field(min_length=3)
    hashtags: list[str] = Field(min_length=1, max_length=5)
    confidence: float = Field(ge=0, le=1)
    rationale: str = Field(min_length=1)


REQUEST = LLMRequest(
    agent="hook",
    messages=(Message("system", "You write hooks."), Message("user", "A hook for a coffee brand.")),
    output_model=HookIdea,
    model="openai/gpt-5-mini",
    fallback_models=("anthropic/claude-haiku-4.5",),
    temperature=0.4,
    max_tokens=600,
)


@pytest.fixture
def sandbox(live_server, settings):
    settings.OPENROUTER_BASE_URL = live_server.url + "/sandbox/openrouter/api/v1"
    clear_faults()
    yield settings.OPENROUTER_BASE_URL
    clear_faults()


def provider(**kwargs) -> OpenRouterProvider:
    fault = kwargs.pop("fault", None)
    headers = {"X-Sandbox-Fault": fault} if fault else None
    return OpenRouterProvider(kwargs.pop("key", SECRET), headers=headers, **kwargs)


def test_happy_path_returns_contract_valid_content(sandbox):
    with provider() as llm:
        typed: LLMProvider = llm  # satisfies the protocol (checked by type checkers)
        assert typed.name == "openrouter"
        response = typed.complete(REQUEST)
    assert isinstance(response, OpenRouterResponse)
    idea = HookIdea.model_validate_json(response.content)
    assert 0 <= idea.confidence <= 1 and idea.rationale
    assert response.provider == "openrouter" and response.upstream_provider == "Sandbox"
    assert response.model == "openai/gpt-5-mini" and response.finish_reason == "stop"
    assert response.generation_id.startswith("gen-") and response.offline is False
    usage = response.usage
    assert usage.prompt_tokens > 0 and usage.completion_tokens > 0
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert isinstance(usage.cost, Decimal) and usage.cost > 0
    assert response.latency_ms > 0


def test_the_request_follows_the_contract(sandbox, settings):
    token = set_request_id("trace-abc123")
    try:
        with provider() as llm:
            llm.complete(REQUEST)
    finally:
        reset_request_id(token)
    (call,) = calls("openrouter")
    assert call.headers["X-Request-ID"] == "trace-abc123"  # the trace id travels along
    assert (call.method, call.status) == ("POST", 200) and call.path.endswith("/api/v1/chat/completions")
    assert call.auth_digest == digest(f"Bearer {SECRET}")
    assert call.headers["HTTP-Referer"] == settings.VF_BASE_URL
    assert call.headers["X-OpenRouter-Title"] == "ViralForge"
    assert call.headers["Content-Type"] == "application/json"
    body = call.body
    assert body["model"] == "openai/gpt-5-mini"
    assert body["models"] == ["openai/gpt-5-mini", "anthropic/claude-haiku-4.5"]
    assert body["provider"] == {"require_parameters": True}
    assert (body["temperature"], body["max_tokens"]) == (0.4, 600)
    assert body["messages"][1] == {"role": "user", "content": "A hook for a coffee brand."}
    response_format = body["response_format"]
    assert response_format["type"] == "json_schema"
    spec = response_format["json_schema"]
    assert spec["name"] == "hook" and spec["strict"] is True
    assert spec["schema"]["additionalProperties"] is False
    assert spec["schema"]["required"] == ["hook", "hashtags", "confidence", "rationale"]
    assert "Authorization" not in json.dumps(body) and SECRET not in json.dumps(body)


def test_fallback_model_answers_when_the_primary_is_down(sandbox):
    request = LLMRequest(**{**REQUEST.__dict__, "model": "acme/unavailable-model"})
    with provider() as llm:
        response = llm.complete(request)
    assert response.model == "anthropic/claude-haiku-4.5"
    HookIdea.model_validate_json(response.content)


FAULT_ERRORS = [
    ("402", ProviderOutOfCreditsError, 402),
    ("429", ProviderRetryableError, 429),
    ("408", ProviderRetryableError, 408),
    ("500", ProviderRetryableError, 500),
    ("502", ProviderRetryableError, 502),
    ("503", ProviderRetryableError, 503),
    ("400", ProviderFatalError, 400),
    ("401", ProviderFatalError, 401),
    ("403", ProviderFatalError, 403),
    ("error_in_200", ProviderRetryableError, 502),
]


def test_each_fault_maps_to_its_error(sandbox):
    # One test (not parametrized): every live_server test pays a database flush.
    for fault, error_type, code in FAULT_ERRORS:
        with provider(fault=fault) as llm, pytest.raises(ProviderError) as excinfo:
            llm.complete(REQUEST)
        error = excinfo.value
        assert (fault, type(error), error.code) == (fault, error_type, code)
        assert error.retryable is (error_type is ProviderRetryableError), fault
        assert SECRET not in str(error) and SECRET not in repr(error)
        assert error.__cause__ is None and error.__context__ is None  # no chain to the HTTP layer
        if fault == "error_in_200":
            assert error.usage.prompt_tokens > 0 and error.usage.cost > 0  # for the orchestrator to record
    assert [c.fault for c in calls("openrouter")] == [fault for fault, _, _ in FAULT_ERRORS]


def test_stored_faults_reach_the_provider(sandbox):
    """Faults configured through apps.sandbox.faults (Redis) rather than a header."""
    with provider(fault="429, retry_after=2") as llm, pytest.raises(ProviderRetryableError) as excinfo:
        llm.complete(REQUEST)
    assert excinfo.value.retry_after == 2.0
    set_faults(rates={"429": 1}, retry_after=0.5)
    with provider() as llm, pytest.raises(ProviderRetryableError) as excinfo:
        llm.complete(REQUEST)
    assert excinfo.value.retry_after == 0.5
    set_faults(rates={"402": 1})
    with provider() as llm, pytest.raises(ProviderOutOfCreditsError) as excinfo:
        llm.complete(REQUEST)
    assert not excinfo.value.retryable and not isinstance(excinfo.value, ProviderRetryableError)


def test_broken_content_is_returned_for_the_orchestrator_to_validate(sandbox):
    """Decision: a 200 with content is transported as is. Not JSON, or JSON that breaks the
    contract, is the orchestrator's to detect (it validates and repairs, and records the usage)."""
    with provider(fault="invalid_json") as llm:
        response = llm.complete(REQUEST)
    with pytest.raises(ValueError):
        json.loads(response.content)
    assert response.usage.total_tokens > 0

    with provider(fault="schema_violation") as llm:
        response = llm.complete(REQUEST)
    json.loads(response.content)
    with pytest.raises(ValidationError):
        HookIdea.model_validate_json(response.content)

    with provider() as llm:  # cut short by max_tokens
        response = llm.complete(LLMRequest(**{**REQUEST.__dict__, "max_tokens": 4}))
    assert response.finish_reason == "length" and len(response.content) <= 16


def test_latency_fault_slows_the_call(sandbox):
    with provider() as llm:
        llm.complete(REQUEST)  # warm the connection
        set_faults(latency_ms=250)
        started = time.perf_counter()
        response = llm.complete(REQUEST)
    assert time.perf_counter() - started >= 0.25
    assert response.latency_ms >= 250


def test_timeout_is_retryable(sandbox):
    with provider(fault="latency=700", timeout=0.2) as llm, pytest.raises(ProviderRetryableError) as excinfo:
        llm.complete(REQUEST)
    assert excinfo.value.code == 0 and "in time" in str(excinfo.value)
    deadline = time.monotonic() + 5  # let the server finish the slow request before the test ends
    while not calls("openrouter").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)  # ... and close its database connection (the test database is dropped at the end)


def test_unreachable_server_is_retryable_and_keyless(db):
    llm = OpenRouterProvider(SECRET, base_url=f"http://127.0.0.1:{free_port()}/api/v1", timeout=2)
    with llm, pytest.raises(ProviderRetryableError) as excinfo:
        llm.complete(REQUEST)
    assert excinfo.value.code == 0 and excinfo.value.__context__ is None
    assert SECRET not in str(excinfo.value) and SECRET not in repr(llm)
    with OpenRouterClient(SECRET, base_url=f"http://127.0.0.1:{free_port()}", timeout=2) as client:
        with pytest.raises(OpenRouterConnectionError) as raw:
            client.chat({"model": "m", "messages": []})
    assert raw.value.__context__ is None and raw.value.__cause__ is None  # the httpx request stays behind


def test_the_key_never_appears_in_errors_or_logs(sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    errors = []
    for key, fault in [(BAD_SECRET, None), (SECRET, "402"), (SECRET, "429"), (SECRET, "500"), (SECRET, "error_in_200")]:
        with provider(key=key, fault=fault) as llm:
            assert key not in repr(llm)
            try:
                llm.complete(REQUEST)
            except ProviderError as exc:
                errors.append(exc)
    assert len(errors) == 5
    assert isinstance(errors[0], ProviderFatalError) and errors[0].code == 401
    for error in errors:
        assert SECRET not in str(error) and BAD_SECRET not in str(error)
        assert SECRET not in repr(error.args) and BAD_SECRET not in repr(error.args)
    assert caplog.records  # the failures were logged ...
    assert SECRET not in caplog.text and BAD_SECRET not in caplog.text  # ... without the key
    for call in calls("openrouter"):
        assert SECRET not in str(call.__dict__) and BAD_SECRET not in str(call.__dict__)


def _mock(payload: dict, status: int = 200) -> OpenRouterProvider:
    transport = httpx.MockTransport(lambda request: httpx.Response(status, json=payload))
    return OpenRouterProvider(SECRET, base_url="http://mock/api/v1", transport=transport)


def test_missing_content_is_retryable_and_carries_usage(db):
    usage = {"prompt_tokens": 12, "completion_tokens": 0, "total_tokens": 12, "cost": 0.00001}
    for choices in ([], [{"finish_reason": "stop", "message": {"role": "assistant", "content": None}}]):
        with pytest.raises(ProviderRetryableError) as excinfo:
            _mock({"id": "gen-1", "model": "m", "choices": choices, "usage": usage}).complete(REQUEST)
        assert excinfo.value.usage.prompt_tokens == 12 and excinfo.value.usage.cost == Decimal("0.00001")
    parts = [{"type": "text", "text": '{"a": '}, {"type": "text", "text": "1}"}]
    response = _mock({"model": "m", "choices": [{"message": {"content": parts}}]}).complete(REQUEST)
    assert response.content == '{"a": 1}' and response.usage.total_tokens == 0
    with pytest.raises(ProviderRetryableError):
        OpenRouterProvider(
            SECRET, base_url="http://mock", transport=httpx.MockTransport(lambda r: httpx.Response(502, text="<html>"))
        ).complete(REQUEST)


def test_for_org_uses_the_organizations_key(sandbox, org):
    with pytest.raises(CredentialUnavailable):
        OpenRouterProvider.for_org(org)
    add(org, secret=SECRET)
    with OpenRouterProvider.for_org(org) as llm:
        HookIdea.model_validate_json(llm.complete(REQUEST).content)
        assert SECRET not in repr(llm)
    assert calls("openrouter").get().auth_digest == digest(f"Bearer {SECRET}")


# --- embeddings ------------------------------------------------------------------------------------


def test_embedder_dimension_batching_and_similarity(sandbox, settings):
    embedder = OpenRouterEmbedder(SECRET, batch_size=2)
    assert embedder.dimension == settings.VF_EMBEDDING_DIMENSION
    assert embedder.name.startswith("openrouter:") and SECRET not in repr(embedder)
    texts = [
        "Our morning coffee routine in three steps",
        "Our morning coffee routine in 3 steps",
        "Quarterly tax filing deadlines for freelancers",
        "",
        "Latte art for beginners",
    ]
    vectors = embedder.embed(texts)
    assert len(vectors) == 5 and all(len(v) == settings.VF_EMBEDDING_DIMENSION for v in vectors)
    assert cosine(vectors[0], vectors[1]) > cosine(vectors[0], vectors[2])
    assert cosine(vectors[0], vectors[1]) > 0.7
    assert embedder.embed([]) == []
    logged = list(calls("openrouter"))
    assert len(logged) == 3  # 2 + 2 + 1
    body = logged[0].body
    assert body["model"] == settings.VF_OPENROUTER_EMBEDDING_MODEL
    assert body["dimensions"] == settings.VF_EMBEDDING_DIMENSION and body["input"] == texts[:2]
    assert logged[1].body["input"] == [texts[2], " "]  # blank inputs are sent as one space
    embedder.close()


def test_embedder_rejects_vectors_of_the_wrong_dimension(sandbox):
    with OpenRouterEmbedder(SECRET, dimension=32) as embedder:
        set_faults(rates={"schema_violation": 1})
        with pytest.raises(ProviderFatalError) as excinfo:
            embedder.embed(["text"])
        assert "dimension 33" in str(excinfo.value) and "32" in str(excinfo.value)
        set_faults(rates={"402": 1})
        with pytest.raises(ProviderOutOfCreditsError):
            embedder.embed(["text"])


def test_embedder_keys_managed_or_the_organizations(sandbox, settings, org):
    settings.VF_EMBEDDER = "openrouter"
    settings.VF_MANAGED_KEYS = {"openrouter": PLATFORM_SECRET, "veo": "", "kling": ""}
    embedder = get_embedder()
    assert isinstance(embedder, OpenRouterEmbedder)
    assert len(embedder.embed(["hello"])[0]) == settings.VF_EMBEDDING_DIMENSION
    embedder.close()
    assert calls("openrouter").get().auth_digest == digest(f"Bearer {PLATFORM_SECRET}")

    settings.VF_MANAGED_KEYS = {"openrouter": "", "veo": "", "kling": ""}
    keyless = get_embedder()  # constructing works (name, dimension), embedding needs a key
    assert keyless.dimension == settings.VF_EMBEDDING_DIMENSION
    with pytest.raises(ProviderFatalError) as excinfo:
        keyless.embed(["hello"])
    assert "VF_MANAGED_OPENROUTER_KEY" in str(excinfo.value)

    add(org, secret=SECRET)
    with OpenRouterEmbedder.for_org(org, dimension=16) as embedder:
        embedder.embed(["a", "b"])
    call = calls("openrouter").last()
    assert call.auth_digest == digest(f"Bearer {SECRET}") and call.body["dimensions"] == 16
