"""Offline provider speed: `python -m bench.agents_offline [--calls N]`.

Runs `OfflineProvider.complete` for every agent contract in German and English with a
realistic context (brief, brand kit, topics, five knowledge snippets, a concept, a script and
60 metric rows) and a system message of realistic size (prompt plus JSON schema), rotating the
seed, and prints the p95 per call. The baseline measured in the same run is the validation of
the same answers against their contracts (which the orchestrator does for every answer anyway);
the ratio says how many validations one offline call costs.

`measure_offline(n)` returns the figures as a dict, for bench/agents.py.
"""

import argparse
import json
import random
import time

from bench.common import emit, median_ms, p95_ms, setup_django

BRIEF = (
    "Wir wollen Berufstätige zwischen 25 und 40 für Filterkaffee zu Hause begeistern – ohne teure "
    "Maschinen, mit ehrlichen Tipps und einem Augenzwinkern."
)
BRAND = {
    "name": "Alpenglow Coffee",
    "voice": "Wie eine gute Freundin, die sich mit Kaffee auskennt.",
    "tone": "warm, witzig, ehrlich",
    "audience": "Berufstätige zwischen 25 und 40",
    "cta": "Hol dir die Probierbox im Shop",
    "hashtags": ["kaffee", "filterkaffee", "alpenglow"],
    "do": ["Konkrete Tipps", "Echte Menschen zeigen"],
    "dont": ["Starbucks", "Billig-Image", "Gesundheitsversprechen"],
}
TOPICS = ["Filterkaffee", "Mahlgrad", "Bohnen lagern", "Kaffee am Arbeitsplatz"]
KNOWLEDGE = [
    "Unsere Bohnen werden jede Woche frisch in Innsbruck geröstet.",
    "Der Bestseller ist die Sorte Gipfelglück mit Noten von Haselnuss.",
    "Die Probierbox enthält drei Sorten à 100 g.",
    "Videos mit Handkamera liefen im letzten Quartal besser als Studio-Aufnahmen.",
    "Keine Aussagen zu Gesundheit oder Wirkung von Koffein.",
]


def _context(agent: str, language: str) -> dict:
    from apps.ai.offline import creative_director
    from apps.ai.offline import script as script_composer
    from apps.ai.offline.inputs import Inputs

    base = {"brief": BRIEF, "brand": BRAND, "topics": TOPICS, "knowledge": KNOWLEDGE, "agent": agent}
    inputs = Inputs.from_context(language, base)
    concept = creative_director.compose(inputs, random.Random(1))["concepts"][0]
    script = script_composer.compose(Inputs.from_context(language, base | {"concept": concept}), random.Random(2))
    metrics = [
        {
            "weekday": ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[i % 7],
            "hour": (7, 12, 18, 20)[i % 4],
            "views": 1000 + (i * 7919) % 20000,
            "format": ("tutorial", "pov", "myth_busting", "listicle")[i % 4],
            "hook": f"Hook {i}",
        }
        for i in range(60)
    ]
    extra = {
        "creative_director": {"slots": [f"2026-03-{day:02d} #{n}" for day in range(1, 4) for n in (1, 2, 3)]},
        "script": {"concept": concept, "duration_seconds": 30},
        "prompt_engineer": {"script": script, "concept": concept},
        "compliance": {"script": script, "ai_generated": True},
        "qa_judge": {"script": script},
        "scheduler_optimizer": {"metrics": metrics, "timezone": "Europe/Berlin"},
        "analytics_insight": {"metrics": metrics},
    }
    return base | extra.get(agent, {}) | {"language": language}


def _requests() -> list:
    from apps.ai.contracts import AGENTS
    from apps.ai.types import Message

    requests = []
    for key, spec in AGENTS.items():
        schema = json.dumps(spec.output_model.model_json_schema(), separators=(",", ":"))
        for language in ("de", "en"):
            context = _context(key, language)
            system = f"You are the {key} agent.\n\nWrite in {language}.\n\nJSON schema: {schema}"
            user = "Inputs (JSON):\n" + json.dumps(context, ensure_ascii=False, indent=2)
            messages = (Message("system", system), Message("user", user))
            requests.append((spec, language, messages, context))
    return requests


def measure_offline(n: int = 500) -> dict:
    """p95 and median of `n` offline calls across all agents and both languages (ms)."""
    from django.apps import apps

    if not apps.ready:
        setup_django()
    from apps.ai.offline import OfflineProvider
    from apps.ai.types import LLMRequest

    provider = OfflineProvider()
    base = _requests()

    def request(i: int) -> LLMRequest:
        spec, language, messages, context = base[i % len(base)]
        return LLMRequest(
            agent=spec.key,
            messages=messages,
            output_model=spec.output_model,
            seed=i // len(base),
            language=language,
            context=context,
        )

    for i in range(len(base) * 2):  # warm-up: imports, regex and schema caches
        provider.complete(request(10_000 + i))
    calls, validations = [], []
    for i in range(n):
        req = request(i)
        start = time.perf_counter()
        response = provider.complete(req)
        calls.append(time.perf_counter() - start)
        start = time.perf_counter()
        req.output_model.model_validate_json(response.content)
        validations.append(time.perf_counter() - start)
    return {
        "calls": n,
        "p95_ms": p95_ms(calls),
        "median_ms": median_ms(calls),
        "validate_p95_ms": p95_ms(validations),
        "ratio_to_validation": p95_ms(calls) / max(p95_ms(validations), 1e-6),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=500)
    args = parser.parse_args()
    setup_django()
    result = measure_offline(args.calls)
    emit("agents", "offline_call_median_ms", result["median_ms"], "ms")
    emit("agents", "offline_call_vs_validation_ratio", result["ratio_to_validation"], "ratio")
    emit("agents", "offline_call_p95_ms", result["p95_ms"], "ms", target=50, better="lower")


if __name__ == "__main__":
    main()
