"""The default rule set as data: `apps/compliance/rules/<category>.<language>.toml`, validated at load.

Each file names its category and language, defines term sets (`[sets]`, used as "@name" in
groups) and lists `[[rules]]`. `default_rule_specs()` expands them into the rows the
`default` global rule set stores; `sync_default_rule_set()` (run after `migrate`) publishes a
new version whenever the files changed (their digest is stored on the rule set), so the rule
set stays versioned like any other.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from apps.compliance.lexical import RULES_DIR, LexicalSpec, atoms
from apps.compliance.reasons import REASONS

DEFAULT_RULE_SET_NAME = "default"
DEFAULT_DESCRIPTION = "ViralForge defaults, from apps/compliance/rules/ (German and English)."
OUTCOMES = {"block": "hard_block", "review": "needs_review"}


class FileRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[a-z0-9-]{3,50}$")
    kind: Literal["lexical", "ai_label", "ad_label", "regex", "max_length", "max_count"] = "lexical"
    severity: Literal["block", "review"]
    reason: str
    groups: list[list[str]] = Field(default_factory=list)
    window: int = 8
    scope: Literal["clause", "sentence", "text"] = "sentence"
    negation: Literal["suppress", "ignore"] = "suppress"
    disclaimer: Literal["ignore", "remove", "lower"] = "ignore"
    unless: list[str] = Field(default_factory=list)
    commercial: list[Literal["none", "own_brand", "paid_partnership", "unknown"]] = Field(default_factory=list)
    unless_labelled: list[str] = Field(default_factory=list)
    regex: str = ""
    field: Literal["", "text", "title", "caption", "hashtags"] = ""
    limit: int | None = None
    platforms: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self):
        if self.reason not in REASONS:
            raise ValueError(f"unknown reason {self.reason!r}")
        if self.kind in ("lexical", "ai_label", "ad_label") and not self.groups:
            raise ValueError("a lexical rule needs groups")
        if self.kind == "regex" and not self.regex:
            raise ValueError("a regex rule needs regex")
        if self.kind in ("max_length", "max_count") and (self.limit is None or not self.field):
            raise ValueError("a limit rule needs field and limit")
        return self


class RuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: Literal["medical", "financial", "restricted", "taboo", "disclosure", "platform"]
    language: Literal["", "de", "en"]
    sets: dict[str, list[str]] = Field(default_factory=dict)
    rules: list[FileRule]


def _expand(terms: list[str], sets: dict[str, list[str]], where: str) -> list[str]:
    out: list[str] = []
    for term in terms:
        if term.startswith("@"):
            if term[1:] not in sets:
                raise ValueError(f"{where}: unknown set {term}")
            out.extend(sets[term[1:]])
        else:
            out.append(term)
    for term in out:
        atoms(term)  # raises PatternError on a malformed term
    return list(dict.fromkeys(out))


def load_files() -> list[tuple[str, RuleFile]]:
    files = []
    for path in sorted(RULES_DIR.glob("*.toml")):
        if path.name.startswith("language."):
            continue
        with open(path, "rb") as handle:
            files.append((path.name, RuleFile.model_validate(tomllib.load(handle))))
    return files


@lru_cache(maxsize=1)
def default_rule_specs() -> tuple[dict, ...]:
    """The rows of the default rule set (Rule model fields), from the data files."""
    specs = []
    for name, data in load_files():
        for rule in data.rules:
            where = f"{name}:{rule.code}"
            base = {
                "category": data.category,
                "outcome": OUTCOMES[rule.severity],
                "languages": [data.language] if data.language else [],
                "reason_code": rule.reason,
                "description": str(REASONS[rule.reason].template)[:300],
                "field": rule.field,
                "limit": rule.limit,
            }
            if rule.kind in ("lexical", "ai_label", "ad_label"):
                spec = LexicalSpec(
                    groups=[_expand(group, data.sets, where) for group in rule.groups],
                    window=rule.window,
                    scope=rule.scope,
                    negation=rule.negation,
                    disclaimer=rule.disclaimer,
                    unless=_expand(rule.unless, data.sets, where),
                    commercial=rule.commercial,
                    unless_labelled=_expand(rule.unless_labelled, data.sets, where),
                )
                base["patterns"] = spec.model_dump_json(exclude_defaults=True)
            elif rule.kind == "regex":
                base["patterns"] = rule.regex
            else:
                base["patterns"] = ""
            for platform in rule.platforms or [""]:
                code = f"{rule.code}-{platform.replace('_', '-')}" if len(rule.platforms) > 1 else rule.code
                specs.append(base | {"code": code, "kind": rule.kind, "platform": platform})
    return tuple(specs)


def digest() -> str:
    payload = json.dumps([sorted(spec.items()) for spec in default_rule_specs()], sort_keys=True, default=str)
    language = b"".join((RULES_DIR / f"language.{code}.toml").read_bytes() for code in ("de", "en"))
    return hashlib.sha256(payload.encode() + language).hexdigest()


def sync_default_rule_set(RuleSet, Rule):  # noqa: N803 (model classes, also historical ones)
    """Publish the data files as the next version of the global default rule set, unless it is current.

    Returns the new version, or None when the active version already has the files' digest.
    """
    from django.db import transaction
    from django.db.models import Max
    from django.utils import timezone

    current = digest()
    scope = RuleSet.objects.filter(organization__isnull=True, name=DEFAULT_RULE_SET_NAME)
    with transaction.atomic():
        active = scope.filter(active=True).first()
        if active is not None and active.source_digest == current:
            return None  # nothing to publish
        version = (scope.aggregate(latest=Max("version"))["latest"] or 0) + 1
        rule_set = RuleSet.objects.create(
            organization=None,
            name=DEFAULT_RULE_SET_NAME,
            version=version,
            description=DEFAULT_DESCRIPTION,
            source_digest=current,
            based_on=active,
        )
        Rule.objects.bulk_create([Rule(rule_set=rule_set, **spec) for spec in default_rule_specs()])
        scope.filter(active=True).update(active=False)
        RuleSet.objects.filter(organization__isnull=True, pk=rule_set.pk).update(
            published_at=timezone.now(), active=True
        )
    return RuleSet.objects.filter(organization__isnull=True, pk=rule_set.pk).first()
