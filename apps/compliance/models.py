"""Versioned policy rule sets: data that staff edit in the Django admin.

A rule set is global (no organization) or belongs to one organization. It starts as a
draft; publishing freezes it. A published version never changes again (only whether it is
active): editing it creates the next version of the same name. The policy engine
(`apps.compliance.policy`) uses the active published versions: the global ones plus the
organization's own.
"""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.compliance.lexical import parse_spec
from apps.compliance.patterns import PatternError, compile_patterns
from apps.orgs.models import Organization
from apps.orgs.tenancy import TenantModel


class Category(models.TextChoices):
    MEDICAL = "medical", _("Medical claims")
    FINANCIAL = "financial", _("Financial promises")
    TABOO = "taboo", _("Taboo list")
    RESTRICTED = "restricted", _("Political content")
    PLATFORM = "platform", _("Platform rules")
    DISCLOSURE = "disclosure", _("Disclosure (advertising, AI)")


class Outcome(models.TextChoices):
    PASS = "pass", _("Pass")
    NEEDS_REVIEW = "needs_review", _("Needs review")
    HARD_BLOCK = "hard_block", _("Blocked")


RULE_OUTCOMES = [
    (Outcome.NEEDS_REVIEW.value, Outcome.NEEDS_REVIEW.label),
    (Outcome.HARD_BLOCK.value, Outcome.HARD_BLOCK.label),
]


class MatchKind(models.TextChoices):
    PHRASES = "phrases", _("Words and phrases")
    REGEX = "regex", _("Regular expressions")
    MAX_LENGTH = "max_length", _("Maximum length")
    MAX_COUNT = "max_count", _("Maximum number of hashtags")
    DISCLOSURE = "disclosure", _("AI disclosure required")
    LEXICAL = "lexical", _("Terms with lemmas, proximity and negation")
    AI_LABEL = "ai_label", _("AI label required (terms)")
    AD_LABEL = "ad_label", _("Advertising label required for paid partnerships (terms)")


LEXICAL_KINDS = (MatchKind.LEXICAL, MatchKind.AI_LABEL, MatchKind.AD_LABEL)


class Field(models.TextChoices):
    TEXT = "text", _("Text")
    TITLE = "title", _("Title")
    CAPTION = "caption", _("Caption (text and hashtags as posted)")
    HASHTAGS = "hashtags", _("Hashtags")


class Platform(models.TextChoices):
    TIKTOK = "tiktok", "TikTok"
    INSTAGRAM = "instagram", "Instagram"
    YOUTUBE_SHORTS = "youtube_shorts", "YouTube Shorts"
    X = "x", "X"
    LINKEDIN = "linkedin", "LinkedIn"
    FACEBOOK = "facebook", "Facebook"
    THREADS = "threads", "Threads"
    PINTEREST = "pinterest", "Pinterest"


# The fields a published version may not change; only `active` may.
FROZEN_FIELDS = ("organization_id", "name", "version", "description", "published_at", "based_on_id")


class RuleSetLocked(Exception):
    """A change to a published rule set or its rules; the message is shown to the user."""


class RuleSet(TenantModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rule_sets",
        verbose_name=_("organization"),
        help_text=_("Empty: a global rule set that applies to every organization."),
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("The versions of one rule set share its name (per organization).")
    )
    version = models.PositiveIntegerField(_("version"), editable=False)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(
        _("active"), default=False, editable=False, help_text=_("The policy engine uses active published versions.")
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    based_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("based on"),
    )
    source_digest = models.CharField(_("source digest"), max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name", "version"],
                condition=Q(organization__isnull=False),
                name="compliance_ruleset_org_version",
            ),
            models.UniqueConstraint(
                fields=["name", "version"],
                condition=Q(organization__isnull=True),
                name="compliance_ruleset_global_version",
            ),
            models.UniqueConstraint(
                fields=["organization", "name"],
                condition=Q(active=True, organization__isnull=False),
                name="compliance_ruleset_org_one_active",
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(active=True, organization__isnull=True),
                name="compliance_ruleset_global_one_active",
            ),
            models.CheckConstraint(
                condition=Q(active=False) | Q(published_at__isnull=False), name="compliance_ruleset_active_published"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version} ({self.scope_label})"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def scope_label(self) -> str:
        return str(_("global")) if self.organization_id is None else str(self.organization)

    def lineage(self):
        """All versions of this rule set (same organization, same name)."""
        scope = (
            Q(organization__isnull=True) if self.organization_id is None else Q(organization_id=self.organization_id)
        )
        return RuleSet.objects.filter(scope, name=self.name)

    def next_version(self) -> int:
        latest = self.lineage().aggregate(latest=models.Max("version"))["latest"]
        return (latest or 0) + 1

    def validate_unique(self, exclude=None):
        # A random UUID primary key needs no uniqueness query (it would be an unscoped tenant query).
        super().validate_unique(exclude={*(exclude or ()), "id"})

    def save(self, *args, **kwargs):
        if self.version is None:
            self.version = self.next_version()
        if not self._state.adding:
            stored = RuleSet.objects.unscoped().filter(pk=self.pk).values(*FROZEN_FIELDS).first()
            if stored and stored["published_at"] is not None:
                if any(stored[field] != getattr(self, field) for field in FROZEN_FIELDS):
                    raise RuleSetLocked(self._locked_message())
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_published:
            raise RuleSetLocked(self._locked_message())
        return super().delete(*args, **kwargs)

    def _locked_message(self) -> str:
        return _("Version %(version)s of %(name)s is published and cannot be changed; save it as a new version.") % {
            "version": self.version,
            "name": self.name,
        }


LANGUAGE_CHOICES = [(code, name) for code, name in settings.LANGUAGES]


class Rule(TenantModel):
    tenant_path = "rule_set__organization"
    tenant_scope_fields = ("rule_set",)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="rules", verbose_name=_("rule set"))
    code = models.SlugField(_("code"), max_length=60, help_text=_("Stable name of the rule within its rule set."))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=MatchKind.choices, default=MatchKind.PHRASES)
    outcome = models.CharField(_("outcome"), max_length=20, choices=RULE_OUTCOMES, default=Outcome.NEEDS_REVIEW)
    patterns = models.TextField(
        _("patterns"),
        blank=True,
        help_text=_(
            "One per line. Phrases: case, umlauts and ß do not matter (ä = ae, ß = ss), whole words only; "
            "{a,b,} lists endings (heil{en,t,ung}), a trailing * allows any ending. "
            "Regular expressions: Python syntax, matched case-insensitively on the normalised text. "
            "AI disclosure: the labels that count as a disclosure."
        ),
    )
    languages = ArrayField(
        models.CharField(max_length=8, choices=LANGUAGE_CHOICES),
        blank=True,
        default=list,
        verbose_name=_("languages"),
        help_text=_("Comma-separated language codes (de,en); empty: every language."),
    )
    platform = models.CharField(
        _("platform"), max_length=20, choices=Platform.choices, blank=True, help_text=_("Empty: every platform.")
    )
    field = models.CharField(
        _("field"), max_length=20, choices=Field.choices, blank=True, help_text=_("Empty: text, title and hashtags.")
    )
    limit = models.PositiveIntegerField(_("limit"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=300, help_text=_("Shown to the user as the reason."))
    reason_code = models.CharField(
        _("reason code"),
        max_length=60,
        blank=True,
        help_text=_("A reason of apps.compliance.reasons; shown in the viewer's language instead of the description."),
    )

    class Meta:
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        ordering = ["category", "code"]
        constraints = [models.UniqueConstraint(fields=["rule_set", "code"], name="compliance_rule_code_per_set")]

    def __str__(self) -> str:
        return self.code

    def validate_unique(self, exclude=None):
        # A random UUID primary key needs no uniqueness query (it would be an unscoped tenant query).
        super().validate_unique(exclude={*(exclude or ()), "id"})

    def clean(self):
        super().clean()
        errors: dict[str, str] = {}
        if self.kind in LEXICAL_KINDS:
            try:
                parse_spec(self.patterns)
            except PatternError as exc:
                errors["patterns"] = str(exc)
        elif self.kind in (MatchKind.PHRASES, MatchKind.REGEX, MatchKind.DISCLOSURE):
            if self.kind != MatchKind.DISCLOSURE and not self.patterns.strip():
                errors["patterns"] = _("Enter at least one pattern.")
            else:
                try:
                    compile_patterns(self.kind, self.patterns)
                except PatternError as exc:
                    errors["patterns"] = str(exc)
            if self.field == Field.CAPTION:
                errors["field"] = _(
                    "Patterns are matched in the text, title or hashtags; choose one or leave it empty."
                )
        if self.kind == MatchKind.MAX_LENGTH:
            if self.field not in (Field.TEXT, Field.TITLE, Field.CAPTION):
                errors["field"] = _("A length rule needs the text, the title or the caption.")
            if self.limit is None:
                errors["limit"] = _("Enter the limit.")
        if self.kind == MatchKind.MAX_COUNT:
            if self.field != Field.HASHTAGS:
                errors["field"] = _("Only hashtags can be counted.")
            if self.limit is None:
                errors["limit"] = _("Enter the limit.")
        if errors:
            raise ValidationError(errors)
        if self.rule_set_id is not None and self._rule_set_is_published():
            raise ValidationError(self.rule_set._locked_message())

    def _rule_set_is_published(self) -> bool:
        return RuleSet.objects.unscoped().filter(pk=self.rule_set_id, published_at__isnull=False).exists()

    def save(self, *args, **kwargs):
        if self._rule_set_is_published():
            raise RuleSetLocked(self.rule_set._locked_message())
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._rule_set_is_published():
            raise RuleSetLocked(self.rule_set._locked_message())
        return super().delete(*args, **kwargs)
