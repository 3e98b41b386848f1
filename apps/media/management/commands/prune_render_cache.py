from django.conf import settings
from django.core.management.base import BaseCommand

from apps.media.render.cache import sweep


class Command(BaseCommand):
    help = (
        "Delete post folders of the render cache (VF_RENDER_WORKDIR) unused for longer than the age cap, then "
        "the least recently used ones until the cache fits the size cap. A deleted folder only costs re-encoding."
    )

    def add_arguments(self, parser):
        parser.add_argument("--max-age-days", type=float, default=settings.VF_RENDER_CACHE_MAX_AGE_DAYS)
        parser.add_argument("--max-total-mb", type=float, default=settings.VF_RENDER_CACHE_MAX_MB)

    def handle(self, *args, max_age_days: float, max_total_mb: float, **options):
        report = sweep(settings.VF_RENDER_WORKDIR, max_age_days=max_age_days, max_total_mb=max_total_mb)
        self.stdout.write(
            f"Removed {report.removed} post folder(s) ({report.freed_bytes / 1e6:.1f} MB); "
            f"kept {report.kept} ({report.kept_bytes / 1e6:.1f} MB)."
        )
