"""`manage.py ensure_defaults`: the rows every installation starts with, each from its one source.

Idempotent (what exists is left as staff edited it); `make run`, the test session and the benches
run it after `migrate`.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from apps.ai.default_prompts import install_default_prompts
from apps.ai.models import PromptTemplate
from apps.billing.models import Plan
from apps.billing.plans import ensure_seed_plans
from apps.compliance.default_rules import install_default_rule_set
from apps.compliance.models import Rule, RuleSet


def ensure_defaults() -> dict[str, int]:
    """Create the missing defaults; returns how many rows of each kind were created."""
    with transaction.atomic():
        plans_before = Plan.objects.count()
        ensure_seed_plans()
        prompts = install_default_prompts(PromptTemplate)
        rule_set = install_default_rule_set(RuleSet, Rule)
        return {
            "plans": Plan.objects.count() - plans_before,
            "prompts": prompts,
            "rule sets": 0 if rule_set is None else 1,
        }


class Command(BaseCommand):
    help = "Create the default plans, prompts and policy rule set where they are missing (idempotent)."

    def handle(self, *args, **options):
        created = ensure_defaults()
        self.stdout.write("Defaults: " + ", ".join(f"{count} {kind} created" for kind, count in created.items()))
