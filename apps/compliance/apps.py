from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "apps.compliance"
    label = "compliance"
    verbose_name = _("Compliance")

    def ready(self):
        from django.db.models.signals import post_migrate

        post_migrate.connect(_sync_default_rules, sender=self)


def _sync_default_rules(sender, using="default", **kwargs):
    """After every migrate: publish the rule data files as a new default version when they changed."""
    from apps.compliance.models import Rule, RuleSet
    from apps.compliance.ruledata import sync_default_rule_set

    sync_default_rule_set(RuleSet, Rule)
