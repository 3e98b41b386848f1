"""Pure helpers of the OpenRouter provider: strict schemas, backoff, Retry-After, error mapping, the
sandbox's schema-driven generator. No database, no network."""

import json
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Literal

import pytest
from pydantic import BaseModel, Field, ValidationError

from apps.ai.offline.schema_fill import break_schema, generate
from apps.ai.openrouter import OpenRouterConnectionError, OpenRouterError
from apps.ai.providers import backoff_delay, strict_json_schema
from apps.ai.providers.openrouter import (
    build_chat_body,
    map_error,
    parse_retry_after,
    parse_usage,
    schema_name,
)
from apps.ai.types import (
    LLMRequest,
    Message,
    ProviderFatalError,
    ProviderOutOfCreditsError,
    ProviderRetryableError,
)
from apps.sandbox.openrouter import strict_schema_problem


class Shot(BaseModel):
    seconds: int = Field(ge=1, le=10)
    visual: str = Field(description="What the camera shows")
    time: str = Field(default="09:00", pattern=r"^\d\d:\d\d$")


class Storyboard(BaseModel):
    """A storyboard with nested models, optional refs, literals and defaults."""

    title: str = Field(min_length=5, max_length=60)
    format: Literal["talking_head", "b_roll", "tutorial"]
    shots: list[Shot] = Field(min_length=2, max_length=4)
    cover: Shot | None = None
    tags: list[str] = Field(default_factory=list, max_length=3)
    meta: dict[str, int] = Field(default_factory=dict)
    main: Shot = Field(description="The key shot")  # $ref with a sibling description
    confidence: float = Field(ge=0, le=1)
    rationale: str
    budget: float = Field(gt=0, lt=5, multiple_of=0.5)


class Node(BaseModel):
    label: str
    children: list["Node"] = []


def _walk_objects(schema):
    if isinstance(schema, dict):
        if schema.get("type") == "object" or "properties" in schema:
            yield schema
        for value in schema.values():
            yield from _walk_objects(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _walk_objects(value)


def test_strict_schema_closes_every_object_and_requires_every_property():
    raw = Storyboard.model_json_schema()
    assert strict_schema_problem(raw) is not None  # pydantic's schema is not strict as is
    strict = strict_json_schema(raw)
    assert strict_schema_problem(strict) is None
    objects = list(_walk_objects(strict))
    assert len(objects) >= 4  # root, $defs.Shot, the inlined `main`, meta
    for obj in objects:
        assert obj["additionalProperties"] is False
        assert obj["required"] == list(obj["properties"])
    assert '"default":' not in json.dumps(strict)
    assert strict["$defs"]["Shot"]["required"] == ["seconds", "visual", "time"]
    assert strict["properties"]["main"]["description"] == "The key shot"  # sibling kept, $ref inlined
    assert "$ref" not in strict["properties"]["main"]
    assert raw == Storyboard.model_json_schema()  # the input is not mutated


def test_strict_schema_handles_recursive_models_and_single_allof():
    strict = strict_json_schema(Node.model_json_schema())
    assert strict_schema_problem(strict) is None
    merged = strict_json_schema({"allOf": [{"type": "object", "properties": {"a": {"type": "string"}}}]})
    assert merged == {
        "type": "object",
        "properties": {"a": {"type": "string"}},
        "required": ["a"],
        "additionalProperties": False,
    }


@pytest.mark.parametrize("model", [Storyboard, Node, Shot])
def test_generated_data_validates_against_the_contract(model):
    schema = strict_json_schema(model.model_json_schema())
    for seed in range(60):
        value = generate(schema, random.Random(seed))
        model.model_validate(value)
    assert generate(schema, random.Random(5)) == generate(schema, random.Random(5))


def test_generator_respects_bounds_formats_and_language():
    schema = {
        "type": "object",
        "properties": {
            "confidence": {"type": "number"},
            "when": {"type": "string", "format": "date-time"},
            "day": {"type": "string", "format": "date"},
            "mail": {"type": "string", "format": "email"},
            "count": {"type": "integer", "minimum": 3, "maximum": 3},
            "picks": {"type": "array", "items": {"enum": ["a", "b", "c"]}, "minItems": 3, "uniqueItems": True},
            "anything": {},
            "colour": {"type": "string", "pattern": "^#[0-9a-f]{6}$"},
        },
    }
    for seed in range(30):
        value = generate(schema, random.Random(seed), "de")
        assert 0 <= value["confidence"] <= 1
        datetime.fromisoformat(value["when"])
        datetime.fromisoformat(value["day"])
        assert "@" in value["mail"]
        assert value["count"] == 3
        assert sorted(value["picks"]) == ["a", "b", "c"]
        assert isinstance(value["anything"], str)
        assert len(value["colour"]) == 7 and value["colour"].startswith("#")


class Step(BaseModel):
    index: int = Field(ge=1, le=10)
    kind: Literal["intro", "demo", "outro"]
    share: float = Field(gt=0, le=1)
    seconds: int = Field(ge=1, le=20)


class Plan(BaseModel):
    steps: list[Step] = Field(min_length=3, max_length=3)
    total_seconds: int = Field(ge=3, le=60)
    timezone: str


def test_generator_keeps_common_cross_field_rules():
    """Index-like fields follow the position, enums differ between items, shares sum to 1,
    totals add up, time zones are real: the contracts' validators usually pass."""
    schema = strict_json_schema(Plan.model_json_schema())
    for seed in range(30):
        plan = Plan.model_validate(generate(schema, random.Random(seed)))
        assert [step.index for step in plan.steps] == [1, 2, 3]
        assert sorted(step.kind for step in plan.steps) == ["demo", "intro", "outro"]
        assert abs(sum(step.share for step in plan.steps) - 1) < 0.011
        assert plan.total_seconds == sum(step.seconds for step in plan.steps)
        assert plan.timezone.startswith("Europe/")


def test_every_agent_contract_is_strict_compatible():
    from apps.ai.contracts import AGENTS
    from apps.ai.providers.openrouter import contract_schema

    valid = total = 0
    for name, spec in AGENTS.items():
        schema = contract_schema(spec.output_model)
        assert strict_schema_problem(schema) is None, name
        for seed in range(10):
            total += 1
            try:
                spec.output_model.model_validate(generate(schema, random.Random(seed)))
                valid += 1
            except ValidationError:
                pass  # cross-field rules the generator does not know: the orchestrator repairs
    assert valid >= total * 0.8


def test_broken_data_breaks_the_contract():
    schema = strict_json_schema(Storyboard.model_json_schema())
    value = generate(schema, random.Random(1))
    for variant in (0, 1):
        broken = break_schema(value, schema, variant)
        json.dumps(broken)
        with pytest.raises(ValidationError):
            Storyboard.model_validate(broken)
    assert break_schema(value, schema, 1)["confidence"] == 7
    assert "title" not in break_schema(value, schema, 0)


def test_chat_body_follows_the_contract(settings):
    request = LLMRequest(
        agent="script.v2 (de)",
        messages=(Message("system", "Be brief."), Message("user", "Hi")),
        output_model=Shot,
        model="openai/gpt-5-mini",
        fallback_models=("anthropic/claude-haiku", "openai/gpt-5-mini", "anthropic/claude-haiku"),
        temperature=0.3,
        max_tokens=500,
    )
    body = build_chat_body(request)
    assert body["model"] == "openai/gpt-5-mini"
    assert body["models"] == ["openai/gpt-5-mini", "anthropic/claude-haiku"]
    assert body["messages"] == [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]
    assert (body["temperature"], body["max_tokens"]) == (0.3, 500)
    assert body["provider"] == {"require_parameters": True}
    spec = body["response_format"]["json_schema"]
    assert body["response_format"]["type"] == "json_schema"
    assert spec["name"] == "script_v2__de_" and spec["strict"] is True
    assert spec["schema"] == strict_json_schema(Shot.model_json_schema())
    assert "models" not in build_chat_body(LLMRequest(agent="a", messages=(), output_model=Shot, model="x/y"))
    assert build_chat_body(LLMRequest(agent="a", messages=(), output_model=Shot))["model"]  # a default model
    assert schema_name("") == "output" and len(schema_name("x" * 100)) == 64


def test_backoff_delay_full_jitter_and_retry_after():
    rng = random.Random(3)
    for attempt in range(1, 12):
        delay = backoff_delay(attempt, rng=rng)
        assert 0 <= delay <= min(8.0, 0.25 * 2 ** (attempt - 1))
    assert all(backoff_delay(50, rng=rng) <= 8.0 for _ in range(50))
    delays = [backoff_delay(1, retry_after=3, rng=rng) for _ in range(50)]
    assert all(3 <= d <= 3.25 for d in delays) and len(set(delays)) > 1
    assert backoff_delay(1, retry_after=30, cap=8) >= 30  # the server's word beats the cap
    assert backoff_delay(0) <= 0.25  # attempt counts from 1


def test_retry_after_parsing():
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None and parse_retry_after("nan") is None
    in_ten = format_datetime(datetime.now(UTC) + timedelta(seconds=10), usegmt=True)
    assert 8 <= parse_retry_after(in_ten) <= 10


def test_usage_parsing_keeps_cost_exact():
    usage = parse_usage({"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15, "cost": 0.0000123})
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (10, 5, 15)
    assert str(usage.cost) == "0.0000123"
    assert parse_usage({"prompt_tokens": 3, "completion_tokens": 4}).total_tokens == 7
    assert parse_usage({"prompt_tokens": True, "cost": "abc"}).cost == 0
    assert parse_usage(None).total_tokens == 0


@pytest.mark.parametrize(
    ("code", "status", "kind", "retryable"),
    [
        (402, 402, ProviderOutOfCreditsError, False),
        (429, 429, ProviderRetryableError, True),
        (408, 408, ProviderRetryableError, True),
        (500, 500, ProviderRetryableError, True),
        (502, 502, ProviderRetryableError, True),
        (503, 503, ProviderRetryableError, True),
        (400, 400, ProviderFatalError, False),
        (401, 401, ProviderFatalError, False),
        (403, 403, ProviderFatalError, False),
        (404, 404, ProviderFatalError, False),
        (402, 200, ProviderRetryableError, True),  # any error inside a 200 body
    ],
)
def test_error_mapping(code, status, kind, retryable):
    error = map_error(
        OpenRouterError(code, "upstream says no", status=status, retry_after="4", usage={"prompt_tokens": 9})
    )
    assert type(error) is kind
    assert error.retryable is retryable and error.code == code
    assert "upstream says no" in str(error)
    assert error.usage.prompt_tokens == 9
    if code == 429 and status == 429:
        assert error.retry_after == 4.0


def test_connection_errors_are_retryable():
    error = map_error(OpenRouterConnectionError(0, "ConnectError: refused"))
    assert isinstance(error, ProviderRetryableError) and error.code == 0 and "refused" in str(error)
    timeout = map_error(OpenRouterConnectionError(0, "ReadTimeout", timeout=True))
    assert isinstance(timeout, ProviderRetryableError) and "in time" in str(timeout)
