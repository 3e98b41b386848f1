"""The policy engine: check a caption (text, title, hashtags) against the active rule sets.

    from apps.compliance.policy import PolicyInput, evaluate

    verdict = evaluate(PolicyInput(text="Dieser Tee heilt alles!", language="de"), org=org)
    verdict.outcome            # "pass" | "needs_review" | "hard_block" (the worst match)
    verdict.matches            # Match(rule_id, code, category, outcome, field, start, end, text, description, ...)
    verdict.rule_set_versions  # (RuleSetRef(name="default", version=1), ...)

`evaluate(text_or_input, org=None)` uses the active published global rule sets plus the
organization's own. Rule sets are compiled once per published version and cached in the
process: a published version never changes, so the cache never goes stale; a new version
has a new id. Matching is case-insensitive on folded text (see `apps.compliance.patterns`),
on whole words, and spans are reported in the original text.

A rule with languages applies when the input's language is one of them (or unknown); a rule
for a platform applies only when the input names that platform.

Beside the global default rule set, a learned classifier (`apps.compliance.classifier`) looks at
what the rules let pass: when it sees a problem, the text needs a review (match source
"classifier"). It never blocks and never lowers a rule's verdict.
"""

import logging
import re
import uuid
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from django.db.models import Q

from apps.compliance.classifier import classifier
from apps.compliance.lexical import LexicalIndex, LexicalRule, LexicalSpec, parse_spec, tokenize
from apps.compliance.models import LEXICAL_KINDS, Category, Field, MatchKind, Outcome, Rule, RuleSet
from apps.compliance.patterns import Folded, PatternError, compile_patterns, pattern_keys
from apps.compliance.reasons import PREFIX as REASON_PREFIX
from apps.compliance.ruledata import DEFAULT_RULE_SET_NAME
from apps.core.reasons import render as render_reason

logger = logging.getLogger(__name__)

SEVERITY = {Outcome.PASS: 0, Outcome.NEEDS_REVIEW: 1, Outcome.HARD_BLOCK: 2}
TEXT_FIELDS = (Field.TEXT.value, Field.TITLE.value, Field.HASHTAGS.value)
MAX_MATCHES_PER_RULE = 50
_HASHTAG = re.compile(r"#(\w+)")


@dataclass(frozen=True, slots=True)
class PolicyInput:
    """What gets checked. `hashtags` may be given with or without `#`; `platform` is optional."""

    text: str
    title: str = ""
    hashtags: tuple[str, ...] = ()
    language: str | None = None
    ai_generated: bool = False
    disclosure: bool = False
    platform: str | None = None
    # none | own_brand | paid_partnership, or unknown (a plain text: the caption alone decides)
    commercial_content: str = "unknown"


class RuleSetRef(NamedTuple):
    name: str
    version: int


@dataclass(frozen=True, slots=True)
class Match:
    rule_id: uuid.UUID
    code: str
    category: str
    outcome: str
    description: str
    rule_set: RuleSetRef
    field: str = ""  # text, title, hashtags or caption; empty for the content as a whole
    start: int | None = None  # span in the field's original text
    end: int | None = None
    text: str = ""
    measured: int | None = None  # length or hashtag count, for numeric rules
    limit: int | None = None
    reason: dict | None = None  # {"code", "params"}: rendered in the viewer's language
    lowered: str = ""  # "quote" or "disclaimer" when that lowered a block to a review
    source: str = "rules"  # "rules" or "model" (the second opinion)

    @property
    def reason_text(self) -> str:
        return render_reason(self.reason) if self.reason else self.description

    @property
    def category_label(self) -> str:
        return str(Category(self.category).label)

    @property
    def outcome_label(self) -> str:
        return str(Outcome(self.outcome).label)

    @property
    def field_label(self) -> str:
        return str(Field(self.field).label) if self.field else ""

    def as_dict(self) -> dict:
        return {
            "rule_id": str(self.rule_id),
            "code": self.code,
            "category": self.category,
            "outcome": self.outcome,
            "description": self.description,
            "rule_set": {"name": self.rule_set.name, "version": self.rule_set.version},
            "field": self.field,
            "span": [self.start, self.end] if self.start is not None else None,
            "text": self.text,
            "measured": self.measured,
            "limit": self.limit,
            "reason": self.reason,
            "lowered": self.lowered,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class Verdict:
    outcome: str
    matches: tuple[Match, ...] = ()
    rule_set_versions: tuple[RuleSetRef, ...] = ()

    @property
    def passed(self) -> bool:
        return self.outcome == Outcome.PASS

    @property
    def outcome_label(self) -> str:
        return str(Outcome(self.outcome).label)

    @property
    def categories(self) -> set[str]:
        return {m.category for m in self.matches}

    def as_dict(self) -> dict:
        return {
            "outcome": self.outcome,
            "matches": [m.as_dict() for m in self.matches],
            "rule_set_versions": [{"name": r.name, "version": r.version} for r in self.rule_set_versions],
        }


@dataclass(frozen=True, slots=True)
class CompiledRule:
    id: uuid.UUID
    code: str
    category: str
    kind: str
    outcome: str
    description: str
    languages: frozenset[str]
    platform: str
    field: str
    limit: int | None
    pattern: re.Pattern | None
    # Phrase rules: the two characters every match starts with; the engine tries the pattern only
    # where the text has them after a non-word character instead of scanning every position.
    keys: frozenset[str] | None = None
    reason_code: str = ""
    spec: LexicalSpec | None = None
    labels: LexicalIndex | None = None  # AI and advertising labels: the terms that count as a label

    def reason(self, **params) -> dict | None:
        if not self.reason_code:
            return None
        return {"code": REASON_PREFIX + self.reason_code, "params": params}

    def applies_to(self, language: str | None, platform: str | None) -> bool:
        if self.languages and language and language not in self.languages:
            return False
        return not self.platform or self.platform == platform


@dataclass(frozen=True, slots=True)
class CompiledRuleSet:
    id: uuid.UUID
    ref: RuleSetRef
    organization_id: uuid.UUID | None
    rules: tuple[CompiledRule, ...] = field(default=())
    lexical: LexicalIndex | None = None  # every lexical rule of the set in one index


# --- compiling and caching ---------------------------------------------------------------

_CACHE: dict[uuid.UUID, CompiledRuleSet] = {}
_CACHE_SIZE = 256


def clear_cache() -> None:
    _CACHE.clear()


def compile_rule(rule: Rule) -> CompiledRule:
    pattern = keys = spec = labels = None
    if rule.kind in LEXICAL_KINDS:
        spec = parse_spec(rule.patterns)
    elif rule.kind in (MatchKind.PHRASES, MatchKind.REGEX, MatchKind.DISCLOSURE):
        pattern = compile_patterns(rule.kind, rule.patterns)
        keys = pattern_keys(rule.kind, rule.patterns)
    compiled = CompiledRule(
        id=rule.id,
        code=rule.code,
        category=rule.category,
        kind=rule.kind,
        outcome=rule.outcome,
        description=rule.description,
        languages=frozenset(rule.languages or ()),
        platform=rule.platform,
        field=rule.field,
        limit=rule.limit,
        pattern=pattern,
        keys=keys,
        reason_code=getattr(rule, "reason_code", "") or "",
        spec=spec,
    )
    if rule.kind in (MatchKind.AI_LABEL, MatchKind.AD_LABEL):
        labels = LexicalIndex([LexicalRule(spec, compiled.languages, compiled)])
        compiled = replace(compiled, labels=labels)
    elif spec is not None and spec.unless_labelled:
        label_spec = LexicalSpec(groups=[spec.unless_labelled], window=1)
        compiled = replace(compiled, labels=LexicalIndex([LexicalRule(label_spec, compiled.languages, compiled)]))
    return compiled


def _compile(rule_set: RuleSet, rules) -> CompiledRuleSet:
    compiled = []
    for rule in sorted(rules, key=lambda r: (r.category, r.code)):
        try:
            compiled.append(compile_rule(rule))
        except PatternError:
            # Rules are validated on save; a broken row (edited around the admin) is skipped, loudly.
            logger.exception(
                "Policy rule %s of %s v%s cannot be compiled; skipped", rule.code, rule_set.name, rule_set.version
            )
    lexical = [LexicalRule(r.spec, r.languages, r) for r in compiled if r.kind == MatchKind.LEXICAL]
    return CompiledRuleSet(
        id=rule_set.id,
        ref=RuleSetRef(rule_set.name, rule_set.version),
        organization_id=rule_set.organization_id,
        rules=tuple(compiled),
        lexical=LexicalIndex(lexical) if lexical else None,
    )


def compile_rule_set(rule_set: RuleSet) -> CompiledRuleSet:
    """Compile one rule set; published versions are cached (they never change)."""
    cached = _CACHE.get(rule_set.id) if rule_set.is_published else None
    if cached is not None:
        return cached
    compiled = _compile(rule_set, Rule.objects.filter(rule_set=rule_set))
    if rule_set.is_published:
        _remember(compiled)
    return compiled


def _remember(compiled: CompiledRuleSet) -> None:
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.clear()
    _CACHE[compiled.id] = compiled


def applicable_rule_sets(org=None):
    """The rule sets the engine uses for `org`: active published global ones plus the organization's."""
    scope = Q(organization__isnull=True) | Q(organization=org) if org is not None else Q(organization__isnull=True)
    return RuleSet.objects.filter(scope, active=True, published_at__isnull=False).order_by("name", "version")


def active_rule_sets(org=None) -> list[CompiledRuleSet]:
    """Compiled active rule sets for `org` (global first): one small query, plus one on a cache miss."""
    rows = list(applicable_rule_sets(org).values_list("id", "name", "version", "organization_id"))
    # The global sets first; the organization's own after them.
    rows.sort(key=lambda row: (row[3] is not None, row[1], row[2]))
    compiled = {row[0]: _CACHE.get(row[0]) for row in rows}
    missing = [row for row in rows if compiled[row[0]] is None]
    if missing:
        by_set: dict[uuid.UUID, list[Rule]] = {row[0]: [] for row in missing}
        for rule in Rule.objects.filter(rule_set__in=list(by_set)):
            by_set[rule.rule_set_id].append(rule)
        for id_, name, version, organization_id in missing:
            stub = RuleSet(id=id_, name=name, version=version, organization_id=organization_id)
            compiled[id_] = _compile(stub, by_set[id_])
            _remember(compiled[id_])
    return [compiled[row[0]] for row in rows]


# --- evaluation --------------------------------------------------------------------------


def _language(code: str | None) -> str | None:
    if not code:
        return None
    return re.split(r"[-_]", code.strip().lower(), maxsplit=1)[0] or None


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _utf16_cut(text: str, limit: int) -> int:
    """The index of the first character beyond `limit` UTF-16 code units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def clean_hashtags(hashtags) -> list[str]:
    tags = [t.strip().lstrip("#").strip() for t in hashtags]
    return [t for t in tags if t]


def field_texts(content: PolicyInput) -> dict[str, str]:
    """The texts that phrase rules look at; match spans refer to these strings."""
    return {
        Field.TEXT.value: content.text or "",
        Field.TITLE.value: content.title or "",
        Field.HASHTAGS.value: " ".join(f"#{t}" for t in clean_hashtags(content.hashtags)),
    }


class _Prepared:
    """The input split into fields, folded lazily and only once per field."""

    def __init__(self, content: PolicyInput):
        self.content = content
        self.tags = clean_hashtags(content.hashtags)
        self.raw = field_texts(content)
        self._folded: dict[str, Folded] = {}
        self._tokens: dict[str, list] = {}
        self._unique_tags: list[str] | None = None
        self.language = _language(content.language)

    def tokens(self, name: str) -> list:
        tokens = self._tokens.get(name)
        if tokens is None:
            tokens = self._tokens[name] = tokenize(self.raw[name], self.language)
        return tokens

    def folded(self, name: str) -> Folded:
        folded = self._folded.get(name)
        if folded is None:
            folded = self._folded[name] = Folded(self.raw[name])
        return folded

    def unique_tags(self) -> list[str]:
        """Hashtags from the hashtag list and written in the text or title, each once."""
        if self._unique_tags is None:
            seen: dict[str, str] = {}
            inline = _HASHTAG.findall(self.raw[Field.TEXT]) + _HASHTAG.findall(self.raw[Field.TITLE])
            for tag in [*self.tags, *inline]:
                seen.setdefault(tag.casefold(), tag)
            self._unique_tags = list(seen.values())
        return self._unique_tags

    def caption(self) -> str:
        """The text with the hashtags from the list appended, as it would be posted."""
        text = self.raw[Field.TEXT]
        written = {t.casefold() for t in _HASHTAG.findall(text)}
        extra = [f"#{t}" for t in self.tags if t.casefold() not in written]
        return " ".join([text, *extra]) if extra and text else text or " ".join(extra)


def _hits(rule: CompiledRule, folded: Folded):
    """The rule's matches in the folded text, like `finditer` (left to right, not overlapping)."""
    if rule.keys is None:
        yield from rule.pattern.finditer(folded.text)
        return
    starts = folded.starts()
    positions = sorted(p for key in rule.keys for p in starts.get(key, ()))
    end = -1
    for position in positions:
        if position < end:
            continue
        hit = rule.pattern.match(folded.text, position)
        if hit is not None:
            end = hit.end()
            yield hit


def _pattern_matches(rule: CompiledRule, ref: RuleSetRef, prepared: _Prepared):
    if rule.pattern is None:
        return
    for name in (rule.field,) if rule.field else TEXT_FIELDS:
        raw = prepared.raw.get(name, "")
        if not raw:
            continue
        folded = prepared.folded(name)
        found = 0
        for hit in _hits(rule, folded):
            if hit.end() == hit.start():
                continue
            start, end = folded.span(hit.start(), hit.end())
            yield Match(
                rule.id, rule.code, rule.category, rule.outcome, rule.description, ref, name, start, end,
                raw[start:end], reason=rule.reason(text=raw[start:end]),
            )  # fmt: skip
            found += 1
            if found >= MAX_MATCHES_PER_RULE:
                break


def _disclosure_match(rule: CompiledRule, ref: RuleSetRef, prepared: _Prepared):
    content = prepared.content
    if not content.ai_generated or content.disclosure:
        return
    if rule.pattern is not None:
        for name in TEXT_FIELDS:
            if prepared.raw[name] and next(_hits(rule, prepared.folded(name)), None) is not None:
                return
    yield Match(rule.id, rule.code, rule.category, rule.outcome, rule.description, ref)


def _length_match(rule: CompiledRule, ref: RuleSetRef, prepared: _Prepared):
    if rule.limit is None:
        return
    raw = prepared.caption() if rule.field == Field.CAPTION else prepared.raw.get(rule.field, "")
    measured = _utf16_length(raw)
    if measured <= rule.limit:
        return
    if rule.field == Field.CAPTION:
        start = end = None
        overflow = ""
    else:
        start, end = _utf16_cut(raw, rule.limit), len(raw)
        overflow = raw[start:end]
    yield Match(
        rule.id,
        rule.code,
        rule.category,
        rule.outcome,
        rule.description,
        ref,
        rule.field,
        start,
        end,
        overflow,
        measured=measured,
        limit=rule.limit,
        reason=rule.reason(measured=measured, limit=rule.limit),
    )


def _count_match(rule: CompiledRule, ref: RuleSetRef, prepared: _Prepared):
    if rule.limit is None:
        return
    tags = prepared.unique_tags()
    if len(tags) <= rule.limit:
        return
    surplus = " ".join(f"#{t}" for t in tags[rule.limit :])
    yield Match(
        rule.id,
        rule.code,
        rule.category,
        rule.outcome,
        rule.description,
        ref,
        Field.HASHTAGS.value,
        text=surplus,
        measured=len(tags),
        limit=rule.limit,
        reason=rule.reason(measured=len(tags), limit=rule.limit),
    )


def _label_match(rule: CompiledRule, ref: RuleSetRef, prepared: _Prepared):
    """AI label and advertising label: a match when the content needs the label and no field has it."""
    content = prepared.content
    if rule.kind == MatchKind.AI_LABEL and (not content.ai_generated or content.disclosure):
        return
    if rule.kind == MatchKind.AD_LABEL and content.commercial_content != "paid_partnership":
        return
    if not _labelled(rule, prepared):
        yield Match(rule.id, rule.code, rule.category, rule.outcome, rule.description, ref, reason=rule.reason())


def _labelled(rule: CompiledRule, prepared: _Prepared) -> bool:
    """Whether a field carries one of the rule's labels (not negated: "kein #ad" is no label)."""
    for name in TEXT_FIELDS:
        raw = prepared.raw[name]
        if raw and any(not hit.negated for hit in rule.labels.search(raw, None, tokens=prepared.tokens(name))):
            return True
    return False


def _lexical_matches(rule_set: CompiledRuleSet, prepared: _Prepared, lang: str | None, platform: str | None):
    content = prepared.content
    for name in TEXT_FIELDS:
        raw = prepared.raw[name]
        if not raw:
            continue
        hits = rule_set.lexical.search(
            raw,
            lang,
            tokens=prepared.tokens(name),
            commercial=content.commercial_content or "unknown",
            applies=lambda lexical: lexical.payload.applies_to(lang, platform),
        )
        for hit in hits:
            rule: CompiledRule = hit.rule.payload
            spec = rule.spec
            if hit.negated or (hit.disclaimed and spec.disclaimer == "remove"):
                continue
            if rule.labels is not None and _labelled(rule, prepared):
                continue
            outcome, lowered = rule.outcome, ""
            if outcome == Outcome.HARD_BLOCK and hit.disclaimed and spec.disclaimer == "lower":
                outcome, lowered = Outcome.NEEDS_REVIEW.value, "disclaimer"
            elif outcome == Outcome.HARD_BLOCK and hit.quoted:
                outcome, lowered = Outcome.NEEDS_REVIEW.value, "quote"
            text = raw[hit.start : hit.end]
            yield Match(
                rule.id, rule.code, rule.category, outcome, rule.description, rule_set.ref, name, hit.start, hit.end,
                text, reason=rule.reason(text=text), lowered=lowered,
            )  # fmt: skip


_MATCHERS = {
    MatchKind.PHRASES.value: _pattern_matches,
    MatchKind.REGEX.value: _pattern_matches,
    MatchKind.DISCLOSURE.value: _disclosure_match,
    MatchKind.MAX_LENGTH.value: _length_match,
    MatchKind.MAX_COUNT.value: _count_match,
    MatchKind.AI_LABEL.value: _label_match,
    MatchKind.AD_LABEL.value: _label_match,
}
# The learned classifier's matches (see apps.compliance.classifier): one fixed id, its own "rule set".
CLASSIFIER_RULE_ID = uuid.UUID("6f1c2a8e-3d7b-5c41-9e0a-0c1a55f1e701")


def _classifier_match(prepared: _Prepared, rule_sets: list[CompiledRuleSet]) -> Match | None:
    """A review when the default rules let the text pass but the classifier sees a problem.

    Only beside the global default rule set (an organization's own rules, or a rule set under test,
    are not second-guessed) and only for German, English or an unknown language.
    """
    if prepared.language not in (None, "de", "en"):
        return None
    if not any(rs.organization_id is None and rs.ref.name == DEFAULT_RULE_SET_NAME for rs in rule_sets):
        return None
    text = " ".join(part for part in (prepared.raw[Field.TITLE], prepared.raw[Field.TEXT], *prepared.tags) if part)
    if not text.strip():
        return None
    model = classifier()
    found = model.flag(text)
    if found is None:
        return None
    category, _probability = found
    return Match(
        CLASSIFIER_RULE_ID, f"classifier-{category}", category, Outcome.NEEDS_REVIEW.value,
        "Learned classifier: resembles flagged texts of this category.", RuleSetRef("classifier", model.version),
        reason={"code": REASON_PREFIX + "classifier", "params": {}}, source="classifier",
    )  # fmt: skip


_FIELD_ORDER = {Field.TITLE.value: 0, Field.TEXT.value: 1, Field.HASHTAGS.value: 2, Field.CAPTION.value: 3, "": 4}


def evaluate(
    content: PolicyInput | str,
    org=None,
    *,
    language: str | None = None,
    rule_sets: list[CompiledRuleSet] | None = None,
) -> Verdict:
    """Check `content` against the active global rule sets and `org`'s own (or against `rule_sets`).

    A plain string is checked as the text, in `language` (None: every language's rules apply).
    """
    if isinstance(content, str):
        content = PolicyInput(text=content, language=language)
    if rule_sets is None:
        rule_sets = active_rule_sets(org)
    prepared = _Prepared(content)
    lang = prepared.language
    platform = content.platform or None
    matches: list[Match] = []
    for rule_set in rule_sets:
        if rule_set.lexical is not None:
            matches.extend(_lexical_matches(rule_set, prepared, lang, platform))
        for rule in rule_set.rules:
            if rule.kind != MatchKind.LEXICAL and rule.applies_to(lang, platform):
                matches.extend(_MATCHERS[rule.kind](rule, rule_set.ref, prepared))
    outcome = Outcome.PASS
    for match in matches:
        if SEVERITY[match.outcome] > SEVERITY[outcome]:
            outcome = Outcome(match.outcome)
    if outcome == Outcome.PASS and (learned := _classifier_match(prepared, rule_sets)) is not None:
        matches.append(learned)
        outcome = Outcome.NEEDS_REVIEW
    matches.sort(key=lambda m: (-SEVERITY[m.outcome], _FIELD_ORDER.get(m.field, 9), m.start or 0, m.code))
    return Verdict(
        outcome=outcome.value,
        matches=tuple(matches),
        rule_set_versions=tuple(rule_set.ref for rule_set in rule_sets),
    )


def describe_rule_sets(org=None) -> list[RuleSet]:
    """The rule sets that apply to `org`, with their rules, for display."""
    return list(applicable_rule_sets(org).select_related("organization").prefetch_related("rules"))
