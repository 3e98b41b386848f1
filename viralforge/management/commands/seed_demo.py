from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from viralforge.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create (or refresh) the demo agency with an owner, an editor, a viewer and a demo project. Idempotent."

    def handle(self, *args, **options):
        with transaction.atomic():
            demo = seed_demo()
        base = settings.VF_BASE_URL.rstrip("/")
        self.stdout.write(self.style.SUCCESS(f"Demo agency ready: {base}/o/{demo.organization.slug}/"))
        for user, role in demo.logins:
            self.stdout.write(f"  {role:<7} {user.email}  password: {DEMO_PASSWORD}")
