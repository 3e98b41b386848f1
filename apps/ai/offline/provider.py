"""The offline provider: drafts without network, deterministic for a seed (see the package docstring)."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import random
import time

from pydantic import BaseModel, ValidationError

from apps.ai import contracts as c
from apps.ai.offline import (
    analytics,
    compliance,
    creative_director,
    improve,
    prompt_engineer,
    qa_judge,
    research,
    scheduler,
    script,
    trend_format,
    variants,
)
from apps.ai.offline.inputs import Inputs
from apps.ai.offline.schema_fill import generate
from apps.ai.offline.text import clip
from apps.ai.types import LLMRequest, LLMResponse, ProviderFatalError, Usage

logger = logging.getLogger("viralforge.ai")

MODEL = "offline/templates-v2"

COMPOSERS = {
    c.ResearchOutput: research.compose,
    c.TrendFormatOutput: trend_format.compose,
    c.CreativeDirectorOutput: creative_director.compose,
    c.ScriptOutput: script.compose,
    c.PromptEngineerOutput: prompt_engineer.compose,
    c.ComplianceOutput: compliance.compose,
    c.QAJudgeOutput: qa_judge.compose,
    c.SchedulerOptimizerOutput: scheduler.compose,
    c.AnalyticsInsightOutput: analytics.compose,
    **variants.COMPOSERS,
}


def composer_for(model: type[BaseModel], context: dict):
    for known in model.__mro__:
        if known in COMPOSERS:
            if improve.requested(context) and known in improve.COMPOSERS:
                return improve.COMPOSERS[known]
            return COMPOSERS[known]
    return None


def compose_generic(model: type[BaseModel], inputs: Inputs, rng: random.Random) -> dict:
    schema = model.model_json_schema()
    return generate(schema, rng, inputs.lang, words=inputs.topic_list)


def _repair(data, errors) -> bool:
    """Fix what is mechanical (too long strings and lists, empty strings); False if nothing could be."""
    repaired = False
    for error in errors:
        loc, kind, ctx = error.get("loc") or (), error.get("type"), error.get("ctx") or {}
        if not loc:
            continue
        try:
            container = data
            for key in loc[:-1]:
                container = container[key]
            value = container[loc[-1]]
        except (KeyError, IndexError, TypeError):
            continue
        if kind == "string_too_long" and isinstance(value, str):
            container[loc[-1]] = clip(value, int(ctx.get("max_length", len(value))))
            repaired = True
        elif kind == "too_long" and isinstance(value, list):
            del value[int(ctx.get("max_length", len(value))) :]
            repaired = True
        elif kind == "string_too_short" and isinstance(value, str):
            container[loc[-1]] = (value + " " + "–" * int(ctx.get("min_length", 1))).strip()
            repaired = True
    return repaired


def validated(model: type[BaseModel], data) -> BaseModel:
    for _ in range(5):
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            if not _repair(data, exc.errors(include_url=False)):
                raise
    return model.model_validate(data)


def _digest(request: LLMRequest, lang: str) -> bytes:
    payload = json.dumps(
        [
            request.agent,
            request.seed,
            lang,
            f"{request.output_model.__module__}.{request.output_model.__qualname__}",
            request.context,
            [[m.role, m.content] for m in request.messages],
        ],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode()).digest()


class OfflineProvider:
    """An `LLMProvider` that composes drafts locally: no network, no cost, deterministic per seed."""

    name = "offline"

    def complete(self, request: LLMRequest) -> LLMResponse:
        started = time.perf_counter()
        inputs = Inputs.from_request(request)
        seed = int.from_bytes(_digest(request, inputs.lang)[:8], "big")
        output = self._compose(request.output_model, inputs, seed)
        content = output.model_dump_json()
        prompt_chars = sum(len(m.content) for m in request.messages) or len(
            json.dumps(request.context, ensure_ascii=False, default=str)
        )
        prompt_tokens = math.ceil(prompt_chars / 4)
        completion_tokens = math.ceil(len(content) / 4)
        return LLMResponse(
            content=content,
            model=MODEL,
            provider=self.name,
            usage=Usage(
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
                total_tokens=prompt_tokens + completion_tokens,
            ),
            latency_ms=(time.perf_counter() - started) * 1000,
            offline=True,
        )

    def _compose(self, model: type[BaseModel], inputs: Inputs, seed: int) -> BaseModel:
        composer = composer_for(model, inputs.context)
        attempts = []
        if composer is not None:
            attempts.append(lambda rng: self._specific(model, composer, inputs, rng))
            # Inputs the composer could not use (odd types, contradictions): the plain library.
            plain = Inputs(lang=inputs.lang, brief=inputs.brief, topics=inputs.topics, brand=inputs.brand)
            attempts.append(lambda rng: self._specific(model, composer, plain, rng))
        attempts.append(lambda rng: validated(model, compose_generic(model, inputs, rng)))
        attempts.append(lambda rng: validated(model, compose_generic(model, inputs, rng)))
        problem = None
        for i, attempt in enumerate(attempts):
            try:
                return attempt(random.Random(seed + i))
            except Exception as exc:  # fall back to the next, simpler composition
                problem = exc
                logger.warning("Offline provider: composition %s for %s failed: %s", i, model.__name__, exc)
        raise ProviderFatalError(f"The offline provider cannot produce a valid {model.__name__}: {problem}")

    @staticmethod
    def _specific(model, composer, inputs: Inputs, rng: random.Random) -> BaseModel:
        data = composer(inputs, rng)
        missing = {name for name in model.model_fields if name not in data}
        if missing:  # a subclass of a known contract with extra fields
            generic = compose_generic(model, inputs, rng)
            data.update({name: generic[name] for name in missing})
        return validated(model, data)
