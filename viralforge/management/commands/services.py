from django.conf import settings
from django.core.management.base import BaseCommand

from viralforge import embedded


class Command(BaseCommand):
    help = "Start, stop or show the embedded Postgres and Redis under var/ (used when no URL is configured)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["start", "stop", "status"])

    def handle(self, *args, action: str, **options):
        embedded_db = "DATABASE_URL" not in settings.VF_CONFIGURED_URLS
        embedded_redis = "REDIS_URL" not in settings.VF_CONFIGURED_URLS
        if action == "stop":
            stopped = embedded.stop_all(settings.VAR_DIR)
            # Only what really ran is reported as stopped (`make stop` twice says so the second time).
            self.stdout.write(f"Stopped: {', '.join(stopped)}" if stopped else "Nothing was running.")
            return
        if action == "start":
            embedded.start_configured()
        database = settings.DATABASES["default"]
        where = database.get("OPTIONS", {}).get("host") or database["HOST"]
        self.stdout.write(f"postgres: {'embedded' if embedded_db else 'external'} {where}")
        self.stdout.write(f"redis: {'embedded' if embedded_redis else 'external'} {settings.REDIS_URL}")
