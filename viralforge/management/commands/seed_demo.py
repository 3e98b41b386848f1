from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from viralforge import demo as demo_data
from viralforge.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = (
        "Create (or refresh) the demo agency with an owner, an editor, a viewer and a demo project, fill "
        "the project's current month with an offline plan, queue the videos of its first posts and, with the "
        "sandbox on, connect a sandbox TikTok "
        "account through the OAuth pages. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-plan", action="store_true", help="Do not generate the current month's plan.")
        parser.add_argument("--no-assets", action="store_true", help="Do not fill the demo asset library.")

    def handle(self, *args, **options):
        with transaction.atomic():
            demo = seed_demo()
        if not options["no_plan"]:
            # Outside the transaction: the month-plan pipeline works on several connections.
            plan, created = demo_data.fill_demo_month(demo)
            posts = plan.posts.count()
            verb = "generated" if created else "already there"
            self.stdout.write(f"Demo plan for {plan.month:%Y-%m}: {posts} posts ({verb}).")
        if not options["no_assets"]:
            added = demo_data.fill_demo_assets(demo)  # two ffmpeg runs the first time
            self.stdout.write(
                f"Demo asset library: {added} assets added." if added else "Demo asset library: already there."
            )
        if not options["no_plan"]:
            videos = demo_data.fill_demo_videos(demo)
            self.stdout.write(
                f"Demo videos: {videos} queued for the media worker." if videos else "Demo videos: already there."
            )
        account = demo_data.connect_demo_tiktok(demo)  # outside the transaction too: it makes requests
        if account is not None:
            self.stdout.write(f"Sandbox TikTok account connected: {account.display_name} (@{account.username}).")
            if not options["no_plan"]:
                published = demo_data.fill_demo_publications(demo, account)
                self.stdout.write(
                    f"Demo publishing: {published} posts scheduled to the sandbox TikTok." if published
                    else "Demo publishing: already there."
                )  # fmt: skip
        base = settings.VF_BASE_URL.rstrip("/")
        self.stdout.write(self.style.SUCCESS(f"Demo agency ready: {base}/o/{demo.organization.slug}/"))
        for user, role in demo.logins:
            self.stdout.write(f"  {role:<7} {user.email}  password: {DEMO_PASSWORD}")
