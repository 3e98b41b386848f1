"""One organization with one of everything, and a second one mirroring it: the objects the endpoint
registry (tests/endpoints.py) addresses. Built once per module by the matrix, inside a transaction
that is rolled back at the end."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from apps.ai.models import AIDecision
from apps.billing.testing import subscribe
from apps.core import clock
from apps.jobs.models import JobRun, JobStatus
from apps.media.actions import do_upload_asset
from apps.media.models import AssetKind
from apps.orgs.models import Invitation, Membership, Organization
from apps.orgs.roles import Role
from apps.posts.models import PostStatus
from apps.posts.review_actions import do_revoke_review_link
from apps.projects.actions import do_save_brand_kit
from tests.support.accounts import make_member, make_user
from tests.support.credentials import add as add_credential
from tests.support.knowledge import add as add_knowledge
from tests.support.media import png_bytes
from tests.support.posts import MONTH, make_plan, make_post, make_project
from tests.support.projects import PNG, upload
from tests.support.renders import finished_render
from tests.support.review import PIN, expire, invite_guest, make_guest, make_review_link
from tests.support.social import connect_account
from tests.support.variants import make_brief, make_variant

ROLES = (Role.OWNER, Role.ADMIN, Role.EDITOR, Role.VIEWER)


@dataclass
class Tenant:
    """Everything one organization owns, by the name the URL keyword arguments use."""

    org: Organization
    users: dict[str, object]  # role → user
    objects: dict[str, object] = field(default_factory=dict)  # "project", "post", "membership", …


@dataclass
class World:
    alpha: Tenant  # the organization under test
    beta: Tenant  # another organization: its owner is the outsider
    staff: object  # a Django admin user of no organization
    loner: object  # a signed-in user of no organization

    @property
    def outsider(self):
        return self.beta.users[Role.OWNER]


def build_tenant(slug: str, name: str) -> Tenant:
    org = Organization.objects.create(name=name, slug=slug)
    users = {role: make_member(org, f"{role}@{slug}.test", role) for role in ROLES}
    subscribe(org, posts_per_month=10_000, seats=50)
    owner = users[Role.OWNER]
    target = make_member(org, f"target@{slug}.test", Role.VIEWER)
    project = make_project(org, slug=f"{slug}-brand", name=f"{name} Brand")
    do_save_brand_kit(project, logo=upload("logo.png", PNG), logo_kind="png")
    plan = make_plan(project)
    post = make_post(plan, MONTH, 1, hook=f"Drei Fehler beim Espresso ({slug})")
    objects = {
        "membership": Membership.objects.for_org(org).get(user=target),
        "invitation": Invitation.objects.create(
            organization=org,
            email=f"invited@{slug}-elsewhere.test",
            role=Role.EDITOR,
            invited_by=owner,
            expires_at=clock.now() + timedelta(days=3),
        ),
        "job_run": JobRun.objects.create(
            organization=org, kind="demo.job", actor_name="demo_actor", status=JobStatus.DEAD, last_error="boom"
        ),
        "credential": add_credential(org, "veo", actor=owner, label="Renders"),
        "doc": add_knowledge(org, title="Brand rules", actor=owner),
        "decision": AIDecision.objects.create(
            organization=org, agent="script", input_digest="a" * 64, outcome="ok", output={"a": 1}
        ),
        "project": project,
        "post": post,
        "approved_post": make_post(plan, MONTH, 2, status=PostStatus.APPROVED, approved_by=owner),
        "locked_post": make_post(plan, MONTH, 3, locked=True),
        "social_account": connect_account(org, open_id=f"open-{slug}"),
        "asset": do_upload_asset(
            org, SimpleUploadedFile("swatch.png", png_bytes(), "image/png"), kind=AssetKind.IMAGE, actor=owner
        ),
    }
    # Client review: a guest reviewer of the project (invited and accepted), a second pending guest
    # invitation, and week review links covering the post: usable, with a PIN, revoked and expired.
    week = post.date
    objects |= {
        "guest": make_guest(project, f"client@{slug}-brand.test"),
        "guest_invitation": invite_guest(project, f"pending@{slug}-brand.test", by=owner),
        "review_link": make_review_link(project, owner, week_start=week),
        "pin_review_link": make_review_link(project, owner, week_start=week, pin=PIN),
        "revoked_review_link": make_review_link(project, owner, week_start=week),
        "expired_review_link": expire(make_review_link(project, owner, week_start=week)),
    }
    do_revoke_review_link(objects["revoked_review_link"])
    objects["render"] = finished_render(post, qa_passed=False)
    objects["brief"] = make_brief(project, owner)
    objects["variant"] = make_variant(objects["brief"])
    objects["social_account"].projects.add(project)  # it may publish the project's posts
    return Tenant(org=org, users=users, objects=objects)


def build_world() -> World:
    return World(
        alpha=build_tenant("alpha", "Alpha Agency"),
        beta=build_tenant("beta", "Beta Agency"),
        staff=make_user("staff@viralforge.test", is_staff=True, is_superuser=True),
        loner=make_user("loner@nowhere.test"),
    )
