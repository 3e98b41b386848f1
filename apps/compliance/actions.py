"""Writes for rule sets: publish, activate, and revise (a published version becomes a new draft version)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.compliance.models import Rule, RuleSet

RULE_FIELDS = (
    "code",
    "category",
    "kind",
    "outcome",
    "patterns",
    "languages",
    "platform",
    "field",
    "limit",
    "description",
    "reason_code",
)


class PolicyRuleError(Exception):
    """A request that breaks a rule-set rule; the message is shown to the user."""


def _lock_lineage(rule_set: RuleSet) -> list[RuleSet]:
    # Serialises publishing and activating within one lineage (one active version at a time).
    return list(rule_set.lineage().select_for_update().order_by("version"))


@transaction.atomic
def do_publish_rule_set(rule_set: RuleSet, *, activate: bool = True) -> RuleSet:
    """Freeze a draft. With `activate`, it replaces the lineage's active version in the engine."""
    if rule_set.is_published:
        raise PolicyRuleError(_("This version is already published."))
    _lock_lineage(rule_set)
    for rule in Rule.objects.filter(rule_set=rule_set):
        rule.full_clean(exclude=["rule_set"])
    rule_set.published_at = timezone.now()
    rule_set.save()
    if activate:
        do_activate_rule_set(rule_set)
    return rule_set


@transaction.atomic
def do_activate_rule_set(rule_set: RuleSet) -> RuleSet:
    """Make this published version the active one of its lineage."""
    if not rule_set.is_published:
        raise PolicyRuleError(_("Publish the draft before activating it."))
    for other in _lock_lineage(rule_set):
        if other.active and other.pk != rule_set.pk:
            other.active = False
            other.save(update_fields=["active"])
    if not rule_set.active:
        rule_set.active = True
        rule_set.save(update_fields=["active"])
    return rule_set


@transaction.atomic
def do_deactivate_rule_set(rule_set: RuleSet) -> RuleSet:
    if rule_set.active:
        rule_set.active = False
        rule_set.save(update_fields=["active"])
    return rule_set


@transaction.atomic
def do_revise_rule_set(rule_set: RuleSet, *, publish: bool = False, description: str | None = None) -> RuleSet:
    """The next version of `rule_set` as a copy with all its rules: a draft, or published and active."""
    _lock_lineage(rule_set)
    new = RuleSet(
        organization=rule_set.organization,
        name=rule_set.name,
        description=rule_set.description if description is None else description,
        based_on=rule_set,
    )
    new.save()
    Rule.objects.bulk_create(
        [
            Rule(rule_set=new, **{name: getattr(rule, name) for name in RULE_FIELDS})
            for rule in Rule.objects.filter(rule_set=rule_set)
        ]
    )
    if publish:
        do_publish_rule_set(new)
    return new
