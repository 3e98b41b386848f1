"""`manage.py seed_demo`: idempotent demo data whose printed login works."""

import re
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from apps.orgs.models import Membership, Organization
from apps.orgs.roles import Role
from apps.projects.models import Project
from viralforge.demo import DEMO_ORG_SLUG, DEMO_PASSWORD

LOGIN_LINE = re.compile(r"^\s*(owner|admin|editor|viewer)\s+(\S+@\S+)\s+password:\s+(\S+)\s*$", re.MULTILINE)


def seed() -> str:
    out = StringIO()
    # The month plan and the asset library: tests/test_plan_demo.py (the whole command), test_media_usage.py.
    call_command("seed_demo", "--no-plan", "--no-assets", stdout=out)
    return out.getvalue()


def counts() -> dict:
    return {
        "orgs": Organization.objects.count(),
        "users": get_user_model().objects.count(),
        "emails": EmailAddress.objects.count(),
        "memberships": Membership.objects.unscoped().count(),
        "projects": Project.objects.unscoped().count(),
    }


def test_seed_creates_owner_editor_viewer_and_a_project(db):
    output = seed()
    org = Organization.objects.get(slug=DEMO_ORG_SLUG)
    roles = dict(Membership.objects.for_org(org).values_list("user__email", "role"))
    assert sorted(roles.values()) == sorted([Role.OWNER, Role.EDITOR, Role.VIEWER])
    assert Project.objects.for_org(org).count() == 1
    assert all(EmailAddress.objects.get(email=email).verified for email in roles)
    logins = LOGIN_LINE.findall(output)
    assert {(role, email) for role, email, _pw in logins} == {(role, email) for email, role in roles.items()}
    assert f"/o/{DEMO_ORG_SLUG}/" in output


def test_seed_is_idempotent(db):
    seed()
    first = counts()
    assert first == {"orgs": 1, "users": 3, "emails": 3, "memberships": 3, "projects": 1}
    seed()
    assert counts() == first


def test_seed_repairs_a_changed_demo(db):
    seed()
    org = Organization.objects.get(slug=DEMO_ORG_SLUG)
    viewer = Membership.objects.for_org(org).get(role=Role.VIEWER)
    viewer.role = Role.OWNER
    viewer.save()
    user = viewer.user
    user.set_password("someone-changed-it")
    user.save()
    seed()
    viewer.refresh_from_db()
    assert viewer.role == Role.VIEWER
    user.refresh_from_db()
    assert user.check_password(DEMO_PASSWORD)
    assert counts()["memberships"] == 3


def test_seed_leaves_other_data_alone(org, owner):
    seed()
    assert Organization.objects.filter(slug="alpha").exists()
    assert Membership.objects.for_org(org).get(user=owner).role == Role.OWNER
    owner.refresh_from_db()
    assert owner.last_organization_id is None


@pytest.mark.parametrize("role", ["owner", "editor", "viewer"])
def test_printed_password_logs_in(client, db, role):
    cache.clear()  # allauth rate limits
    logins = {r: (email, pw) for r, email, pw in LOGIN_LINE.findall(seed())}
    email, password = logins[role]
    response = client.post(reverse("account_login"), {"login": email, "password": password})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert home["Location"] == reverse("org_dashboard", args=[DEMO_ORG_SLUG])
    assert client.get(home["Location"]).status_code == 200
