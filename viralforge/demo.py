"""Demo data for `make run`: an agency with one member per role and a project."""

from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress

from apps.accounts.models import User
from apps.ai.offline import OfflineProvider
from apps.billing.models import Plan
from apps.billing.services import get_subscription
from apps.orgs.models import Membership, Organization
from apps.orgs.roles import Role
from apps.planning.models import PlanStatus
from apps.planning.plan_actions import current_plan
from apps.posts.plan_runs import do_generate_month_plan_now
from apps.projects.models import Project
from viralforge.env import env_str

DEMO_PASSWORD = env_str("VF_DEMO_PASSWORD", "viralforge-demo")
DEMO_ORG_SLUG = "demo-agency"
DEMO_USERS = [
    ("owner@demo.viralforge.local", "Olivia Owner", Role.OWNER, "en"),
    ("editor@demo.viralforge.local", "Emil Editor", Role.EDITOR, "de"),
    ("viewer@demo.viralforge.local", "Vera Viewer", Role.VIEWER, "de"),
]


@dataclass
class Demo:
    organization: Organization
    project: Project
    logins: list[tuple[User, str]]


def seed_demo() -> Demo:
    org, _ = Organization.objects.get_or_create(slug=DEMO_ORG_SLUG, defaults={"name": "Demo Agency"})
    logins = []
    for email, name, role, language in DEMO_USERS:
        user, created = User.objects.get_or_create(email=email, defaults={"name": name, "language": language})
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        Membership.objects.update_or_create(organization=org, user=user, defaults={"role": role})
        if user.last_organization_id is None:
            user.last_organization = org
            user.save(update_fields=["last_organization"])
        logins.append((user, role))
    _put_on_plan(org, "pro")
    project, _ = Project.objects.for_org(org).get_or_create(
        organization=org, slug="alpenglow-coffee", defaults={"name": "Alpenglow Coffee", "language": "de"}
    )
    _fill_brand_kit(project)
    return Demo(organization=org, project=project, logins=logins)


# What the demo project's brand kit starts with (only empty fields are filled: edits are kept).
DEMO_BRAND_KIT = {
    "audience": "Kaffeeliebhaber zwischen 20 und 40 in der Stadt",
    "cta": "Folge uns für mehr Kaffeewissen",
    "hashtags": ["#alpenglowcoffee", "#kaffee"],
    "topics": ["Kaffee", "Espresso", "Filterkaffee", "Latte Art", "Kaffeebohnen", "Milchschaum"],
    "content_pillars": ["Barista-Tipps", "Hinter den Kulissen", "Röstung", "Rezepte"],
    "target_platforms": ["tiktok", "instagram"],
    "colors": ["#3b2a20", "#f4e9dc"],
}


def _fill_brand_kit(project: Project) -> None:
    changed = [name for name, value in DEMO_BRAND_KIT.items() if not getattr(project, name)]
    for name in changed:
        setattr(project, name, DEMO_BRAND_KIT[name])
    if changed:
        project.save(update_fields=changed)


def fill_demo_month(demo: Demo):
    """Fill the demo project's current month from today on (in its time zone) with an offline plan, so the
    calendar is full on the first `make run`. Runs the month-plan pipeline in this process (no
    worker) with the offline provider: no network, whatever keys are configured. Idempotent: a
    month that has a ready plan is left alone. Call it outside a transaction, so the pipeline's
    threads can work in parallel. Returns (plan, created)."""
    month = demo.project.today().replace(day=1)
    plan = current_plan(demo.project, month)
    if plan is not None and plan.status == PlanStatus.READY:
        return plan, False
    owner = next((user for user, role in demo.logins if role == Role.OWNER), None)
    plan = do_generate_month_plan_now(demo.project, month, user=owner, provider=OfflineProvider())
    return plan, True


def fill_demo_assets(demo: Demo) -> int:
    """Give the demo library a brand image, a jingle whose stock licence ends in ten days (so the expiry
    warning shows) and a short clip, all made here (Pillow, ffmpeg). Idempotent: a library with assets
    is left alone. Call it outside a transaction (files are written before their rows). Returns how many
    assets were added."""
    import subprocess
    import tempfile
    from datetime import timedelta
    from pathlib import Path

    import imageio_ffmpeg
    from PIL import Image, ImageDraw

    from apps.media.actions import do_add_asset_file
    from apps.media.models import Asset, AssetKind, LicenceType
    from apps.media.usage import licence_today

    org, project = demo.organization, demo.project
    if Asset.objects.for_org(org).exists():
        return 0
    owner = next((user for user, role in demo.logins if role == Role.OWNER), None)
    ffmpeg = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i"]
    with tempfile.TemporaryDirectory() as folder:
        card = Path(folder) / "alpenglow-farbkarte.png"
        image = Image.new("RGB", (1080, 1920), "#3b2a20")
        ImageDraw.Draw(image).rectangle((0, 1280, 1080, 1920), fill="#f4e9dc")
        image.save(card)
        jingle = Path(folder) / "alpenglow-jingle.mp3"
        subprocess.run([*ffmpeg, "sine=frequency=523:duration=4", "-c:a", "libmp3lame", str(jingle)], check=True)
        clip = Path(folder) / "espresso-testbild.mp4"
        source = "testsrc2=size=540x960:rate=25:duration=3"
        subprocess.run([*ffmpeg, source, "-pix_fmt", "yuv420p", "-c:v", "libx264", str(clip)], check=True)
        files = [
            (card, AssetKind.IMAGE, {"licence_type": LicenceType.OWN}),
            (jingle, AssetKind.MUSIC, {
                "licence_type": LicenceType.STOCK, "licensed_until": licence_today() + timedelta(days=10),
                "licence_url": "https://stock.example/licences/alpenglow-jingle",
            }),
            (clip, AssetKind.CLIP, {"licence_type": LicenceType.GENERATED}),
        ]  # fmt: skip
        for path, kind, licence in files:
            do_add_asset_file(org, path, filename=path.name, kind=kind, project=project, actor=owner, licence=licence)
    return len(files)


def _put_on_plan(org: Organization, plan_slug: str) -> None:
    """The demo agency shows what a paying customer sees (managed keys, room for three members)."""
    subscription = get_subscription(org)
    plan = Plan.objects.get(slug=plan_slug)
    if subscription.plan_id != plan.id:
        subscription.plan = plan
        subscription.save(update_fields=["plan", "updated_at"])


# The sandbox creator the demo agency's TikTok account is (apps/sandbox/tiktok/data/world.json).
DEMO_TIKTOK_CREATOR = "sbx-open-alpenglow"


def connect_demo_tiktok(demo: Demo):
    """With the sandbox on, connect the sandbox TikTok creator to the demo agency through the same
    OAuth path a person takes: the Accounts page's connect button, the (sandbox) consent page and
    our callback, which exchanges the code and stores the encrypted tokens. No server needs to
    run: the pages are requested in-process (Django's test client) and the TikTok API client is
    routed in-process too. Idempotent: a connected account is left alone. Returns the account,
    or None when the sandbox is off. Call it outside a transaction."""
    # Imported here, like fill_demo_month's: only `seed_demo` needs the sandbox and the test client.
    from urllib.parse import urlsplit

    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from apps.sandbox.inprocess import InProcessTransport
    from apps.social.actions import do_set_account_projects
    from apps.social.models import AccountStatus, SocialAccount
    from apps.social.tiktok.client import use_transport

    if not settings.VF_SANDBOX_ENABLED:
        return None
    org = demo.organization
    existing = SocialAccount.objects.for_org(org).filter(platform="tiktok", open_id=DEMO_TIKTOK_CREATOR).first()
    if existing is not None and existing.status == AccountStatus.CONNECTED:
        return existing
    owner = next(user for user, role in demo.logins if role == Role.OWNER)
    browser = Client(HTTP_HOST=urlsplit(settings.VF_BASE_URL).netloc)
    browser.force_login(owner)
    with use_transport(InProcessTransport()):
        response = browser.post(reverse("social_connect", args=[org.slug, "tiktok"]))
        authorize = urlsplit(response.headers.get("Location", ""))
        if not authorize.path.startswith("/sandbox/tiktok/"):
            raise RuntimeError(f"seed_demo: connecting TikTok did not lead to the sandbox ({response.status_code}).")
        consent = {"decision": "allow", "creator": DEMO_TIKTOK_CREATOR}
        answer = browser.post(f"{authorize.path}?{authorize.query}", consent)
        back = urlsplit(answer.headers.get("Location", ""))
        browser.get(f"{back.path}?{back.query}")
    account = SocialAccount.objects.for_org(org).filter(platform="tiktok", open_id=DEMO_TIKTOK_CREATOR).first()
    if account is None or account.status != AccountStatus.CONNECTED:
        raise RuntimeError("seed_demo: the sandbox TikTok account could not be connected.")
    do_set_account_projects(account, [demo.project.id], actor=owner)
    return account


DEMO_VIDEOS = 3


def fill_demo_videos(demo: Demo) -> int:
    """Approve the first posts of the demo month and queue their videos, so a newcomer sees finished
    videos a few minutes after the first `make run` (the media worker renders them; nothing waits here).
    Idempotent: posts that have a render are left alone. Call it outside a transaction. Returns how many
    renders were queued."""
    from apps.media.actions import do_request_render
    from apps.media.models import Render
    from apps.posts.actions import PostError, do_approve_post
    from apps.posts.models import PostStatus

    month = demo.project.today().replace(day=1)
    plan = current_plan(demo.project, month)
    if plan is None:
        return 0
    owner = next((user for user, role in demo.logins if role == Role.OWNER), None)
    rendered = set(Render.objects.for_org(demo.organization).filter(post__plan=plan).values_list("post_id", flat=True))
    queued = 0
    for post in plan.posts.order_by("date", "slot")[:DEMO_VIDEOS]:
        if post.id in rendered:
            continue
        if post.status != PostStatus.APPROVED:
            try:
                post = do_approve_post(post, actor=owner, version=post.version)
            except PostError:
                pass  # no approval step or a policy hold: render the draft all the same
        do_request_render(post, actor=owner, language="de")
        queued += 1
    return queued


DEMO_PUBLISH_AFTER = (timedelta(minutes=15), timedelta(days=1))


def fill_demo_publications(demo: Demo, account) -> int:
    """Publishing in the demo: the owner's composer choices and consent for the posts whose videos
    `fill_demo_videos` queued, the first going out 15 minutes after seeding (by then the media worker has
    rendered it; the scheduler publishes it to the sandbox TikTok and its calendar card turns "published"
    with the sandbox link), the second a day later (its card shows "scheduled"). Idempotent: posts with a
    publication are left alone. Returns how many were scheduled."""
    from apps.core import clock
    from apps.media.models import Render
    from apps.social.models import Publication
    from apps.social.publish.actions import ComposerChoices, PublishError, do_save_composer

    owner = next((user for user, role in demo.logins if role == Role.OWNER), None)
    options = account.creator_info.get("privacy_level_options") or ["SELF_ONLY"]
    privacy = "PUBLIC_TO_EVERYONE" if "PUBLIC_TO_EVERYONE" in options else options[0]
    rendered = Render.objects.for_org(demo.organization).filter(post__project=demo.project)
    rendered = rendered.order_by("post__date", "post__slot")
    post_ids = list(dict.fromkeys(rendered.values_list("post_id", flat=True)))[: len(DEMO_PUBLISH_AFTER)]
    taken = set(Publication.objects.for_org(demo.organization).values_list("post_id", flat=True))
    scheduled = 0
    for post_id, after in zip(post_ids, DEMO_PUBLISH_AFTER, strict=False):
        if post_id in taken:
            continue
        post = demo.project.posts.select_related("project").get(id=post_id)
        choices = ComposerChoices(
            title=post.caption[:2000], privacy_level=privacy, allow_comment=False, allow_duet=False,
            allow_stitch=False, consent=True,
        )  # fmt: skip
        try:
            do_save_composer(post, account, choices, actor=owner, at=clock.now() + after)
        except PublishError:
            continue
        scheduled += 1
    return scheduled
