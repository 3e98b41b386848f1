"""The offline writer's content: data files per language (`data/<lang>/*.yaml`), validated by
pydantic once and cached.

Every placeholder of a template declares its grammatical need, `{slot|need}`:

- `free`: a noun phrase where German needs no declension (a title before a colon, after a
  colon or dash, in quotes, after a frame noun such as "Thema"). User nouns (topics, pillars,
  brand, audience, format names, tone) may only go into `free` slots.
- `number`, `clause` (a whole sentence or phrase that stands alone), `word` (our own word that
  already fits), and `nom`/`acc`/`dat`/`gen` (a noun phrase inflected for that case: only our
  own words with their forms may fill it).

German and English lists are parallel (same keys, same lengths, the same slots per entry), so
a German sentence the writer produced can be matched back to its template and rendered in
English (see translate.py).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

DATA = Path(__file__).resolve().parent / "data"
LANGS = ("de", "en")
NEEDS = frozenset({"free", "number", "clause", "word", "nom", "acc", "dat", "gen"})
# Slots filled with what users typed (or a format name): they must never need inflection.
USER_NOUNS = frozenset({"topic", "pillar", "brand", "audience", "format", "name", "top", "tone"})
SLOT = re.compile(r"\{(\w+)\|(\w+)\}")


class _Blank(dict):
    def __missing__(self, key):
        return ""


class Template:
    """A text with declared slots; `render(**values)` fills them (missing values: empty)."""

    __slots__ = ("raw", "slots", "_pattern")

    def __init__(self, raw: str):
        if not isinstance(raw, str) or not raw.strip():
            raise ValueError("a template must be a non-empty string")
        slots: dict[str, str] = {}
        for name, need in SLOT.findall(raw):
            if need not in NEEDS:
                raise ValueError(f"{raw!r}: unknown need {need!r} of slot {name!r} (one of {sorted(NEEDS)})")
            if slots.setdefault(name, need) != need:
                raise ValueError(f"{raw!r}: slot {name!r} declares two needs")
        pattern = SLOT.sub(r"{\1}", raw)
        if "{" in SLOT.sub("", raw) or "}" in SLOT.sub("", raw):
            raise ValueError(f"{raw!r}: a placeholder without a declared need ({{slot|need}})")
        self.raw, self.slots, self._pattern = raw, slots, pattern

    @property
    def text(self) -> str:
        """The template with its slots written as `{slot}`."""
        return self._pattern

    def render(self, **values) -> str:
        return self._pattern.format_map(_Blank(values))

    def __repr__(self) -> str:
        return f"Template({self.raw!r})"


def _template(value):
    return value if isinstance(value, Template) else Template(value)


T = Annotated[Template, BeforeValidator(_template)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class Beat(Strict):
    beat: T
    line: T


class Format(Strict):
    name: str = Field(min_length=2)
    why: str
    visual: str
    camera: str
    duration: int = Field(ge=5, le=90)
    hooks: list[T] = Field(min_length=4)
    beats: list[Beat] = Field(min_length=3)
    caption_values: list[T] = Field(min_length=1)


class Insight(Strict):
    title: str
    detail: T


class Experiment(Strict):
    hypothesis: T
    change: T
    metric: str


class QAText(Strict):
    name: str
    bad: str
    good: str
    fix: str


class Defaults(Strict):
    brand: str
    audience: str
    topic: str
    cta: str
    tone: str


Criterion = Literal[
    "hook_strength", "clarity", "originality", "brand_fit", "platform_fit", "cta", "compliance", "pacing"
]


class Banks(Strict):
    defaults: Defaults
    general_hooks: list[T] = Field(min_length=10)
    pains: list[str] = Field(min_length=3)
    insights: list[Insight] = Field(min_length=3)
    trend_line: T
    scene_details: list[T] = Field(min_length=3)
    captions: list[T] = Field(min_length=2)
    questions: list[str] = Field(min_length=2)
    cameras: list[str] = Field(min_length=2)
    styles: list[str] = Field(min_length=2)
    experiments: list[Experiment] = Field(min_length=2)
    hours: dict[int, str] = Field(min_length=3)
    qa: dict[Criterion, QAText]
    schema_words: list[str] = Field(min_length=5)

    @model_validator(mode="after")
    def _every_criterion(self):
        missing = set(Criterion.__args__) - set(self.qa)
        if missing:
            raise ValueError(f"qa texts missing for {sorted(missing)}")
        return self


class Improve(Strict):
    fillers: list[str]
    number_words: dict[str, str]
    longer: list[str] = Field(min_length=1)
    question_tags: list[str] = Field(min_length=1)
    questions: list[str] = Field(min_length=1)
    hook_cta: str
    emoji: list[str] = Field(min_length=1)
    casual_opener: str
    formal_phrases: list[tuple[str, str]]
    formal_verbs: dict[str, str]
    formal_pronouns: dict[str, str]
    casual_phrases: list[tuple[str, str]]
    names: dict[str, str]


class Language(Strict):
    code: str
    formats: dict[str, Format] = Field(min_length=4)
    banks: Banks
    labels: dict[str, T]
    improve: Improve


class Intents(Strict):
    remove_hashtags: list[str]
    shorter: list[str]
    longer: list[str]
    question: list[str]
    formal: list[str]
    casual: list[str]
    cta: list[str]
    emoji: list[str]
    translate: list[str]
    targets: dict[Literal["de", "en"], list[str]]


def _read(path: Path):
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _slots(templates) -> list[set[str]]:
    return [set(template.slots) for template in templates]


def check_parallel(first: Language, other: Language) -> None:
    """Raise ValueError where two languages' data are not parallel (see the module docstring)."""
    problems = []
    if set(first.formats) != set(other.formats):
        problems.append(f"formats differ: {sorted(set(first.formats) ^ set(other.formats))}")
    for key in set(first.formats) & set(other.formats):
        a, b = first.formats[key], other.formats[key]
        for part in ("hooks", "caption_values"):
            if _slots(getattr(a, part)) != _slots(getattr(b, part)):
                problems.append(f"{key}.{part}: lengths or slots differ")
        for kind in ("beat", "line"):
            if _slots(getattr(x, kind) for x in a.beats) != _slots(getattr(x, kind) for x in b.beats):
                problems.append(f"{key}.beats ({kind}): lengths or slots differ")
    for part in ("general_hooks", "scene_details", "captions"):
        if _slots(getattr(first.banks, part)) != _slots(getattr(other.banks, part)):
            problems.append(f"banks.{part}: lengths or slots differ")
    if _slots(i.detail for i in first.banks.insights) != _slots(i.detail for i in other.banks.insights):
        problems.append("banks.insights: lengths or slots differ")
    if set(first.labels) != set(other.labels):
        problems.append(f"labels differ: {sorted(set(first.labels) ^ set(other.labels))}")
    for key in set(first.labels) & set(other.labels):
        if set(first.labels[key].slots) != set(other.labels[key].slots):
            problems.append(f"label {key}: slots differ")
    if problems:
        raise ValueError(f"{first.code} and {other.code} are not parallel: " + "; ".join(sorted(problems)))


def load_language(code: str, root: Path = DATA) -> Language:
    folder = root / code
    return Language(
        code=code,
        formats=_read(folder / "formats.yaml"),
        banks=_read(folder / "banks.yaml"),
        labels=_read(folder / "labels.yaml"),
        improve=_read(folder / "improve.yaml"),
    )


@lru_cache(maxsize=1)
def languages() -> dict[str, Language]:
    """Every language's data, validated and checked to be parallel (raises on any problem)."""
    loaded = {code: load_language(code) for code in LANGS}
    for code in LANGS[1:]:
        check_parallel(loaded[LANGS[0]], loaded[code])
    aliases = aliases_map()
    unknown = {target for target in aliases.values() if target not in loaded[LANGS[0]].formats}
    if unknown:
        raise ValueError(f"aliases.yaml names unknown formats: {sorted(unknown)}")
    return loaded


def language(code: str) -> Language:
    return languages()[code if code in LANGS else LANGS[0]]


@lru_cache(maxsize=1)
def intents() -> Intents:
    return Intents.model_validate(_read(DATA / "intents.yaml"))


@lru_cache(maxsize=1)
def aliases_map() -> dict[str, str]:
    data = _read(DATA / "aliases.yaml")
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise ValueError("aliases.yaml must map slugs to format keys")
    return data


def format_keys() -> list[str]:
    return list(language(LANGS[0]).formats)


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9äöüß]+", "_", value.casefold()).strip("_")


def find_format(value) -> str | None:
    """The format key for a key, an alias or a name in any language ("POV", "Mythos-Check", "duet")."""
    if not isinstance(value, str) or not value.strip():
        return None
    slug = _slug(value)
    keys = format_keys()
    if slug in keys:
        return slug
    if slug in aliases_map():
        return aliases_map()[slug]
    names = {key: {_slug(lang.formats[key].name) for lang in languages().values()} for key in keys}
    for key in keys:
        if slug in names[key]:
            return key
    for key in keys:
        candidates = {key, *names[key]}
        if any(len(name) > 2 and (name in slug or slug in name) for name in candidates):
            return key
    return None
