"""Policy engine speed: `python -m bench.policy [--chars N] [--repeat N]`.

Checks a German caption of `--chars` characters (with a few matches, umlauts and hashtags)
against the active global rule sets plus an organization's own set. Prints the p95 of
`evaluate()` with compiled rule sets (the engine alone) and with the lookup of the active
rule sets (one database query), the compile time of the rule sets, and the engine as a ratio
to a bare scan of the same text with one regular expression per rule (the baseline measured
in the same run; the machines are shared and noisy).
"""

import argparse
import time
import uuid

from bench.common import emit, p95_ms, setup_django, time_calls

CAPTION = (
    "Guten Morgen aus den Alpen! Unser neuer Röstkaffee ist da: kräftig, schokoladig, mit einer Note "
    "von Haselnuss. Genuss garantiert – und für alle, die es wissen wollen: Nein, Kaffee heilt keine "
    "Krankheiten, aber er macht den Montag schöner. Wir rösten jede Woche frisch in kleinen Mengen, "
    "damit jede Tüte so schmeckt, wie sie soll. Größere Bestellungen für Büros? Schreibt uns! "
)


def caption(chars: int) -> str:
    text = (CAPTION * (chars // len(CAPTION) + 1))[: chars - 24]
    return text + " #kaffee #alpen #frühstück"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chars", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=500)
    args = parser.parse_args()
    setup_django()

    from django.db import transaction

    from apps.compliance import policy
    from apps.compliance.actions import do_publish_rule_set
    from apps.compliance.default_rules import install_default_rule_set
    from apps.compliance.models import Rule, RuleSet
    from apps.compliance.patterns import fold
    from apps.orgs.models import Organization

    # Everything the bench creates is rolled back at the end.
    with transaction.atomic():
        install_default_rule_set(RuleSet, Rule)  # normally there already (migration 0002)
        tag = uuid.uuid4().hex[:8]
        org = Organization.objects.create(name=f"Bench {tag}", slug=f"bench-{tag}")
        own = RuleSet.objects.create(organization=org, name="competitors")
        Rule.objects.create(
            rule_set=own,
            code="rivals",
            category="taboo",
            kind="phrases",
            outcome="hard_block",
            patterns="Starbucks\nTchibo\nCosta Coffee",
            description="Competitors",
        )
        do_publish_rule_set(own)

        content = policy.PolicyInput(
            text=caption(args.chars), title="Neuer Röstkaffee", hashtags=("kaffee", "alpen"), language="de"
        )
        policy.clear_cache()
        start = time.perf_counter()
        rule_sets = policy.active_rule_sets(org)
        compile_ms = (time.perf_counter() - start) * 1000
        verdict = policy.evaluate(content, rule_sets=rule_sets)
        assert verdict.matches, "the bench caption should match a few rules"

        # The baseline: the same patterns the engine applies (German, no platform), bare.
        patterns = [
            rule.pattern
            for rs in rule_sets
            for rule in rs.rules
            if rule.pattern is not None and rule.applies_to("de", None)
        ]

        def bare_scan():
            folded = fold(content.text)
            for pattern in patterns:
                for _ in pattern.finditer(folded):
                    pass

        baseline = p95_ms(time_calls(bare_scan, args.repeat))
        engine = p95_ms(time_calls(lambda: policy.evaluate(content, rule_sets=rule_sets), args.repeat))
        with_lookup = p95_ms(time_calls(lambda: policy.evaluate(content, org), args.repeat))
        emit("policy", "rules", sum(len(rs.rules) for rs in rule_sets), "count", better="higher")
        emit("policy", "compile_rule_sets_ms", compile_ms, "ms")
        emit("policy", "bare_regex_scan_p95_ms", baseline, "ms")
        emit("policy", "evaluate_ratio_to_bare_scan", engine / baseline, "ratio")
        emit("policy", "evaluate_with_lookup_p95_ms", with_lookup, "ms", target=5)
        emit("policy", "evaluate_p95_ms", engine, "ms", target=5)
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
