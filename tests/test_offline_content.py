"""The offline writer's content: data files valid at import, small modules, grammatical German
by construction (user nouns only in slots that need no declension), no English format names
in German text."""

import json
import re
from pathlib import Path

import pytest

from apps.ai.contracts import AGENTS
from apps.ai.offline import OfflineProvider, library
from apps.ai.types import LLMRequest, Message

PACKAGE = Path(library.__file__).parent

# Where a German noun phrase needs no declension: before it ...
FREE_BEFORE = re.compile(r"(^|: |– |— |„|\(|\"|[.!?] |\b(?:Thema|Marke|Zielgruppe|Format|Stichwort|Zeitzone) )$")
# ... and after it.
FREE_AFTER = re.compile(r"^($|:|,|;|\.|\?|!|“|\"| –|\))")


def test_the_data_files_validate_at_import():
    library.languages.cache_clear()
    data = library.languages()  # raises on any invalid or non-parallel file
    assert set(data) == {"de", "en"} and len(data["de"].formats) >= 12
    for code in library.LANGS:
        for path in (PACKAGE / "data" / code).glob("*.yaml"):
            assert path.stem in {"formats", "banks", "labels", "improve", "variants"}, path
    assert library.intents().shorter and library.aliases_map()


def test_a_broken_template_is_refused():
    with pytest.raises(ValueError, match="without a declared need"):
        library.Template("{topic}: So klappt es")
    with pytest.raises(ValueError, match="unknown need"):
        library.Template("Fehler beim {topic|dativ}")


def test_no_module_of_the_package_exceeds_300_lines():
    sizes = {path.name: len(path.read_text().splitlines()) for path in PACKAGE.glob("*.py")}
    assert sizes and max(sizes.values()) <= 300, sizes


def german_templates():
    de = library.language("de")
    for key, spec in de.formats.items():
        for i, hook in enumerate(spec.hooks):
            yield f"{key}.hooks[{i}]", hook
        for i, value in enumerate(spec.caption_values):
            yield f"{key}.caption_values[{i}]", value
        for i, beat in enumerate(spec.beats):
            yield f"{key}.beats[{i}].beat", beat.beat
            yield f"{key}.beats[{i}].line", beat.line
    banks = de.banks
    for name in ("general_hooks", "scene_details", "captions"):
        for i, template in enumerate(getattr(banks, name)):
            yield f"banks.{name}[{i}]", template
    yield "banks.trend_line", banks.trend_line
    for i, insight in enumerate(banks.insights):
        yield f"banks.insights[{i}]", insight.detail
    for i, item in enumerate(banks.experiments):
        yield f"banks.experiments[{i}].hypothesis", item.hypothesis
        yield f"banks.experiments[{i}].change", item.change
    for key, label in de.labels.items():
        yield f"labels.{key}", label


def test_user_nouns_sit_only_where_german_needs_no_declension():
    problems = []
    for where, template in german_templates():
        for match in library.SLOT.finditer(template.raw):
            name, need = match.groups()
            if name not in library.USER_NOUNS:
                continue
            before, after = template.raw[: match.start()], template.raw[match.end() :]
            if need != "free":
                problems.append(f"{where}: {{{name}}} declares {need!r}, a user noun needs a free slot")
            elif not FREE_BEFORE.search(before[-12:]) or not FREE_AFTER.search(after):
                problems.append(f"{where}: {{{name}|free}} stands where German inflects: {template.raw!r}")
    assert not problems, "\n".join(problems)


def test_the_checker_catches_the_old_mistakes():
    for raw in ("{n|number} Fehler bei {topic|dat}", "Der eine Handgriff, der {topic|free} sofort besser macht"):
        template = library.Template(raw)
        match = next(library.SLOT.finditer(template.raw))
        need_ok = match.group(2) == "free"
        position_ok = FREE_BEFORE.search(raw[: match.start()][-12:]) and FREE_AFTER.search(raw[match.end() :])
        assert not (need_ok and position_ok), raw


KITS = [
    {"name": "Grünhof Gärtnerei", "topics": ["Nachhaltiger Anbau", "Regionale Ernte"]},
    {"name": "Die Kaffeerösterei", "topics": ["Filterkaffee", "Bohnen lagern", "Mahlgrad"]},
    {"name": "FitFabrik", "topics": ["Behind the scenes", "Rückentraining"],
     "audience": "Gesundheitsbewusste 25-40-Jährige in DACH"},
    {"name": "Stadtwerke Nord", "topics": ["Energiesparen im Winter"], "audience": "Mieterinnen und Mieter"},
    {"name": "Pfotenglück", "topics": ["Hundeerziehung", "Katzenfutter", "Tierarztbesuch"]},
    {"name": "Bäckerei Sonnenschein", "topics": ["Sauerteig", "Vollkornbrötchen"], "cta": "Komm vorbei und probier"},
    {"name": "Kiezrad", "topics": ["Fahrradreparatur", "E-Bikes im Alltag"]},
    {"name": "Lernwerk", "topics": ["Prüfungsangst", "Lernpläne", "Karteikarten"], "audience": "Studierende"},
    {"name": "Nordlicht Reisen", "topics": ["Städtereisen", "Nachtzüge"]},
    {"name": "Hafenliebe", "topics": ["Fischbrötchen", "Hafenrundfahrt"]},
]  # fmt: skip
ENGLISH_FORMAT_NAMES = re.compile(
    r"\b(?:tutorial|myth[ -]busting|behind the scenes|pov|listicle|before/after|day in the life|storytime|"
    r"stitch|duet|hot take|comparison|q&a)\b",
    re.IGNORECASE,
)


def ask(agent: str, context: dict, seed: int, language: str = "de") -> dict:
    request = LLMRequest(
        agent=agent,
        messages=(Message("system", "x"),),
        output_model=AGENTS[agent].output_model,
        seed=seed,
        language=language,
        context=context,
    )
    return json.loads(OfflineProvider().complete(request).content)


def german_samples(count: int = 300) -> list[str]:
    samples, seed = [], 0
    while len(samples) < count:
        kit = KITS[seed % len(KITS)]
        context = {"brand": kit, "topics": kit["topics"], "slot_count": 6}
        for concept in ask("creative_director", context, seed)["concepts"][:3]:
            script = ask("script", context | {"concept": concept}, seed)
            samples += [concept["hook"], script["caption"]]
        seed += 1
    return samples[:count]


def test_300_german_hooks_and_captions_have_no_english_format_names():
    samples = german_samples(300)
    user_words = {topic.casefold() for kit in KITS for topic in kit["topics"]}
    leaks = [
        text
        for text in samples
        if (found := ENGLISH_FORMAT_NAMES.search(text)) and not any(found.group(0).casefold() in w for w in user_words)
    ]
    assert not leaks, leaks[:5]
    assert len(set(samples)) > 250  # and they are not the same few sentences
