"""Admin smoke test: every registered model's changelist, add and change page opens for staff."""

from datetime import date, timedelta

import dramatiq
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone
from django_dramatiq.models import Task
from guardian.shortcuts import assign_perm

from apps.billing import quota
from apps.billing.models import SoftLimitNotice, UsageKind
from apps.billing.services import month_of
from apps.credentials.actions import do_add_credential, do_set_rotation_policy
from apps.jobs.models import JobRun
from apps.orgs.models import Invitation, Organization
from apps.orgs.roles import Role
from apps.planning.models import ContentPlan
from apps.posts.models import Approval, GuestInvitation, PostComment, PostItem, ReviewLink, ReviewLinkUse
from apps.projects.access import grant_project_reviewer
from apps.projects.models import Project, ProjectGroupObjectPermission, ProjectUserObjectPermission
from apps.sandbox.models import SandboxCall
from tests.support.accounts import make_member, make_user
from tests.support.db import module_transaction

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def _label(item) -> str:
    return item[0]._meta.label


@pytest.fixture
def superuser(db):
    return make_user("staff@viralforge.test", is_staff=True, is_superuser=True)


@pytest.fixture
def invitation(org, owner):
    return Invitation.objects.create(
        organization=org, email="guest@person.test", role=Role.EDITOR, invited_by=owner, expires_at=timezone.now()
    )


@pytest.fixture(scope="module")
def smoke_staff(django_db_setup, django_db_blocker):
    """A staff user, and at least one row of every model registered by our apps (and the third-party
    ones we use): built once for the module's page checks (they only read), rolled back at its end.
    Its own organization and addresses, so the module's other tests can make `org`, `owner`, … as usual."""
    with module_transaction(django_db_blocker):
        org = Organization.objects.create(name="Smoke Agency", slug="admin-smoke")
        owner = make_member(org, "owner@admin-smoke.test", Role.OWNER)
        make_member(org, "editor@admin-smoke.test", Role.EDITOR)
        viewer = make_member(org, "viewer@admin-smoke.test", Role.VIEWER)
        Invitation.objects.create(
            organization=org, email="guest@person.test", role=Role.EDITOR, invited_by=owner, expires_at=timezone.now()
        )
        project = Project.objects.create(organization=org, name="Brand", slug="brand")
        grant_project_reviewer(viewer, project)
        group = Group.objects.create(name="Reviewers")
        assign_perm("projects.review_project", group, project)
        assert ProjectGroupObjectPermission.objects.exists()
        JobRun.objects.create(organization=org, kind="demo", actor_name="demo_actor", last_error="boom")
        message = dramatiq.Message(queue_name="default", actor_name="demo_actor", args=(), kwargs={}, options={})
        Task.tasks.create_or_update_from_message(message, status=Task.STATUS_DONE, actor_name="demo_actor")
        _billing_rows(org, project)
        _plan_rows(org, project, owner)
        do_add_credential(org, provider="openrouter", secret="sk-or-admin-smoke-0123456789", actor=owner)
        do_set_rotation_policy(org, 30)
        SandboxCall.objects.create(
            service="openrouter", method="GET", path="/sandbox/openrouter/api/v1/key", status=200
        )
        _ai_rows(org, project, owner)
        _media_rows(org, project)
        _social_rows(org, project, owner)
        _variants_rows(org, project)
        yield make_user("smoke-staff@viralforge.test", is_staff=True, is_superuser=True)


def _media_rows(org, project):
    from apps.media.actions import do_record_render_assets, do_set_media_policy
    from apps.media.models import Asset, GeneratedClip, ProjectVideoSettings, ProjectVoiceSettings, Render, SceneSource

    asset = Asset.objects.create(
        organization=org, project=project, name="a.png", kind="image", file=f"org_{org.id}/assets/a.png",
        content_type="image/png", size=10, checksum="0" * 64, licence_type="own",
    )  # fmt: skip
    do_record_render_assets(PostItem.objects.for_org(org).first(), [asset])
    do_set_media_policy(org, require_licence=True)
    post = PostItem.objects.for_org(org).first()
    Render.objects.create(organization=org, project=project, post=post)
    ProjectVideoSettings.objects.create(organization=org, project=project)
    ProjectVoiceSettings.objects.create(organization=org, project=project)
    SceneSource.objects.create(organization=org, post=post, scene_index=0)
    GeneratedClip.objects.create(
        organization=org, project=project, post=post, provider="veo", prompt="Kaffee", seconds=8
    )


def _social_rows(org, project, owner):
    from apps.core import clock
    from apps.social.actions import do_connect_account, do_record_webhook_event
    from apps.social.models import Publication, PublishEvent, PublishSettings
    from apps.social.platforms import AccountInfo, Tokens

    tokens = Tokens("open-admin", ("user.info.basic",), 3600, 86400, "act.admin-smoke", "rft.admin-smoke")
    info = AccountInfo("open-admin", "Admin Smoke", "admin.smoke", "", {}, {"max_video_post_duration_sec": 60})
    account = do_connect_account(org, "tiktok", tokens, info, actor=owner)
    account.projects.add(project)
    do_record_webhook_event("tiktok", {"event": "post.publish.complete", "user_openid": "open-admin"}, clock.now())
    PublishSettings.objects.create(organization=org, project=project)
    publication = Publication.objects.create(
        organization=org, project=project, post=PostItem.objects.for_org(org).first(), account=account,
        mode="inbox", scheduled_for=clock.now(),
    )  # fmt: skip
    PublishEvent.objects.create(organization=org, publication=publication, kind="scheduled", actor=owner)


def _variants_rows(org, project):
    from apps.variants.models import Brief, Variant, VoiceExample

    brief = Brief.objects.create(
        organization=org, project=project, topic="Herbst", languages=["de"], platforms=["instagram"]
    )
    Variant.objects.create(
        organization=org, brief=brief, project=project, platform="instagram", language="de", index=1, text="Hallo"
    )
    VoiceExample.objects.create(organization=org, project=project, text="Kennst du das?")


def _ai_rows(org, project, owner):
    from apps.ai.models import (
        AgentRoute,
        AIDecision,
        BrandVoice,
        KnowledgeChunk,
        KnowledgeDoc,
        PromptTemplate,
        SimilarityEntry,
    )

    vector = [0.1] * settings.VF_EMBEDDING_DIMENSION
    PromptTemplate.objects.create(
        organization=org, key="script", system_template="Be brief.", user_template="{{ brief }}"
    )
    BrandVoice.objects.create(organization=org, voice="Warm", tone="friendly")
    AgentRoute.objects.create(organization=org, project=project, agent="script", provider="openrouter", model="m")
    AIDecision.objects.create(organization=org, agent="script", input_digest="a" * 64, outcome="ok", output={"a": 1})
    doc = KnowledgeDoc.objects.create(organization=org, kind="avoid", title="Avoid list", content="No prices.")
    KnowledgeChunk.objects.create(document=doc, organization=org, position=0, text="No prices.", embedding=vector)
    SimilarityEntry.objects.create(
        organization=org, project=project, kind="hook", text="Kennst du das?", embedding=vector
    )


def _plan_rows(org, project, owner):
    plan = ContentPlan.objects.create(organization=org, project=project, month=date(2026, 12, 1), status="ready")
    post = PostItem.objects.create(
        organization=org, project=project, plan=plan, date=date(2026, 12, 1), slot=1, format="tutorial", hook="Hook"
    )
    Approval.objects.create(organization=org, post=post, post_version=1, action="approved", actor=owner)
    GuestInvitation.objects.create(
        organization=org, project=project, email="client@brand.test", invited_by=owner, expires_at=timezone.now()
    )
    PostComment.objects.create(organization=org, post=post, author=owner, body="Looks good")
    link = ReviewLink.objects.create(
        organization=org, project=project, post=post, expires_on=date(2099, 1, 1), created_by=owner
    )
    ReviewLinkUse.objects.create(organization=org, link=link, post=post, action="opened", ip="192.0.2.1")


def _billing_rows(org, project):
    reservation = quota.reserve(org, UsageKind.TOKENS, 10, project=project, idempotency_key="admin-smoke")
    quota.commit(reservation, 8)
    quota.reserve(org, UsageKind.TOKENS, 5, project=project, idempotency_key="admin-smoke-open")
    SoftLimitNotice.objects.create(organization=org, kind=UsageKind.TOKENS, month=month_of())


def _first_row(model):
    manager = model._default_manager
    queryset = manager.unscoped() if hasattr(manager, "unscoped") else manager.all()
    return queryset.order_by("pk").first()


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("item", REGISTERED, ids=_label)
def test_changelist_add_and_change_pages_open(client, db, smoke_staff, item):
    model, model_admin = item
    client.force_login(smoke_staff)

    response = client.get(_url(model, "changelist"))
    assert response.status_code == 200, model._meta.label
    assert client.get(_url(model, "changelist"), {"q": "a"}).status_code == 200

    add = client.get(_url(model, "add"))
    expected_add = 200 if model_admin.has_add_permission(response.wsgi_request) else 403
    assert add.status_code == expected_add

    row = _first_row(model)
    assert row is not None, f"add a row of {model._meta.label} to the `rows` fixture so its change page is tested"
    change = client.get(_url(model, "change", row.pk))
    assert change.status_code == 200
    assert client.get(_url(model, "history", row.pk)).status_code == 200


def test_every_project_model_is_registered():
    """Each of our models has an admin page (staff operators work there)."""
    ours = [m for m in apps.get_models() if m.__module__.startswith("apps.")]
    missing = [m._meta.label for m in ours if m not in admin.site._registry]
    assert missing == []


def test_invitation_token_never_appears_in_admin(client, superuser, org, invitation):
    client.force_login(superuser)
    pages = [
        _url(Invitation, "changelist"),
        _url(Invitation, "changelist") + "?q=guest",
        _url(Invitation, "change", invitation.pk),
        _url(Invitation, "history", invitation.pk),
        _url(Invitation, "delete", invitation.pk),
        _url(Invitation, "add"),
        _url(org.__class__, "change", org.pk),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert invitation.token not in response.content.decode(), page
    change = client.get(_url(Invitation, "change", invitation.pk)).content.decode()
    assert "guest@person.test" in change
    assert 'name="token"' not in change


def test_saving_an_invitation_in_admin_keeps_its_token(client, superuser, org, owner, invitation):
    client.force_login(superuser)
    token = invitation.token
    response = client.post(
        _url(Invitation, "change", invitation.pk),
        {
            "organization": org.pk,
            "email": "guest@person.test",
            "role": Role.VIEWER,
            "invited_by": owner.pk,
            "expires_at_0": (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%d"),
            "expires_at_1": "12:00:00",
            "accepted_at_0": "",
            "accepted_at_1": "",
            "accepted_by": "",
        },
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.role == Role.VIEWER
    assert invitation.token == token


def test_non_staff_is_redirected_to_admin_login(client, org, owner):
    client.force_login(owner)
    for url in (reverse("admin:index"), _url(Invitation, "changelist")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_anonymous_is_redirected_to_admin_login(client, db):
    response = client.get(_url(Invitation, "changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_permissions_gets_403(client, db):
    client.force_login(make_user("helpdesk@viralforge.test", is_staff=True))
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(_url(Invitation, "changelist")).status_code == 403


def test_grant_project_reviewer_through_admin(client, superuser, org, viewer):
    """Foreign keys to tenant models (here: the project) validate and render across organizations."""
    project = Project.objects.create(organization=org, name="Brand", slug="brand")
    permission = Permission.objects.get(codename="review_project")
    client.force_login(superuser)
    response = client.post(
        _url(ProjectUserObjectPermission, "add"),
        {"user": viewer.pk, "permission": permission.pk, "content_object": project.pk},
    )
    assert response.status_code == 302
    grant = ProjectUserObjectPermission.objects.get(user=viewer)
    assert grant.content_object == project
    change = client.get(_url(ProjectUserObjectPermission, "change", grant.pk)).content.decode()
    assert _url(Project, "change", project.pk) in change  # the raw-id widget found the project


def test_saving_an_organization_with_its_member_inline(client, superuser, org, owner, editor):
    from apps.orgs.models import Membership

    client.force_login(superuser)
    members = list(Membership.objects.for_org(org).order_by("created_at"))
    data = {
        "name": "Alpha Renamed",
        "slug": org.slug,
        "memberships-TOTAL_FORMS": str(len(members)),
        "memberships-INITIAL_FORMS": str(len(members)),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for i, member in enumerate(members):
        data |= {
            f"memberships-{i}-id": str(member.id),
            f"memberships-{i}-organization": str(org.id),
            f"memberships-{i}-user": str(member.user_id),
            f"memberships-{i}-role": "admin" if member.user_id == editor.id else member.role,
        }
    response = client.post(_url(type(org), "change", org.pk), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    org.refresh_from_db()
    assert org.name == "Alpha Renamed"
    assert Membership.objects.for_org(org).get(user=editor).role == "admin"


def test_admin_names_sections_once_and_shows_decisions_and_lists_readably(client, superuser, org):
    """Issue 16 (10): no two sections of the same name; a decision's title in local time like the lists, its
    latency rounded and its output pretty-printed; the posts and plans lists name the organization."""
    import re
    from datetime import UTC, datetime

    from apps.ai.models import AIDecision
    from tests.support.posts import make_plan, make_project

    client.force_login(superuser)
    index = client.get(reverse("admin:index")).content.decode()
    sections = re.findall(r'<caption>\s*<a [^>]*class="section"[^>]*>([^<]+)</a>', index)
    assert len(sections) > 5 and len(sections) == len(set(sections)), sections
    decision = AIDecision.objects.create(
        organization=org, agent="script", input_digest="b" * 64, outcome="ok", output={"hook": "Ä", "n": [1, 2]},
        latency_ms=38.04287800085149,
    )  # fmt: skip
    AIDecision.objects.for_org(org).filter(pk=decision.pk).update(created_at=datetime(2026, 3, 10, 11, 30, tzinfo=UTC))
    html = client.get(reverse("admin:ai_aidecision_change", args=[decision.pk])).content.decode()
    assert "script ok 2026-03-10 12:30" in html  # Berlin, as the list shows it (UTC would be 11:30)
    assert "38 ms" in html and "38.0428" not in html
    pre = html[html.index('<pre class="readonly">') :]
    assert "&quot;hook&quot;: &quot;Ä&quot;" in pre and "[\n    1,\n    2\n  ]" in pre, pre[:200]
    project = make_project(org)
    make_plan(project, posts=1)
    for name in ("admin:posts_postitem_changelist", "admin:planning_contentplan_changelist"):
        page = client.get(reverse(name)).content.decode()
        assert "column-organization" in page and org.name in page, name
