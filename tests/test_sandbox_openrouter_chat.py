"""The OpenRouter stand-in's POST endpoints (chat completions, embeddings) and its switchable faults,
through Django's test client."""

import json

import pytest
from django.urls import reverse
from pydantic import BaseModel, Field

from apps.ai.embeddings import cosine
from apps.ai.providers import strict_json_schema
from apps.sandbox.faults import (
    FAULT_KINDS,
    FaultConfigError,
    clear_faults,
    get_faults,
    parse_header,
    pick_kind,
    set_faults,
)
from apps.sandbox.log import calls
from apps.sandbox.models import SandboxCall
from tests.support.credentials import BAD_SECRET, SECRET

pytestmark = pytest.mark.django_db

CHAT_URL = "/sandbox/openrouter/api/v1/chat/completions"
EMBEDDINGS_URL = "/sandbox/openrouter/api/v1/embeddings"
AUTH = {"HTTP_AUTHORIZATION": f"Bearer {SECRET}"}


class Verdict(BaseModel):
    summary: str = Field(min_length=3)
    tags: list[str] = Field(min_length=1, max_length=4)
    confidence: float = Field(ge=0, le=1)
    rationale: str


SCHEMA = strict_json_schema(Verdict.model_json_schema())


@pytest.fixture(autouse=True)
def no_faults():
    clear_faults()
    yield
    clear_faults()


def chat_body(**overrides) -> dict:
    body = {
        "model": "openai/gpt-5-mini",
        "messages": [{"role": "system", "content": "Answer in JSON."}, {"role": "user", "content": "Rate this hook."}],
        "temperature": 0.2,
        "max_tokens": 800,
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "verdict", "strict": True, "schema": SCHEMA},
        },
        "provider": {"require_parameters": True},
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def post(client, url, body, **extra):
    payload = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(url, payload, content_type="application/json", **{**AUTH, **extra})


def test_urls():
    assert reverse("sandbox_openrouter_chat") == CHAT_URL
    assert reverse("sandbox_openrouter_embeddings") == EMBEDDINGS_URL


def test_chat_answers_schema_valid_json_in_contract_shape(client):
    response = post(client, CHAT_URL, chat_body())
    assert response.status_code == 200
    data = response.json()
    assert data["object"] == "chat.completion" and data["id"].startswith("gen-")
    assert data["model"] == "openai/gpt-5-mini" and data["provider"] == "Sandbox"
    assert isinstance(data["created"], int)
    (choice,) = data["choices"]
    assert choice["finish_reason"] == "stop" and choice["message"]["role"] == "assistant"
    verdict = Verdict.model_validate_json(choice["message"]["content"])
    assert 0 <= verdict.confidence <= 1
    usage = data["usage"]
    assert usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert usage["completion_tokens"] == -(-len(choice["message"]["content"]) // 4)
    assert 0 < usage["cost"] < 0.01
    assert float(response["X-Sandbox-Duration-Ms"]) >= 0
    (call,) = calls("openrouter")
    assert (call.method, call.status, call.fault) == ("POST", 200, "")
    assert call.body["response_format"]["json_schema"]["strict"] is True


def test_identical_requests_get_identical_answers(client):
    first = post(client, CHAT_URL, chat_body()).json()
    second = post(client, CHAT_URL, chat_body()).json()
    other = post(client, CHAT_URL, chat_body(messages=[{"role": "user", "content": "Something else"}])).json()
    content = first["choices"][0]["message"]["content"]
    assert content == second["choices"][0]["message"]["content"]
    assert content != other["choices"][0]["message"]["content"]
    assert first["id"] != second["id"]


def test_german_prompts_get_german_text(client):
    body = chat_body(messages=[{"role": "user", "content": "Antworte auf Deutsch."}])
    content = post(client, CHAT_URL, body).json()["choices"][0]["message"]["content"]
    assert any(word in content for word in ("Kaffee", "Tipp", "Bohnen", "Trend", "Alltag", "Ritual", "Herbst", "neue"))


def test_json_object_and_text_modes(client):
    data = post(client, CHAT_URL, chat_body(response_format={"type": "json_object"})).json()
    assert set(json.loads(data["choices"][0]["message"]["content"])) == {"text", "confidence", "rationale"}
    text = post(client, CHAT_URL, chat_body(response_format=None)).json()["choices"][0]["message"]["content"]
    assert text.endswith(".") and not text.startswith("{")


def test_fallback_models_and_model_echo(client):
    body = chat_body(model=None, models=["acme/unavailable-1", "anthropic/claude-haiku"])
    assert post(client, CHAT_URL, body).json()["model"] == "anthropic/claude-haiku"
    assert post(client, CHAT_URL, chat_body(model=None, models=["x/first", "y/second"])).json()["model"] == "x/first"
    down = post(client, CHAT_URL, chat_body(model="acme/unavailable", models=["acme/unavailable-too"]))
    assert down.status_code == 502 and down.json()["error"]["code"] == 502


def test_max_tokens_cuts_the_answer(client):
    data = post(client, CHAT_URL, chat_body(max_tokens=5)).json()
    choice = data["choices"][0]
    assert choice["finish_reason"] == "length" and len(choice["message"]["content"]) <= 20
    with pytest.raises(ValueError):
        json.loads(choice["message"]["content"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"model": None}, "Either 'model' or 'models' is required."),
        ({"model": ""}, "'model' must be a non-empty string."),
        ({"models": []}, "'models' must be a non-empty array of model ids."),
        ({"messages": None}, "'messages' is required and must be a non-empty array."),
        ({"messages": [{"role": "robot", "content": "x"}]}, "messages[0].role must be one of"),
        ({"messages": [{"role": "user"}]}, "messages[0].content must be a string"),
        ({"temperature": 3}, "'temperature' must be a number between 0 and 2."),
        ({"max_tokens": 0}, "'max_tokens' must be a positive integer."),
        ({"stream": "yes"}, "'stream' must be a boolean."),
        ({"response_format": {"type": "xml"}}, "'response_format.type' must be one of"),
        ({"response_format": {"type": "json_schema"}}, "'response_format.json_schema' is required"),
        (
            {"response_format": {"type": "json_schema", "json_schema": {"name": "a b", "schema": {}}}},
            "'response_format.json_schema.name' must match",
        ),
        (
            {
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": "v", "strict": True, "schema": Verdict.model_json_schema()},
                }
            },
            "Invalid schema for response_format 'v': In context=(), 'additionalProperties' is required",
        ),
    ],
)
def test_invalid_chat_bodies_get_400_in_contract_shape(client, change, message):
    response = post(client, CHAT_URL, chat_body(**change))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == 400 and error["message"].startswith(message)
    assert calls("openrouter").get().status == 400


def test_strict_violation_names_the_missing_property(client):
    schema = json.loads(json.dumps(SCHEMA))
    schema["required"].remove("tags")
    body = chat_body(
        response_format={"type": "json_schema", "json_schema": {"name": "v", "strict": True, "schema": schema}}
    )
    message = post(client, CHAT_URL, body).json()["error"]["message"]
    assert "Missing 'tags'" in message
    body["response_format"]["json_schema"]["strict"] = False  # not strict: accepted
    assert post(client, CHAT_URL, body).status_code == 200


def test_not_json_and_no_key(client):
    response = post(client, CHAT_URL, "{nope")
    assert response.status_code == 400 and response.json()["error"]["message"] == "Request body must be a JSON object."
    anonymous = client.post(CHAT_URL, json.dumps(chat_body()), content_type="application/json")
    assert anonymous.status_code == 401
    assert anonymous.json() == {"error": {"code": 401, "message": "No auth credentials found"}}
    bad = post(client, CHAT_URL, chat_body(), HTTP_AUTHORIZATION=f"Bearer {BAD_SECRET}")
    assert bad.json() == {"error": {"code": 401, "message": "User not found."}}
    assert client.get(CHAT_URL, **AUTH).status_code == 405
    assert [c.status for c in calls("openrouter")] == [400, 401, 401]


def test_logged_body_never_holds_the_key(client):
    body = chat_body(messages=[{"role": "user", "content": f"my key is {SECRET}, keep it"}])
    post(client, CHAT_URL, body)
    post(client, EMBEDDINGS_URL, {"model": "m", "input": [f"Bearer {SECRET}"]})
    for row in SandboxCall.objects.values():
        assert SECRET not in str(row)
    assert "[redacted]" in calls("openrouter").first().body["messages"][0]["content"]


# --- faults -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status", "message"),
    [
        ("400", 400, "Invalid request"),
        ("401", 401, "User not found."),
        ("402", 402, "Insufficient credits"),
        ("403", 403, "Input was flagged by moderation."),
        ("408", 408, "Request timed out."),
        ("429", 429, "Rate limit exceeded"),
        ("500", 500, "Internal Server Error"),
        ("502", 502, "Provider returned error"),
        ("503", 503, "No allowed providers"),
    ],
)
def test_http_faults_by_header(client, kind, status, message):
    response = post(client, CHAT_URL, chat_body(), HTTP_X_SANDBOX_FAULT=kind)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == status and error["message"].startswith(message)
    if kind == "429":
        assert response["Retry-After"] == "1"
    if kind == "403":
        assert error["metadata"]["reasons"] and error["metadata"]["flagged_input"] == "Rate this hook."
    call = calls("openrouter").get()
    assert (call.status, call.fault, call.headers["X-Sandbox-Fault"]) == (status, kind, kind)


def test_content_faults_by_header(client):
    data = post(client, CHAT_URL, chat_body(), HTTP_X_SANDBOX_FAULT="invalid_json").json()
    with pytest.raises(ValueError):
        json.loads(data["choices"][0]["message"]["content"])

    data = post(client, CHAT_URL, chat_body(), HTTP_X_SANDBOX_FAULT="schema_violation").json()
    content = json.loads(data["choices"][0]["message"]["content"])
    with pytest.raises(ValueError):
        Verdict.model_validate(content)

    response = post(client, CHAT_URL, chat_body(), HTTP_X_SANDBOX_FAULT="error_in_200")
    data = response.json()
    assert response.status_code == 200
    assert data["error"]["code"] == 502 and data["usage"]["prompt_tokens"] > 0
    assert data["choices"][0]["finish_reason"] == "error"
    assert [c.fault for c in calls("openrouter")] == ["invalid_json", "schema_violation", "error_in_200"]


def test_retry_after_and_latency_options_in_header(client):
    response = post(client, CHAT_URL, chat_body(), HTTP_X_SANDBOX_FAULT="429, retry_after=2.5, latency=30")
    assert response.status_code == 429 and response["Retry-After"] == "2.5"
    assert float(response["X-Sandbox-Duration-Ms"]) >= 30
    bad = post(client, CHAT_URL, chat_body(), HTTP_X_SANDBOX_FAULT="explode")
    assert bad.status_code == 400 and "Unknown sandbox fault 'explode'" in bad.json()["error"]["message"]


def test_stored_faults_are_reproducible_with_a_seed(client):
    rates = {"429": 0.2, "500": 0.2, "invalid_json": 0.1, "error_in_200": 0.1}

    def run() -> list[tuple[int, str]]:
        SandboxCall.objects.all().delete()
        set_faults(rates=rates, seed=42, retry_after=3)
        for _ in range(30):
            post(client, CHAT_URL, chat_body())
        return [(c.status, c.fault) for c in calls("openrouter")]

    first = run()
    assert first == run()
    faults = {fault for _, fault in first}
    assert {"429", "500"} <= faults and "" in faults
    assert (429, "429") in first and (500, "500") in first
    set_faults(rates={"429": 1}, retry_after=3)
    assert post(client, CHAT_URL, chat_body())["Retry-After"] == "3"


def test_header_overrides_stored_faults(client):
    set_faults(rates={"503": 1})
    assert post(client, CHAT_URL, chat_body()).status_code == 503
    assert post(client, CHAT_URL, chat_body(), HTTP_X_SANDBOX_FAULT="none").status_code == 200
    clear_faults()
    assert post(client, CHAT_URL, chat_body()).status_code == 200


def test_stored_latency(client):
    set_faults(latency_ms=60)
    response = post(client, CHAT_URL, chat_body())
    assert response.status_code == 200 and float(response["X-Sandbox-Duration-Ms"]) >= 60


def test_fault_api_validates_and_round_trips():
    config = set_faults(latency_ms=5, rates={"429": 0.25, "error_in_200": 0, "500": "0.5"}, retry_after=2, seed="s")
    assert get_faults() == config
    assert config.rates == {"429": 0.25, "500": 0.5}
    clear_faults()
    assert get_faults() is None
    for bad in ({"418": 0.1}, {"429": 1.5}, {"429": 0.6, "500": 0.6}, {"429": "x"}):
        with pytest.raises(FaultConfigError):
            set_faults(rates=bad)
    with pytest.raises(FaultConfigError):
        set_faults(latency_ms=-1)
    with pytest.raises(FaultConfigError):
        parse_header("latency=abc")
    assert pick_kind({"429": 0.5, "500": 0.5}, 0.49) == "429"
    assert pick_kind({"429": 0.5, "500": 0.5}, 0.5) == "500"
    assert pick_kind({"429": 0.1}, 0.5) is None
    assert set(FAULT_KINDS) >= {"429", "402", "500", "502", "503", "invalid_json", "schema_violation", "error_in_200"}
    header = parse_header("error_in_200, latency=15")
    assert (header.kind, header.latency_ms) == ("error_in_200", 15)


def test_faults_live_in_redis_under_the_namespace(settings):
    from viralforge.redis import get_redis, key

    set_faults("tiktok", rates={"500": 1})
    assert get_redis().exists(key("sandbox", "faults", "tiktok"))
    assert key("sandbox", "faults", "tiktok").startswith(settings.VF_REDIS_NAMESPACE + ":")
    assert get_faults("openrouter") is None
    clear_faults("tiktok")


# --- embeddings -------------------------------------------------------------------------------------


def test_embeddings_shape_dimension_and_similarity(client):
    texts = ["Morning coffee routine for busy people", "A morning coffee routine for busy people!", "Tax law 2026"]
    response = post(
        client, EMBEDDINGS_URL, {"model": "openai/text-embedding-3-small", "input": texts, "dimensions": 64}
    )
    assert response.status_code == 200
    data = response.json()
    assert data["object"] == "list" and data["model"] == "openai/text-embedding-3-small"
    assert [item["index"] for item in data["data"]] == [0, 1, 2]
    vectors = [item["embedding"] for item in data["data"]]
    assert all(len(v) == 64 for v in vectors)
    assert cosine(vectors[0], vectors[1]) > cosine(vectors[0], vectors[2]) + 0.3
    assert data["usage"]["prompt_tokens"] > 0

    single = post(client, EMBEDDINGS_URL, {"model": "m", "input": "one text"}).json()
    assert len(single["data"]) == 1 and len(single["data"][0]["embedding"]) == 1536
    again = post(client, EMBEDDINGS_URL, {"model": "m", "input": "one text"}).json()
    assert again["data"][0]["embedding"] == single["data"][0]["embedding"]


@pytest.mark.parametrize(
    "body",
    [
        {"input": "x"},
        {"model": "m"},
        {"model": "m", "input": []},
        {"model": "m", "input": [1]},
        {"model": "m", "input": [""]},
    ]
    + [{"model": "m", "input": "x", "dimensions": 0}, {"model": "m", "input": "x", "encoding_format": "int8"}],
)
def test_invalid_embedding_bodies(client, body):
    response = post(client, EMBEDDINGS_URL, body)
    assert response.status_code == 400 and response.json()["error"]["code"] == 400


def test_embedding_faults(client):
    body = {"model": "m", "input": ["a text"], "dimensions": 16}
    assert post(client, EMBEDDINGS_URL, body, HTTP_X_SANDBOX_FAULT="429").status_code == 429
    wrong = post(client, EMBEDDINGS_URL, body, HTTP_X_SANDBOX_FAULT="schema_violation").json()
    assert len(wrong["data"][0]["embedding"]) == 17
    broken = post(client, EMBEDDINGS_URL, body, HTTP_X_SANDBOX_FAULT="invalid_json")
    assert broken.status_code == 200 and broken["Content-Type"].startswith("text/html")
    in_200 = post(client, EMBEDDINGS_URL, body, HTTP_X_SANDBOX_FAULT="error_in_200")
    assert in_200.status_code == 200 and in_200.json()["error"]["code"] == 502
