"""The offline provider: valid answers for every contract in German and English, deterministic
per seed, written in the request's language, visibly built from the inputs; no network; fast."""

import json
import re
import socket
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field

from apps.ai import contracts
from apps.ai.contracts import AGENTS, AgentOutput
from apps.ai.offline import OfflineProvider
from apps.ai.offline.library import find_format, languages
from apps.ai.offline.text import clip
from apps.ai.types import LLMProvider, LLMRequest, Message

CONTEXT = {
    "de": {
        "brief": "Wir wollen Berufstätige für Filterkaffee zu Hause begeistern, ganz ohne teure Maschinen.",
        "brand": {
            "name": "Alpenglow Coffee",
            "tone": "warm, witzig, ehrlich",
            "audience": "Berufstätige zwischen 25 und 40",
            "cta": "Hol dir die Probierbox im Shop",
            "hashtags": ["kaffee", "#filterkaffee"],
            "dont": ["Starbucks", "Billig-Image"],
        },
        "topics": ["Filterkaffee", "Mahlgrad", "Bohnen lagern"],
        "knowledge": ["Unsere Bohnen werden jede Woche frisch in Innsbruck geröstet."],
    },
    "en": {
        "brief": "We want busy professionals to brew great pour-over coffee at home without pricey machines.",
        "brand": {
            "name": "Alpenglow Coffee",
            "tone": "warm, witty, honest",
            "audience": "busy professionals",
            "cta": "Grab the tasting box in our shop",
            "hashtags": ["coffee", "#pourover"],
            "dont": ["Starbucks", "cheap image"],
        },
        "topics": ["pour-over coffee", "grind size", "storing beans"],
        "knowledge": ["Our beans are roasted fresh every week in Innsbruck."],
    },
}
METRICS = [
    {"weekday": "mon", "hour": 19, "views": 12000, "format": "tutorial", "hook": "So klappt Filterkaffee"},
    {"weekday": "mon", "hour": 19, "views": 9000, "format": "tutorial", "hook": "3 Fehler beim Mahlen"},
    {"weekday": "wed", "hour": 12, "views": 2000, "format": "pov", "hook": "POV: Montagmorgen"},
    {"weekday": "fri", "hour": 18, "views": 4000, "format": "myth busting", "hook": "Mythos Crema"},
]
EXTRA = {
    "creative_director": {"slots": ["2026-03-02 #1", "2026-03-02 #2", "2026-03-03 #1", "2026-03-03 #2"]},
    "scheduler_optimizer": {"metrics": METRICS, "timezone": "Europe/Vienna"},
    "analytics_insight": {"metrics": METRICS},
}
SEEDS = (0, 1, 7, 12345)

GERMAN = {"und", "der", "die", "das", "du", "dein", "nicht", "mit", "für", "ist", "ein", "eine", "zu", "auf", "wie"}
ENGLISH = {"the", "and", "you", "your", "for", "with", "is", "a", "to", "of", "it", "this", "in"}
GERMAN_ONLY = {"und", "der", "das", "nicht", "für", "ist", "eine", "auf", "wie", "dein", "mit", "sind"}


def request(agent, language="de", seed=0, context=None, messages=None, model=None) -> LLMRequest:
    ctx = CONTEXT[language] | EXTRA.get(agent, {}) if context is None else context
    return LLMRequest(
        agent=agent,
        messages=messages or (Message("system", f"You are the {agent} agent."), Message("user", "Go.")),
        output_model=model or AGENTS[agent].output_model,
        seed=seed,
        language=language,
        context=ctx,
    )


def strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return []


# Enum values and identifiers are not prose.
NOT_PROSE = {"language", "relevance", "severity", "evidence", "verdict", "category", "criterion", "weekday", "mode"}


def prose(data) -> str:
    if isinstance(data, dict):
        return " ".join(prose(v) for k, v in data.items() if k not in NOT_PROSE and k != "timezone")
    if isinstance(data, list):
        return " ".join(prose(v) for v in data)
    return data if isinstance(data, str) else ""


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


@pytest.fixture
def provider():
    return OfflineProvider()


def test_is_an_llm_provider():
    provider: LLMProvider = OfflineProvider()  # the protocol: a name and complete(request)
    assert provider.name == "offline"
    assert callable(provider.complete)


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("agent", sorted(AGENTS))
def test_every_agent_answers_validly_in_both_languages(provider, agent, language):
    model = AGENTS[agent].output_model
    for seed in SEEDS:
        response = provider.complete(request(agent, language, seed))
        output = model.model_validate_json(response.content)  # the contract, strictly
        assert response.provider == "offline" and response.offline is True
        assert response.model.startswith("offline/")
        usage = response.usage
        assert usage.prompt_tokens > 0 and usage.completion_tokens > 0
        assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
        assert usage.completion_tokens == pytest.approx(len(response.content) / 4, abs=1)
        assert usage.cost == 0
        assert response.latency_ms >= 0
        assert 0 <= output.confidence <= 1 and output.rationale
        if agent == "script":
            assert output.language == language


@pytest.mark.parametrize("agent", sorted(AGENTS))
def test_deterministic_for_a_seed_and_varied_across_seeds(provider, agent):
    first = provider.complete(request(agent, seed=3)).content
    assert provider.complete(request(agent, seed=3)).content == first
    assert OfflineProvider().complete(request(agent, seed=3)).content == first
    outputs = {provider.complete(request(agent, seed=seed)).content for seed in range(6)}
    varied = {"research": 5, "creative_director": 5, "script": 5, "prompt_engineer": 5, "compliance": 1}
    varied["voice_trainer"] = 1  # a measurement of the same examples, whatever the seed
    assert len(outputs) >= varied.get(agent, 2)  # compliance: the same "no opinion" every time


def test_other_inputs_give_another_answer(provider):
    one = provider.complete(request("script", seed=1)).content
    other = CONTEXT["de"] | {"brief": "Ganz anderes Briefing über Tee."}
    assert provider.complete(request("script", seed=1, context=other)).content != one


@pytest.mark.parametrize("agent", sorted(AGENTS))
def test_german_output_is_german_and_english_output_is_english(provider, agent):
    german = prose(json.loads(provider.complete(request(agent, "de", seed=2)).content))
    english = prose(json.loads(provider.complete(request(agent, "en", seed=2)).content))
    assert len(words(german) & GERMAN) >= 2 or re.search("[äöüß]", german), german
    assert len(words(english) & ENGLISH) >= 3, english
    assert not words(english) & GERMAN_ONLY, words(english) & GERMAN_ONLY
    assert not re.search("[äöüß]", english), english


def test_unknown_language_falls_back_to_german_and_en_variants_are_english(provider):
    response = provider.complete(request("script", language="de-AT", context=CONTEXT["de"]))
    assert json.loads(response.content)["language"] == "de"
    response = provider.complete(request("script", language="en-GB", context=CONTEXT["en"]))
    assert json.loads(response.content)["language"] == "en"


# --- the answer uses the inputs -----------------------------------------------------------------


def answer(provider, agent, language="de", **extra):
    context = CONTEXT[language] | EXTRA.get(agent, {}) | extra
    return json.loads(provider.complete(request(agent, language, seed=5, context=context)).content)


@pytest.mark.parametrize("language", ["de", "en"])
def test_research_uses_brief_knowledge_topics_and_audience(provider, language):
    data = answer(provider, "research", language)
    text = json.dumps(data, ensure_ascii=False)
    assert CONTEXT[language]["brief"] in text
    assert CONTEXT[language]["knowledge"][0].rstrip(".") in text
    assert any(topic in text for topic in CONTEXT[language]["topics"])
    assert CONTEXT[language]["brand"]["audience"] in text
    assert any(CONTEXT[language]["knowledge"][0] in source for source in data["sources"])


@pytest.mark.parametrize("language", ["de", "en"])
def test_script_uses_brand_cta_hashtags_topic_and_knowledge(provider, language):
    brand = CONTEXT[language]["brand"]
    data = answer(provider, "script", language)
    text = json.dumps(data, ensure_ascii=False)
    assert data["cta"] == brand["cta"]
    assert brand["name"] in data["scenes"][-1]["voiceover"]
    assert {"#" + brand["hashtags"][0], brand["hashtags"][1]} <= set(data["hashtags"])
    assert any(topic in text for topic in CONTEXT[language]["topics"])
    assert CONTEXT[language]["knowledge"][0].rstrip(".") in text
    assert data["hook"].rstrip(".!?") in data["caption"] and brand["cta"] in data["caption"]
    assert brand["tone"] in data["rationale"] and "Starbucks" in data["rationale"]
    assert data["total_duration_seconds"] == sum(scene["duration_seconds"] for scene in data["scenes"])


def test_script_follows_the_concept_and_duration(provider):
    concept = {
        "hook": "Dein Kaffee ist bitter? Schuld ist der Mahlgrad.",
        "title": "Bitterer Kaffee",
        "format": "Mythos-Check",
        "pillar": "Mahlgrad",
        "beats": ["Den Mythos als Zitat einblenden", "Was wirklich stimmt – kurz und belegbar", "Eigener Punkt"],
    }
    data = answer(provider, "script", concept=concept, duration_seconds=45)
    assert data["hook"] == concept["hook"] and data["title"] == concept["title"]
    assert data["scenes"][0]["voiceover"] == concept["hook"]
    assert len(data["scenes"]) == 2 + len(concept["beats"])
    assert data["total_duration_seconds"] == 45
    # Known beats get the format's spoken line; the visual keeps the beat as the shot note.
    assert data["scenes"][1]["voiceover"].startswith("„Das macht man doch so!“")
    assert data["scenes"][1]["visual"].startswith("Den Mythos als Zitat einblenden")


@pytest.mark.parametrize("language", ["de", "en"])
def test_creative_director_fills_every_slot_with_distinct_hooks(provider, language):
    data = answer(provider, "creative_director", language)
    slots = EXTRA["creative_director"]["slots"]
    assert [concept["slot"] for concept in data["concepts"]] == slots
    hooks = [concept["hook"].casefold() for concept in data["concepts"]]
    assert len(set(hooks)) == len(hooks)
    assert {concept["pillar"] for concept in data["concepts"]} <= set(CONTEXT[language]["topics"])
    assert CONTEXT[language]["brief"].rstrip(".") in data["rationale"]
    names = {spec.name for spec in languages()[language].formats.values()}
    assert {concept["format"] for concept in data["concepts"]} <= names


def test_creative_director_many_slots_follow_the_format_mix(provider):
    mix = [{"format": "tutorial", "share": 0.5}, {"format": "POV", "share": 0.25}, {"format": "duet", "share": 0.25}]
    data = answer(provider, "creative_director", slots=None, slot_count=30, format_mix=mix)
    formats = [concept["format"] for concept in data["concepts"]]
    assert len(formats) == 30
    assert formats.count("Anleitung") == 15 and formats.count("Ich-Perspektive") in (7, 8)
    assert formats.count("Reaktion") in (7, 8)
    assert len({concept["hook"].casefold() for concept in data["concepts"]}) == 30


def test_trend_format_uses_given_formats_and_brand_donts(provider):
    data = answer(provider, "trend_format", formats=["Tutorial", "myth busting", "nonsense"])
    assert [item["format"] for item in data["formats"]] == ["Anleitung", "Mythos-Check"]
    assert sum(item["share"] for item in data["formats"]) == pytest.approx(1)
    assert any("Starbucks" in item for item in data["avoid"])


def test_prompt_engineer_uses_the_script_and_brand_donts(provider):
    script = answer(provider, "script")
    data = answer(provider, "prompt_engineer", script=script)
    assert len(data["prompts"]) == len(script["scenes"])
    assert [p["duration_seconds"] for p in data["prompts"]] == [s["duration_seconds"] for s in script["scenes"]]
    assert all("Starbucks" in p["negative_prompt"] for p in data["prompts"])
    assert script["title"] in data["prompts"][0]["prompt"]
    assert data["aspect_ratio"] == "9:16"


def test_compliance_has_no_opinion_offline(provider):
    """The policy engine decides; the offline writer detects no claims (not even obvious ones)."""
    text = "Unser Kaffee heilt Müdigkeit! Besser als Starbucks. Like und teile für ein Gewinnspiel."
    data = answer(provider, "compliance", text=text)
    assert data["confidence"] == 0 and data["claims"] == [] and data["suggested_fixes"] == []
    assert data["verdict"] == "needs_review"  # not a pass: nobody looked
    assert data["needs_disclosure"] is True and data["disclosure_text"]
    data = answer(provider, "compliance", text="Guten Morgen!", ai_generated=False)
    assert data["needs_disclosure"] is False and data["disclosure_text"] == ""


def test_qa_judge_scores_a_good_and_a_bad_draft(provider):
    good = answer(provider, "qa_judge", script=answer(provider, "script"))
    assert good["passed"] is True and good["overall"] >= 7
    bad_script = {
        "hook": "Hallo und herzlich willkommen zu unserem neuen Video über alles Mögliche rund um unseren Kaffee heute",
        "scenes": [{"voiceover": "Unser Kaffee heilt alles.", "duration_seconds": 90}],
        "cta": "",
    }
    bad = answer(provider, "qa_judge", script=bad_script)
    assert bad["passed"] is False and bad["issues"] and bad["fixes"]
    scores = {item["criterion"]: item["score"] for item in bad["scores"]}
    assert scores["cta"] < 5 and scores["compliance"] == 7.0  # no compliance opinion offline


def test_scheduler_exploits_the_best_slots_in_the_time_zone(provider):
    data = answer(provider, "scheduler_optimizer", count=5)
    assert len(data["recommendations"]) == 5
    assert {item["timezone"] for item in data["recommendations"]} == {"Europe/Vienna"}
    exploit = [(item["weekday"], item["hour"]) for item in data["recommendations"] if item["mode"] == "exploit"]
    assert ("mon", 19) in exploit and ("wed", 12) not in exploit


def test_scheduler_without_data_explores_and_falls_back_to_berlin(provider):
    data = answer(provider, "scheduler_optimizer", metrics=None, timezone="Not/AZone")
    assert {item["mode"] for item in data["recommendations"]} == {"explore"}
    assert {item["timezone"] for item in data["recommendations"]} == {"Europe/Berlin"}


def test_analytics_finds_the_winning_format_and_hooks(provider):
    data = answer(provider, "analytics_insight")
    assert data["winning_formats"][0] == "Anleitung"
    assert data["winning_hooks"][0] == "So klappt Filterkaffee"
    assert "Anleitung" in data["findings"][0]["title"]
    assert data["findings"][0]["evidence"] == "weak"  # two posts are a hypothesis, not evidence


def test_brand_voice_from_the_system_message(provider):
    system = (
        "You are the script agent.\n\nBrand voice of the organization:\nVoice: Wie eine gute Freundin\n"
        "Tone: verspielt und frech\nDo:\n- Konkrete Tipps\nDon't:\n- Tchibo\n- Fachchinesisch\n\nWrite in German."
    )
    messages = (Message("system", system), Message("user", "Go."))
    context = {"brief": "Kaffee für Studierende", "topics": ["Kaffee"]}
    data = json.loads(provider.complete(request("script", context=context, messages=messages)).content)
    assert "verspielt und frech" in data["rationale"] and "Tchibo" in data["rationale"]


# --- robustness and the generic fallback --------------------------------------------------------


@pytest.mark.parametrize(
    "context",
    [
        {},
        {"brand": 42, "topics": {"a": 1}, "knowledge": "ein Schnipsel", "slots": 5, "metrics": "x", "formats": 3},
        {"brand": "Nur ein Name", "topics": "Kaffee, Tee; Kakao", "concept": "Ein Hook als Text", "script": []},
        {"brief": "x" * 5000, "topics": ["T" * 500], "knowledge": ["k" * 3000] * 30, "brand": {"cta": "c" * 900}},
        {"duration_seconds": 10_000, "slot_count": 500, "count": -3, "pass_threshold": "high", "metrics": [{}] * 5},
        {"script": {"scenes": [{"duration_seconds": "lang"}, "kaputt"], "hook": 7}, "draft": None},
    ],
)
@pytest.mark.parametrize("agent", sorted(AGENTS))
def test_odd_inputs_still_give_valid_answers(provider, agent, context):
    response = provider.complete(request(agent, context=context))
    output = AGENTS[agent].output_model.model_validate_json(response.content)
    assert response.offline and 0 <= output.confidence <= 1 and output.rationale.strip()


class Idea(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=3, max_length=20)
    votes: int = Field(ge=10, le=12)
    kind: Literal["a", "b"]
    tags: list[str] = Field(min_length=2, max_length=3)


class CustomOutput(AgentOutput):
    ideas: list[Idea] = Field(min_length=4, max_length=5)
    share: float = Field(gt=0.2, lt=0.3)
    language: Literal["de", "en"]
    note: str | None
    done: bool


class LongerScript(contracts.ScriptOutput):
    music: str = Field(max_length=40)


class Plain(BaseModel):
    title: str
    count: int


@pytest.mark.parametrize("model", [CustomOutput, LongerScript, Plain])
@pytest.mark.parametrize("language", ["de", "en"])
def test_any_other_model_is_filled_from_its_schema(provider, model, language):
    for seed in (0, 1):
        response = provider.complete(request("custom", language, seed, context=CONTEXT[language], model=model))
        output = model.model_validate_json(response.content)
        if model is CustomOutput:
            assert output.language == language
        if model is LongerScript:
            assert output.cta == CONTEXT[language]["brand"]["cta"]  # the script composer still did the work


def test_no_network(provider, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the offline provider must not open sockets")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    for agent in AGENTS:
        response = provider.complete(request(agent))
        assert response.offline and AGENTS[agent].output_model.model_validate_json(response.content)


def test_fast(provider):
    from bench.agents_offline import measure_offline

    result = measure_offline(60)
    assert result["calls"] == 60
    assert result["p95_ms"] < 50 * 4  # target 50 ms; generous on a shared machine


# --- helpers ------------------------------------------------------------------------------------


def test_clip_cuts_at_a_word_boundary():
    assert clip("kurz", 10) == "kurz"
    assert clip("eins zwei drei vier fünf", 15) == "eins zwei drei…"
    assert len(clip("x" * 50, 10)) == 10


@pytest.mark.parametrize(
    ("name", "key"),
    [("POV", "pov"), ("Mythos vs. Fakt", "myth_busting"), ("duet", "stitch_reaction"), ("Q&A", "q_and_a")],
)
def test_find_format(name, key):
    assert find_format(name) == key
    assert find_format("") is None and find_format(None) is None
