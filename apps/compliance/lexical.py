"""Lexical rules: lemmas, compounds, proximity, negation, disclaimers and quotations (no models here).

A lexical rule is a few *groups* of terms. It matches where a term of every group occurs in the
same sentence (or clause), the later groups within `window` tokens of a first-group term:

    {"groups": [["heilen", "kurieren"], ["krebs*", "*diabetes"]], "window": 6}

Terms are compared with the tokens' folded surface form *and* their lemmas (simplemma, German
and English, ä = ae, ß = ss), so "heilt", "geheilt" and "heilte" all meet "heilen":

    heilen        a lemma or surface form
    =wählt        only this surface form ("gewählt" does not count)
    krebs*        this beginning ("Krebszellen"); *tablette: this ending, German compounds
                  ("Schmerztabletten")
    #ad           only as a hashtag
    ab|setzen     a separable verb: "absetzen", or "setzen" with "ab" later in the clause
    kein rezept   consecutive tokens, each one a term as above

What lowers or removes a match (per rule):

- `negation: "suppress"` (default): a negation of the language ("nicht", "keine", "never",
  "don't" ...) in the same clause, up to 4 tokens before and 3 after the matched words, or a
  debunking word ("Mythos", "myth", "falsch") in the same sentence, or a refuting frame ("PSA:",
  "Faktencheck") anywhere in the text, removes the match. Rules
  whose claim *is* a negation ("you don't need your meds") say `"ignore"`.
- `unless`: terms that, in the same sentence, show an everyday use or a name ("Sternzeichen
  Krebs", "bath bomb", "Telefonseelsorge").
- `disclaimer`: a disclaimer of the language anywhere in the text ("Keine Anlageberatung",
  "Past performance is not indicative ...") removes (`"remove"`) or lowers a block to review
  (`"lower"`).
- `unless_labelled`: terms that anywhere in the content (any field: "#ad", "Anzeige") remove
  the match; with `commercial: ["unknown"]` this flags partnership signals without a label.
- A match inside quotation marks is lowered from block to review, never below.

The language resources (negations, debunking words, disclaimers) are data files validated at
load: `apps/compliance/rules/language.<lang>.toml`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from simplemma import lemmatize

from apps.compliance.patterns import PatternError, fold

RULES_DIR = Path(__file__).resolve().parent / "rules"
LANGUAGES = ("de", "en")
NEGATION_BEFORE = 4
NEGATION_AFTER = 3
SEPARABLE_WINDOW = 8

Severity = Literal["block", "review"]
# "unknown": the post's setting is not known (a plain text, a TSV without the column): the
# caption alone decides, so a labelled ad passes and unlabelled partnership signals are flagged.
Commercial = Literal["none", "own_brand", "paid_partnership", "unknown"]


class LexicalSpec(BaseModel):
    """What a lexical rule stores (as JSON in `Rule.patterns`)."""

    model_config = ConfigDict(extra="forbid")

    groups: list[list[str]] = Field(min_length=1, max_length=4)
    window: int = Field(default=8, ge=1, le=60)
    scope: Literal["clause", "sentence", "text"] = "sentence"
    negation: Literal["suppress", "ignore"] = "suppress"
    disclaimer: Literal["ignore", "remove", "lower"] = "ignore"
    unless: list[str] = Field(default_factory=list)
    # Only when the post's commercial-content setting is one of these (empty: always).
    commercial: list[Commercial] = Field(default_factory=list)
    # Terms that, anywhere in the content (any field), remove every match: an advertising label.
    unless_labelled: list[str] = Field(default_factory=list)

    @field_validator("groups")
    @classmethod
    def _groups_not_empty(cls, value):
        for group in value:
            if not group or not all(term.strip() for term in group):
                raise ValueError("every group needs at least one term and no empty terms")
        return value


def parse_spec(raw: str) -> LexicalSpec:
    """The spec from `Rule.patterns`; raises PatternError with a readable message."""
    try:
        spec = LexicalSpec.model_validate_json(raw or "{}")
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        raise PatternError(f"{where}: {first.get('msg')}") from exc
    for term in [t for group in spec.groups for t in group] + spec.unless + spec.unless_labelled:
        atoms(term)  # raises PatternError
    return spec


# --- language resources ---------------------------------------------------------------------


class LanguageData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    negations: list[str] = Field(min_length=1)
    # Phrases that contain a negation word but do not negate ("nothing but", "warum nicht").
    not_negations: list[str] = Field(default_factory=list)
    debunking: list[str] = Field(default_factory=list)
    # Debunking that frames the whole post ("PSA:", "Faktencheck"): it refutes every sentence.
    refuting: list[str] = Field(default_factory=list)
    disclaimers: list[str] = Field(default_factory=list)


@cache
def language_data(language: str) -> LanguageData:
    with open(RULES_DIR / f"language.{language}.toml", "rb") as handle:
        return LanguageData.model_validate(tomllib.load(handle))


# --- tokens ---------------------------------------------------------------------------------

_WORD = r"\$[A-Za-z]{2,6}\b|\d+(?:[.,]\d+)?[xXkK]\b|\d+(?:[.,]\d+)*|#?[^\W\d_][\w'’]*|[^\W_][\w]*|[€$£%]"
_SENTENCE_END = r"[.!?…\n]"
# Emoji and other pictographs end a clause: captions use them as punctuation.
_CLAUSE_END = r"[,;:()\[\]–—]|-(?=\s)|[\u2190-\u2bff\U0001f000-\U0001faff]"
# One pass over the text finds the words and the sentence and clause ends between them.
_SCAN = re.compile(f"(?P<word>{_WORD})|(?P<sentence>{_SENTENCE_END})|(?P<clause>{_CLAUSE_END})")
_QUOTED = re.compile(r"„[^“”\"\n]{1,400}[“”\"]|“[^”\n]{1,400}”|\"[^\"\n]{1,400}\"|«[^»\n]{1,400}»|»[^«\n]{1,400}«")
NUMBER = "<num>"
CASHTAG = "<cashtag>"


@lru_cache(maxsize=200_000)
def _lemmas(word: str, language: str) -> tuple[str, ...]:
    """Folded lemmas of a word (as written and lower-cased), for one language or both."""
    languages = (language,) if language in LANGUAGES else LANGUAGES
    found = []
    for lang in languages:
        for form in {word, word.lower()}:
            lemma = fold(lemmatize(form, lang=lang))
            if lemma not in found:
                found.append(lemma)
    return tuple(found)


@lru_cache(maxsize=200_000)
def _keys(word: str, language: str) -> tuple[str, ...]:
    """What a word is compared by: its folded surface form first, then its lemmas."""
    if word[0] == "$" and len(word) > 1:  # a cashtag: "$NVDA" (term "<cashtag>")
        return (word.lower(), CASHTAG)
    if word[0].isdigit():
        if word[-1] in "xXkK":  # a multiplier or thousands: "10x", "5k" (terms "10x", "<num>k")
            return (word.lower(), NUMBER + word[-1].lower(), NUMBER)
        return (NUMBER, word)
    if len(word) == 1 and not word.isalnum():
        return (word,)
    surface = fold(word).replace("’", "'")
    if "'" in surface:
        # A possessive or contraction ("Republicans'", "Trump's", "geht's") also counts as its base word.
        base = word.replace("’", "'").split("'")[0]
        if len(base) > 1 and not surface.endswith(("n't", "'t")):
            keys = dict.fromkeys((surface, *_keys(base, language)))
            return tuple(keys)
        return (surface,)
    lemmas = _lemmas(word, language) if len(word) > 2 else ()
    return (surface, *(lemma for lemma in lemmas if lemma != surface))


@dataclass(slots=True)
class Token:
    start: int
    end: int
    keys: tuple[str, ...]  # folded surface first, then lemmas
    sentence: int
    clause: int
    hashtag: bool = False

    @property
    def surface(self) -> str:
        return self.keys[0]


def tokenize(text: str, language: str | None) -> list[Token]:
    tokens: list[Token] = []
    append = tokens.append
    language = language or ""
    sentence = clause = 0
    new_sentence = new_clause = False
    for match in _SCAN.finditer(text):
        kind = match.lastgroup
        if kind == "sentence":
            new_sentence = True
            continue
        if kind == "clause":
            new_clause = True
            continue
        if new_sentence or new_clause:  # at most one step per gap between two words
            sentence += new_sentence
            clause += 1
            new_sentence = new_clause = False
        word = match.group()
        hashtag = word[0] == "#"
        keys = _keys(word[1:] if hashtag else word, language)
        append(Token(match.start(), match.end(), keys, sentence, clause, hashtag))
    return tokens


def quoted_spans(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in _QUOTED.finditer(text)]


# --- terms ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Atom:
    """One token of a term: how a token's keys must look."""

    value: str
    how: Literal["exact", "surface", "prefix", "suffix"] = "exact"
    hashtag: bool = False
    particle: str = ""  # separable verb: "ab" of ab|setzen (the atom's value is "setzen")

    def accepts(self, token: Token) -> bool:
        if self.hashtag and not token.hashtag:
            return False
        if self.how == "exact":
            return self.value in token.keys
        if self.how == "surface":
            return token.keys[0] == self.value
        if self.how == "prefix":
            return any(key.startswith(self.value) for key in token.keys)
        return any(key.endswith(self.value) for key in token.keys)


def _atom(word: str) -> list[Atom]:
    hashtag = word.startswith("#")
    word = word.lstrip("#")
    if "|" in word:
        particle, _, verb = word.partition("|")
        if not particle or not verb or "*" in word:
            raise PatternError(f"“{word}”: write a separable verb as particle|verb (ab|setzen).")
        return [Atom(fold(particle + verb)), Atom(fold(verb), particle=fold(particle))]
    if word.startswith("="):
        return [Atom(fold(word[1:]), "surface", hashtag)]
    if word.startswith("*") and word.endswith("*"):
        raise PatternError(f"“{word}”: a * may start or end a term, not both.")
    if word.endswith("*"):
        return [Atom(fold(word[:-1]), "prefix", hashtag)]
    if word.startswith("*"):
        return [Atom(fold(word[1:]), "suffix", hashtag)]
    return [Atom(fold(word), "exact", hashtag)]


@lru_cache(maxsize=20_000)
def atoms(term: str) -> tuple[tuple[Atom, ...], ...]:
    """The alternatives of a term, each a sequence of atoms (one per token)."""
    words = [w for w in re.split(r"[\s\-/]+", term.strip()) if w]
    if not words:
        raise PatternError("empty term")
    for word in words:
        core = word.strip("#=*")
        if not core or ("*" in core):
            raise PatternError(f"“{word}”: a * may only start or end a word.")
        if any(len(part) < 3 for part in (word,) if word.endswith("*") or word.startswith("*")) and len(core) < 3:
            raise PatternError(f"“{word}”: a beginning or ending needs at least 3 letters.")
    if len(words) == 1:
        return tuple((atom,) for atom in _atom(words[0]))
    sequence = []
    for word in words:
        found = _atom(word)
        if len(found) != 1:
            raise PatternError(f"“{word}”: a separable verb cannot be part of a phrase.")
        sequence.append(found[0])
    return (tuple(sequence),)


class _Index:
    """All terms of many rules, looked up per token: exact keys in a dict, beginnings and endings
    by their first or last three characters."""

    MEMO_LIMIT = 200_000

    def __init__(self):
        self.exact: dict[str, list] = {}
        self.prefix: dict[str, list] = {}
        self.suffix: dict[str, list] = {}
        # Per distinct token (its keys and whether it is a hashtag): the entries whose first atom accepts it.
        self._memo: dict[tuple, list] = {}

    def first_hits(self, token: Token) -> list:
        key = (token.keys, token.hashtag)
        found = self._memo.get(key)
        if found is None:
            found = [entry for entry in self.candidates(token) if entry[0][0].accepts(token)]
            if len(self._memo) >= self.MEMO_LIMIT:
                self._memo.clear()
            self._memo[key] = found
        return found

    def add(self, term: str, target) -> None:
        for sequence in atoms(term):
            first = sequence[0]
            entry = (sequence, target)
            if first.how in ("exact", "surface"):
                self.exact.setdefault(first.value, []).append(entry)
            elif first.how == "prefix":
                self.prefix.setdefault(first.value[:3], []).append(entry)
            else:
                self.suffix.setdefault(first.value[-3:], []).append(entry)

    def candidates(self, token: Token):
        seen = set()
        for key in token.keys:
            for entry in self.exact.get(key, ()):
                if id(entry) not in seen:
                    seen.add(id(entry))
                    yield entry
            if len(key) >= 3:
                for entry in self.prefix.get(key[:3], ()):
                    if id(entry) not in seen:
                        seen.add(id(entry))
                        yield entry
                for entry in self.suffix.get(key[-3:], ()):
                    if id(entry) not in seen:
                        seen.add(id(entry))
                        yield entry

    def scan(self, tokens: list[Token]):
        """Yield (target, first token, last token) for every term occurrence."""
        for index, token in enumerate(tokens):
            for sequence, target in self.first_hits(token):
                end = index
                for atom in sequence[1:]:
                    end += 1
                    if end >= len(tokens) or not atom.accepts(tokens[end]):
                        break
                else:
                    particle = sequence[0].particle
                    if particle and not _particle_follows(tokens, index, particle):
                        continue
                    yield target, index, end


def _particle_follows(tokens: list[Token], index: int, particle: str) -> bool:
    clause = tokens[index].clause
    for token in tokens[index + 1 : index + 1 + SEPARABLE_WINDOW]:
        if token.clause != clause:
            return False
        if token.keys[0] == particle:
            return True
    return False


# --- compiled rules -------------------------------------------------------------------------

NEGATION, NOT_NEGATION, DEBUNKING, DISCLAIMER = "negation", "not_negation", "debunking", "disclaimer"
REFUTING = "refuting"


@dataclass(slots=True)
class LexicalRule:
    """One lexical rule, compiled; `payload` is what the caller wants back with each hit."""

    spec: LexicalSpec
    languages: frozenset[str]
    payload: object


@dataclass(frozen=True, slots=True)
class LexicalHit:
    rule: LexicalRule
    start: int  # character span in the text
    end: int
    negated: bool = False
    quoted: bool = False
    disclaimed: bool = False
    tokens: tuple[int, ...] = field(default=())


class LexicalIndex:
    """Many lexical rules compiled into one index (built once per rule-set version)."""

    def __init__(self, rules: list[LexicalRule]):
        self.rules = rules
        # One index for every language (text of unknown language) and one per known language
        # holding only its rules and resources: a German caption never looks at English terms.
        self.index = self._build(rules, None)
        self.by_language = {language: self._build(rules, language) for language in LANGUAGES}

    @staticmethod
    def _build(rules: list[LexicalRule], only: str | None) -> _Index:
        index = _Index()
        for rule_number, rule in enumerate(rules):
            if only and rule.languages and only not in rule.languages:
                continue
            for group_number, group in enumerate(rule.spec.groups):
                for term in group:
                    index.add(term, (rule_number, group_number))
            for term in rule.spec.unless:
                index.add(term, (rule_number, -1))
        for language in (only,) if only else LANGUAGES:
            data = language_data(language)
            for kind, terms in (
                (NEGATION, data.negations),
                (NOT_NEGATION, data.not_negations),
                (DEBUNKING, data.debunking),
                (REFUTING, data.refuting),
                (DISCLAIMER, data.disclaimers),
            ):
                for term in terms:
                    index.add(term, (kind, language))
        return index

    def __bool__(self) -> bool:
        return bool(self.rules)

    def search(
        self,
        text: str,
        language: str | None,
        *,
        tokens: list[Token] | None = None,
        commercial: str = "none",
        applies=None,
    ) -> list[LexicalHit]:
        """The rules' matches in `text`, with what lowers them marked (not yet applied)."""
        if not self.rules or not text:
            return []
        if tokens is None:
            tokens = tokenize(text, language)
        groups: dict[int, dict[int, list[tuple[int, int]]]] = {}
        negations: list[int] = []
        not_negations: set[int] = set()
        debunked: set[int] = set()
        disclaimed = False
        index = self.by_language.get(language, self.index) if language else self.index
        for target, first, last in index.scan(tokens):
            what, which = target
            if isinstance(what, int):
                groups.setdefault(what, {}).setdefault(which, []).append((first, last))
            elif language and which != language:
                continue
            elif what == NEGATION:
                negations.extend(range(first, last + 1))
            elif what == NOT_NEGATION:
                not_negations.update(range(first, last + 1))
            elif what == DEBUNKING:
                debunked.add(tokens[first].sentence)
            elif what == REFUTING:
                debunked.update(range(tokens[-1].sentence + 1))
            else:
                disclaimed = True
        if not groups:
            return []
        if not_negations:
            negations = [index for index in negations if index not in not_negations]
        quotes = quoted_spans(text) if ('"' in text or "„" in text or "“" in text or "«" in text or "»" in text) else []
        hits: list[LexicalHit] = []
        for rule_number, found in groups.items():
            rule = self.rules[rule_number]
            spec = rule.spec
            if applies is not None and not applies(rule):
                continue
            if spec.commercial and commercial not in spec.commercial:
                continue
            if any(group not in found for group in range(len(spec.groups))):
                continue
            unless_sentences = {tokens[first].sentence for first, _ in found.get(-1, ())}
            used_until = -1
            for first, last in sorted(found[0]):
                if first <= used_until:
                    continue
                combo = self._combine(spec, tokens, found, first, last)
                if combo is None:
                    continue
                covered = sorted({i for a, b in combo for i in range(a, b + 1)})
                if tokens[covered[0]].sentence in unless_sentences or tokens[covered[-1]].sentence in unless_sentences:
                    continue
                # A debunking word refutes any claim of its sentence; negations only what they can negate.
                negated = tokens[first].sentence in debunked or (
                    spec.negation == "suppress" and _negated(tokens, covered, negations)
                )
                start, end = tokens[covered[0]].start, tokens[covered[-1]].end
                quoted = any(q_start <= start and end <= q_end for q_start, q_end in quotes)
                hits.append(LexicalHit(rule, start, end, negated, quoted, disclaimed, tuple(covered)))
                used_until = covered[-1]
        return hits

    @staticmethod
    def _combine(spec: LexicalSpec, tokens, found, first: int, last: int):
        """For an occurrence of the first group: the nearest occurrence of every other group, or None."""
        anchor = tokens[first]
        combo = [(first, last)]
        for group in range(1, len(spec.groups)):
            best = None
            for other_first, other_last in found[group]:
                if other_first <= last and other_last >= first:
                    continue  # the same words cannot stand for two groups
                other = tokens[other_first]
                if spec.scope == "sentence" and other.sentence != anchor.sentence:
                    continue
                if spec.scope == "clause" and other.clause != anchor.clause:
                    continue
                distance = other_first - last if other_first > last else first - other_last
                if distance > spec.window:
                    continue
                if best is None or distance < best[0]:
                    best = (distance, (other_first, other_last))
            if best is None:
                return None
            combo.append(best[1])
        return combo


def _negated(tokens: list[Token], covered: list[int], negations: list[int]) -> bool:
    if not negations:
        return False
    inside = set(covered)
    clauses = {tokens[i].clause for i in covered}
    low, high = covered[0] - NEGATION_BEFORE, covered[-1] + NEGATION_AFTER
    for index in negations:
        if index in inside or not low <= index <= high:
            continue
        if tokens[index].clause in clauses:
            return True
    return False
