"""`manage.py policy_eval <tsv> [--org SLUG] [--no-rows]`: precision/recall/F1 per category and language."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from apps.compliance.evaluation import EvalError, format_report, parse_tsv, run


class Command(BaseCommand):
    help = "Evaluate the active rule sets against a labelled TSV."

    def add_arguments(self, parser):
        parser.add_argument("tsv")
        parser.add_argument("--org", help="Organization slug: also use its own rule sets.")
        parser.add_argument("--no-rows", action="store_true", help="Print only the table, not the misclassified rows.")

    def handle(self, *args, **options):
        # The table is English; its messages too (the policy page shows the viewer's language).
        with translation.override("en"):
            return self._handle(**options)

    def _handle(self, *, tsv, org=None, no_rows=False, **options):
        from apps.orgs.models import Organization

        organization = None
        if org:
            organization = Organization.objects.filter(slug=org).first()
            if organization is None:
                raise CommandError(f"No organization {org!r}.")
        try:
            rows = parse_tsv(Path(tsv).read_text(encoding="utf-8"))
        except (OSError, EvalError) as exc:
            raise CommandError(str(exc)) from exc
        report = run(rows, org=organization)
        self.stdout.write(format_report(report, rows=not no_rows))
