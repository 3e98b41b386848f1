"""The agents' pydantic contracts: valid examples pass; bad confidence, missing rationale, unknown
fields and inconsistent answers fail; every JSON schema is strict-compatible (closed objects,
everything required); the registry is complete."""

import copy
import json

import pytest
from django.utils.functional import Promise
from pydantic import ValidationError

from apps.ai import contracts
from apps.ai.contracts import AGENTS, AgentOutput

BASE = {"confidence": 0.8, "rationale": "Weil das Briefing es verlangt."}

SCENES = [
    {
        "index": 1,
        "voiceover": "Drei Fehler beim Filterkaffee, die fast alle machen.",
        "on_screen_text": "3 Fehler beim Filterkaffee",
        "visual": "Nahaufnahme einer Kaffeekanne",
        "duration_seconds": 3,
    },
    {
        "index": 2,
        "voiceover": "Erstens: zu grob gemahlen.",
        "on_screen_text": "",
        "visual": "Mühle in Nahaufnahme",
        "duration_seconds": 12,
    },
    {
        "index": 3,
        "voiceover": "Hol dir die Probierbox im Shop.",
        "on_screen_text": "Probierbox im Shop",
        "visual": "Abschluss mit Produkt",
        "duration_seconds": 5,
    },
]

EXAMPLES = {
    "research": {
        "insights": [{"title": "Zeit ist knapp", "detail": "Berufstätige wollen Kaffee in unter fünf Minuten."}],
        "trends": [{"name": "POV", "description": "POV-Videos laufen weiter stark.", "relevance": "high"}],
        "audience_pains": ["Keine Zeit am Morgen"],
        "content_angles": ["Tutorial: Filterkaffee in 3 Schritten"],
        "sources": ["Wissensbasis: Röstung in Innsbruck"],
    },
    "trend_format": {
        "formats": [
            {"format": "Tutorial", "share": 0.6, "why": "Wird gespeichert.", "example_hook": "So geht's"},
            {"format": "POV", "share": 0.4, "why": "Identifikation.", "example_hook": "POV: Montag"},
        ],
        "avoid": ["Reine Produktwerbung"],
    },
    "creative_director": {
        "concepts": [
            {
                "slot": "2026-03-02 #1",
                "title": "Mahlgrad erklärt",
                "hook": "Dein Kaffee ist bitter? Schuld ist der Mahlgrad.",
                "angle": "Ein Fehler, eine Lösung.",
                "format": "Tutorial",
                "pillar": "Mahlgrad",
                "beats": ["Problem zeigen", "Lösung zeigen"],
            }
        ]
    },
    "script": {
        "language": "de",
        "title": "3 Fehler beim Filterkaffee",
        "hook": "Drei Fehler beim Filterkaffee, die fast alle machen.",
        "scenes": SCENES,
        "cta": "Hol dir die Probierbox im Shop",
        "caption": "Drei Fehler, die du ab heute vermeidest. #kaffee",
        "hashtags": ["#kaffee", "#frühstück"],
        "total_duration_seconds": 20,
    },
    "prompt_engineer": {
        "aspect_ratio": "9:16",
        "style": "warmes Tageslicht",
        "prompts": [
            {
                "scene_index": 1,
                "prompt": "Vertikales Video, Nahaufnahme einer Kaffeekanne",
                "negative_prompt": "Text, Logos",
                "camera": "Dolly-in",
                "style": "warm",
                "duration_seconds": 4,
            }
        ],
    },
    "compliance": {
        "verdict": "needs_review",
        "claims": [
            {
                "text": "macht dich gesund",
                "category": "medical",
                "severity": "medium",
                "explanation": "Gesundheitsbezogene Aussage.",
            }
        ],
        "needs_disclosure": True,
        "disclosure_text": "Mit KI erstellt.",
        "suggested_fixes": ["Aussage streichen."],
    },
    "qa_judge": {
        "scores": [
            {"criterion": "hook_strength", "score": 8, "comment": "Stark."},
            {"criterion": "clarity", "score": 7.5, "comment": "Klar."},
            {"criterion": "cta", "score": 6, "comment": "Schwach."},
        ],
        "overall": 7.2,
        "passed": True,
        "issues": [],
        "fixes": ["Aufruf schärfen."],
    },
    "scheduler_optimizer": {
        "recommendations": [
            {"weekday": "mon", "hour": 19, "timezone": "Europe/Berlin", "mode": "exploit", "why": "Bester Slot."},
            {"weekday": "sat", "hour": 9, "timezone": "Europe/Berlin", "mode": "explore", "why": "Test."},
        ]
    },
    "analytics_insight": {
        "findings": [{"title": "Tutorials vorn", "detail": "Doppelte Watchtime.", "evidence": "moderate"}],
        "winning_formats": ["Tutorial"],
        "winning_hooks": ["So geht's"],
        "next_experiments": [
            {
                "hypothesis": "Fragen halten länger.",
                "change": "Hook als Frage",
                "metric": "Watchtime",
                "duration_days": 14,
            }
        ],
    },
    "variants": {
        "language": "de",
        "text": "Mit frisch gemahlenen Bohnen gelingt der Espresso. Jetzt Platz sichern.",
        "title": "",
        "hashtags": ["#espresso"],
        "cta": "Jetzt Platz sichern.",
        "link_placement": "in_text",
        "first_comment": "",
        "media_prompt": "Vertikales Video, Nahaufnahme einer Espressomaschine",
    },
    "voice_trainer": {
        "voice": "Persönlich und direkt.",
        "tone": "locker, du",
        "vocabulary": ["Bohnen", "Röstung"],
        "sentence_length": "kurze Sätze (8 Wörter)",
        "emoji_habit": "ein Emoji je Beitrag",
        "hashtag_habit": "1,5 Hashtags je Beitrag",
        "do": ["Mit einer Frage enden"],
        "dont": ["Nicht siezen"],
    },
}

# A nested object of each contract where an unknown field must be refused too.
NESTED = {
    "research": ("insights", 0),
    "trend_format": ("formats", 0),
    "creative_director": ("concepts", 0),
    "script": ("scenes", 0),
    "prompt_engineer": ("prompts", 0),
    "compliance": ("claims", 0),
    "qa_judge": ("scores", 0),
    "scheduler_optimizer": ("recommendations", 0),
    "analytics_insight": ("findings", 0),
}


def example(key: str) -> dict:
    return copy.deepcopy(BASE | EXAMPLES[key])


def errors_of(model, data) -> list[dict]:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return info.value.errors()


# --- the registry -------------------------------------------------------------------------


def test_registry_has_the_eleven_agents():
    assert set(AGENTS) == {
        "research",
        "trend_format",
        "creative_director",
        "script",
        "prompt_engineer",
        "compliance",
        "qa_judge",
        "scheduler_optimizer",
        "analytics_insight",
        "variants",
        "voice_trainer",
    }
    assert set(EXAMPLES) == set(AGENTS)


@pytest.mark.parametrize("key", sorted(AGENTS))
def test_agent_spec(key):
    spec = AGENTS[key]
    assert spec.key == key
    assert spec.prompt_key == key
    assert issubclass(spec.output_model, AgentOutput)
    assert spec.default_max_tokens >= 500
    assert isinstance(spec.description, Promise) and str(spec.description)
    assert isinstance(spec.label, Promise) and str(spec.label)


# --- valid and invalid answers ------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(AGENTS))
def test_valid_example_is_accepted_and_round_trips(key):
    model = AGENTS[key].output_model
    output = model.model_validate(example(key))
    assert model.model_validate_json(output.model_dump_json()) == output


@pytest.mark.parametrize("key", sorted(AGENTS))
@pytest.mark.parametrize("confidence", [1.5, -0.1, "high", None])
def test_confidence_out_of_range_is_refused(key, confidence):
    data = example(key) | {"confidence": confidence}
    assert [e["loc"] for e in errors_of(AGENTS[key].output_model, data)] == [("confidence",)]


@pytest.mark.parametrize("key", sorted(AGENTS))
def test_confidence_bounds_are_inclusive(key):
    for confidence in (0, 1):
        assert (
            AGENTS[key].output_model.model_validate(example(key) | {"confidence": confidence}).confidence == confidence
        )


@pytest.mark.parametrize("key", sorted(AGENTS))
def test_missing_or_empty_rationale_is_refused(key):
    model = AGENTS[key].output_model
    data = example(key)
    del data["rationale"]
    assert errors_of(model, data)[0]["type"] == "missing"
    for blank in ("", "   "):
        assert errors_of(model, example(key) | {"rationale": blank})[0]["type"] == "string_too_short"
    assert errors_of(model, example(key) | {"rationale": "x" * 601})[0]["type"] == "string_too_long"


@pytest.mark.parametrize("key", sorted(AGENTS))
def test_extra_fields_are_refused(key):
    model = AGENTS[key].output_model
    assert errors_of(model, example(key) | {"notes": "hi"})[0]["type"] == "extra_forbidden"
    data = example(key)
    if key not in NESTED:  # a flat contract: nothing nested to check
        return
    field, index = NESTED[key]
    data[field][index]["notes"] = "hi"
    assert errors_of(model, data)[0]["type"] == "extra_forbidden"


@pytest.mark.parametrize("key", sorted(AGENTS))
def test_every_field_is_required(key):
    model = AGENTS[key].output_model
    for name in model.model_fields:
        data = example(key)
        del data[name]
        assert any(e["type"] == "missing" and e["loc"] == (name,) for e in errors_of(model, data)), name


@pytest.mark.parametrize(
    ("key", "change", "message"),
    [
        ("trend_format", lambda d: d["formats"][0].update(share=0.9), "sum to 1"),
        ("trend_format", lambda d: d["formats"][1].update(format="tutorial"), "unique"),
        ("creative_director", lambda d: d["concepts"].append(dict(d["concepts"][0], slot="other")), "Hooks"),
        ("script", lambda d: d.update(total_duration_seconds=25), "sum of the scene durations"),
        ("script", lambda d: d["scenes"][1].update(index=5), "in order"),
        ("script", lambda d: d.update(hashtags=["#kaffee", "#Kaffee"]), "unique"),
        ("script", lambda d: d.update(hashtags=["kaffee"]), "pattern"),
        ("script", lambda d: d.update(hashtags=["#zwei wörter"]), "pattern"),
        ("script", lambda d: d.update(language="fr"), "'de' or 'en'"),
        ("script", lambda d: d.update(scenes=d["scenes"][:1], total_duration_seconds=3), "at least 2"),
        ("prompt_engineer", lambda d: d["prompts"].append(dict(d["prompts"][0])), "unique and ascending"),
        ("compliance", lambda d: d.update(verdict="pass", claims=[dict(d["claims"][0], severity="high")]), "pass"),
        ("compliance", lambda d: d.update(disclosure_text=""), "disclosure_text"),
        ("compliance", lambda d: d["claims"][0].update(category="gossip"), "medical"),
        ("qa_judge", lambda d: d.update(passed=False), "at least one issue"),
        ("qa_judge", lambda d: d["scores"][0].update(score=11), "less than or equal to 10"),
        ("qa_judge", lambda d: d["scores"][1].update(criterion="hook_strength"), "unique"),
        ("scheduler_optimizer", lambda d: d["recommendations"][0].update(timezone="Mars/Olympus"), "time zone"),
        ("scheduler_optimizer", lambda d: d["recommendations"][0].update(hour=24), "less than or equal to 23"),
        ("scheduler_optimizer", lambda d: d["recommendations"][1].update(weekday="mon", hour=19), "unique"),
        ("analytics_insight", lambda d: d.update(next_experiments=[]), "at least 1"),
    ],
)
def test_inconsistent_answers_are_refused(key, change, message):
    data = example(key)
    change(data)
    errors = errors_of(AGENTS[key].output_model, data)
    assert any(message in e["msg"] for e in errors), errors


def test_lists_are_bounded():
    data = example("creative_director")
    concept = data["concepts"][0]
    data["concepts"] = [dict(concept, slot=f"s{i}", hook=f"Hook {i}") for i in range(31)]
    assert errors_of(contracts.CreativeDirectorOutput, data)[0]["type"] == "too_long"


def test_strings_are_stripped():
    output = contracts.ResearchOutput.model_validate(example("research") | {"rationale": "  Weil.  "})
    assert output.rationale == "Weil."


# --- JSON schema: strict structured outputs ----------------------------------------------------


def _objects(node, path="$"):
    """Every object schema inside `node` (with its path)."""
    if isinstance(node, dict):
        if node.get("type") == "object" or "properties" in node:
            yield path, node
        for key, value in node.items():
            yield from _objects(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _objects(value, f"{path}[{i}]")


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


@pytest.mark.parametrize("key", sorted(AGENTS))
def test_json_schema_is_strict_compatible(key):
    schema = AGENTS[key].output_model.model_json_schema()
    objects = list(_objects(schema))
    assert objects
    for path, node in objects:
        assert node.get("additionalProperties") is False, f"{path} is an open object"
        assert node.get("properties"), f"{path} is an object without properties"
        assert sorted(node.get("required", [])) == sorted(node["properties"]), f"{path}: not every field is required"
    for node in _walk(schema):
        assert "default" not in node
        assert node.get("additionalProperties") is not True
        if node.get("type") == "array":
            assert "items" in node and "maxItems" in node, node
        if node.get("type") == "string" and "enum" not in node:
            assert "maxLength" in node, node
    json.dumps(schema)  # plain JSON


@pytest.mark.parametrize("key", sorted(AGENTS))
def test_schema_is_small(key):
    assert len(json.dumps(AGENTS[key].output_model.model_json_schema())) < 4000
