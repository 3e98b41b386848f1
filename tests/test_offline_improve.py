"""AI improve offline: each intent in German and English, applied to the field it was given."""

import json

import pytest

from apps.ai.contracts import AGENTS
from apps.ai.offline import OfflineProvider, rewrite
from apps.ai.offline.intents import parse, understands
from apps.ai.types import LLMRequest, Message

POST = {
    "de": {
        "hook": "Nachhaltiger Anbau: So klappt es in 3 einfachen Schritten",
        "caption": "Nachhaltiger Anbau: So klappt es in 3 einfachen Schritten. Ein Schritt nach dem anderen – so wird "
        "es jedes Mal gut. Kanntest du das schon? Folge uns für mehr Tipps. #garten #bio",
        "hashtags": ["#garten", "#bio", "#grünhof"],
        "script": {
            "title": "Anleitung: Nachhaltiger Anbau",
            "cta": "Folge uns für mehr Tipps",
            "scenes": [
                {"index": 1, "voiceover": "Nachhaltiger Anbau: So klappt es in 3 einfachen Schritten",
                 "on_screen_text": "Nachhaltiger Anbau", "visual": "Beet", "duration_seconds": 3},
                {"index": 2, "voiceover": "Zuerst legst du alles bereit – das dauert keine Minute.",
                 "on_screen_text": "Schritt 1: die Vorbereitung", "visual": "Hände", "duration_seconds": 8},
                {"index": 3, "voiceover": "Folge uns für mehr Tipps – Grünhof.", "on_screen_text": "",
                 "visual": "Logo", "duration_seconds": 3},
            ],
        },
    },
    "en": {
        "hook": "Sustainable farming: how to get it right in 3 simple steps",
        "caption": "Sustainable farming: how to get it right in 3 simple steps. One step at a time – and it works "
        "every time. Did you know this already? Follow for more tips. #garden #organic",
        "hashtags": ["#garden", "#organic", "#greenfarm"],
        "script": {"title": "Tutorial", "cta": "Follow for more tips", "scenes": []},
    },
}  # fmt: skip
INSTRUCTIONS = {
    "shorter": ("Bitte kürzer", "make it shorter"),
    "longer": ("ausführlicher bitte", "longer please"),
    "question": ("als Frage formulieren", "turn it into a question"),
    "formal": ("förmlicher", "more formal"),
    "casual": ("lockerer", "more casual"),
    "cta": ("mit Handlungsaufruf", "add a call to action"),
    "emoji": ("mit Emoji", "add emoji"),
    "remove_hashtags": ("ohne Hashtags", "remove hashtags"),
    "translate": ("übersetze ins Englische", "translate to German"),
}


def improve(field: str, instruction: str, lang: str = "de") -> dict:
    agent = "prompt_engineer" if field == "video_prompt" else "script"
    context = {"field": field, "instruction": instruction, "post": POST[lang], "brand": {"name": "Grünhof"}}
    response = OfflineProvider().complete(
        LLMRequest(
            agent=agent,
            messages=(Message("system", "x"),),
            output_model=AGENTS[agent].output_model,
            seed=1,
            language=lang,
            context=context,
        )
    )
    return json.loads(response.content)


@pytest.mark.parametrize("intent", sorted(INSTRUCTIONS))
def test_each_intent_is_understood_in_german_and_english(intent):
    german, english = INSTRUCTIONS[intent]
    assert intent in parse(german).intents and intent in parse(english).intents


def test_combined_and_unknown_instructions():
    assert parse("kürzer und frecher, mit Frage").intents == ("shorter", "casual", "question")
    assert parse("auf Englisch").target == "en" and parse("in German please").target == "de"
    assert not understands("erwähne die neue Sorte") and not understands("make it pop")


@pytest.mark.parametrize("lang", ["de", "en"])
def test_shorter_really_shortens_and_question_ends_with_a_question_mark(lang):
    hook = POST[lang]["hook"]
    short = improve("hook", INSTRUCTIONS["shorter"][lang == "en"], lang)["hook"]
    assert len(short) < len(hook) and short.split()[0] == hook.split()[0]
    asked = improve("hook", INSTRUCTIONS["question"][lang == "en"], lang)["hook"]
    assert asked.endswith("?") and asked.startswith(hook.rstrip("."))
    caption = improve("caption", INSTRUCTIONS["question"][lang == "en"], lang)["caption"]
    assert caption.endswith("?")
    assert len(improve("caption", INSTRUCTIONS["shorter"][lang == "en"], lang)["caption"]) < len(POST[lang]["caption"])


@pytest.mark.parametrize("lang", ["de", "en"])
def test_longer_cta_emoji_and_hashtags(lang):
    pick = lang == "en"
    assert len(improve("hook", INSTRUCTIONS["longer"][pick], lang)["hook"]) > len(POST[lang]["hook"])
    caption = improve("caption", INSTRUCTIONS["remove_hashtags"][pick], lang)["caption"]
    assert "#" not in caption and caption.startswith(POST[lang]["hook"])
    assert improve("hashtags", INSTRUCTIONS["remove_hashtags"][pick], lang)["hashtags"] == []
    emoji = improve("hook", INSTRUCTIONS["emoji"][pick], lang)["hook"]
    assert emoji != POST[lang]["hook"] and not emoji[0].isalnum()
    assert improve("hook", INSTRUCTIONS["cta"][pick], lang)["hook"].endswith("!")


def test_formal_and_casual_german():
    formal = improve("caption", "förmlicher, bitte siezen")["caption"]
    assert "Kannten Sie das" in formal and "Folgen Sie uns" in formal and " du " not in formal
    casual = improve("hook", "lockerer")["hook"]
    assert casual.startswith("Ganz ehrlich? Nachhaltiger Anbau") and casual.endswith("Schritten!")
    assert (
        rewrite.apply("Here's the easy way – it's simple!", ("formal",), "en") == "Here is the easy way – it is simple."
    )
    assert rewrite.apply("Du machst es dir zu schwer.", ("formal",), "de") == "Sie machen es sich zu schwer."


def test_the_example_of_the_issue_is_followed():
    hook = improve("hook", "kürzer und frecher, mit Frage")["hook"]
    assert hook == "Nachhaltiger Anbau: So klappt es in 3 Schritten?"


def test_translation_of_the_writers_own_sentences():
    data = improve("hook", "übersetze ins Englische")
    assert data["hook"] == "Nachhaltiger Anbau: how to get it right in 3 simple steps"
    assert data["language"] == "en"
    voice = improve("script", "auf Englisch")["scenes"][1]["voiceover"]
    assert voice == "First, get everything ready – it takes less than a minute."


def test_only_the_given_field_changes_and_an_unknown_instruction_changes_nothing():
    data = improve("hook", "kürzer")
    assert data["caption"] == POST["de"]["caption"] and data["hashtags"] == POST["de"]["hashtags"]
    same = improve("caption", "erwähne die neue Sorte")
    assert same["caption"] == POST["de"]["caption"] and same["confidence"] == 0
    assert "nicht umsetzbar" in same["rationale"]


def test_translation_of_a_whole_generated_post():
    context = {"brand": {"name": "Grünhof"}, "topics": ["Tomaten", "Kräuter"], "slot_count": 3}
    provider = OfflineProvider()

    def call(agent, extra):
        request = LLMRequest(
            agent=agent,
            messages=(Message("system", "x"),),
            output_model=AGENTS[agent].output_model,
            seed=3,
            language="de",
            context=context | extra,
        )
        return json.loads(provider.complete(request).content)

    script = call("script", {"concept": call("creative_director", {})["concepts"][0]})
    post = {"hook": script["hook"], "caption": script["caption"], "script": script, "hashtags": []}
    english = call("script", {"field": "caption", "instruction": "auf Englisch", "post": post})["caption"]
    assert english != script["caption"] and not {"und", "der", "die", "das", "uns"} & set(english.casefold().split())
