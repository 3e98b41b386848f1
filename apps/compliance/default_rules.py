"""The global default rule set: its rules are data, `apps/compliance/rules/*.toml` (see ruledata).

`manage.py ensure_defaults` (after `migrate`) calls `install_default_rule_set`: it publishes the
data files as the next version of the global `default` rule set whenever they changed (their
digest is stored on the rule set), and otherwise leaves the active version alone. A published
version never changes; staff may still revise it in the admin (that creates the next version).
"""

from apps.compliance.ruledata import DEFAULT_RULE_SET_NAME, sync_default_rule_set

__all__ = ["DEFAULT_RULE_SET_NAME", "install_default_rule_set"]


def install_default_rule_set(RuleSet, Rule):  # noqa: N803 (model classes)
    """The active default rule set, published from the data files when they changed; idempotent."""
    return sync_default_rule_set(RuleSet, Rule)
