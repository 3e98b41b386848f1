"""Every project URL × every role: who may do what, who learns nothing, and that a refusal changes nothing.

Rules: all members see the project list, dashboards and logos; admins and owners create projects
and change their settings, reviewers and deletion (editors and viewers get 403); outsiders get
404, also when they address another organization's project under their own organization.
"""

from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.urls import reverse

from apps.ai.actions import do_save_project_brand
from apps.orgs.models import Membership
from apps.orgs.roles import Role, role_at_least
from tests.conftest import make_member
from tests.support.projects import PNG, make_project, media_fixture, purl, snapshot, upload  # noqa: F401


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    min_role: str
    ok_status: int  # what a member with the role gets for an empty request
    project: bool = True
    member: bool = False

    def __str__(self) -> str:
        return f"{self.name}-{self.method}"


ENDPOINTS = [
    Endpoint("project_list", "get", Role.VIEWER, 200, project=False),
    Endpoint("project_create", "get", Role.ADMIN, 200, project=False),
    Endpoint("project_create", "post", Role.ADMIN, 400, project=False),
    Endpoint("project_dashboard", "get", Role.VIEWER, 200),
    Endpoint("project_logo", "get", Role.VIEWER, 200),
    Endpoint("project_settings", "get", Role.ADMIN, 200),
    Endpoint("project_settings_basics", "post", Role.ADMIN, 400),
    Endpoint("project_settings_brand", "post", Role.ADMIN, 302),  # every brand field is optional
    Endpoint("project_settings_publishing", "post", Role.ADMIN, 400),
    Endpoint("project_settings_budgets", "post", Role.ADMIN, 302),  # empty = only the plan's limits
    Endpoint("project_settings_routing", "post", Role.ADMIN, 302),  # empty = default routes
    Endpoint("project_reviewer_grant", "post", Role.ADMIN, 302, member=True),
    Endpoint("project_reviewer_revoke", "post", Role.ADMIN, 302, member=True),
    Endpoint("project_delete", "post", Role.ADMIN, 400),
]
PROJECT_ENDPOINTS = [e for e in ENDPOINTS if e.project]
ROLES = ["admin", "editor", "viewer"]  # owners: the happy paths and the 405 test


@pytest.fixture
def world(org, other_org, owner, admin_user, editor, viewer, outsider, media):
    project = make_project(org)
    do_save_project_brand(project, voice="Warm", logo=upload("logo.png", PNG), logo_kind="png")
    foreign = make_project(other_org, slug="beta-brand", name="Beta Brand")
    client_user = make_member(org, "client@alpha.test", Role.VIEWER)
    return {
        "org": org,
        "other_org": other_org,
        "project": project,
        "foreign": foreign,
        "users": {"owner": owner, "admin": admin_user, "editor": editor, "viewer": viewer, "outsider": outsider},
        "member": Membership.objects.for_org(org).get(user=client_user),
    }


def url_for(endpoint: Endpoint, world, org=None, project=None) -> str:
    return purl(
        endpoint.name,
        org or world["org"],
        (project or world["project"]) if endpoint.project else None,
        world["member"] if endpoint.member else None,
    )


def call(client, endpoint: Endpoint, url: str, method: str | None = None):
    return getattr(client, method or endpoint.method)(url)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_roles(client, world, endpoint):
    url = url_for(endpoint, world)
    for role in ROLES:
        before = snapshot(world["org"])
        client.force_login(world["users"][role])
        response = call(client, endpoint, url)
        if role_at_least(role, endpoint.min_role):
            assert response.status_code == endpoint.ok_status, role
        else:
            assert response.status_code == 403, role
            assert snapshot(world["org"]) == before, role
        client.logout()


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_outsider_and_anonymous(client, world, endpoint):
    url = url_for(endpoint, world)
    before = snapshot(world["org"])
    response = call(client, endpoint, url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={quote(url)}"

    client.force_login(world["users"]["outsider"])
    assert call(client, endpoint, url).status_code == 404
    missing = url_for(endpoint, world).replace("/o/alpha/", "/o/no-such-org/", 1)
    assert call(client, endpoint, missing).status_code == 404
    assert snapshot(world["org"]) == before


@pytest.mark.parametrize("endpoint", PROJECT_ENDPOINTS, ids=str)
def test_another_orgs_project_is_404_under_own_org(client, world, endpoint):
    """Alpha's owner addresses beta's project under /o/alpha/, and beta's owner alpha's under /o/beta/."""
    before = snapshot(world["org"]), snapshot(world["other_org"])
    client.force_login(world["users"]["owner"])
    assert call(client, endpoint, url_for(endpoint, world, project=world["foreign"])).status_code == 404
    client.force_login(world["users"]["outsider"])
    assert call(client, endpoint, url_for(endpoint, world, org=world["other_org"])).status_code == 404
    assert (snapshot(world["org"]), snapshot(world["other_org"])) == before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_wrong_method_is_405(client, world, endpoint):
    client.force_login(world["users"]["owner"])
    before = snapshot(world["org"])
    url = url_for(endpoint, world)
    allowed = {"get"} if endpoint.method == "get" else {"post"}
    if endpoint.name == "project_create":
        allowed = {"get", "post"}
    for method in {"get", "post", "put", "delete", "patch"} - allowed:
        assert call(client, endpoint, url, method).status_code == 405, method
    assert snapshot(world["org"]) == before


def test_reviewer_grant_for_another_orgs_member_is_404(client, world, other_org):
    """A membership of beta, addressed under alpha's project: 404 and no grant anywhere."""
    beta_member = Membership.objects.for_org(other_org).get(user=world["users"]["outsider"])
    client.force_login(world["users"]["owner"])
    before = snapshot(world["org"]), snapshot(other_org)
    for name in ("project_reviewer_grant", "project_reviewer_revoke"):
        assert client.post(purl(name, world["org"], world["project"], beta_member)).status_code == 404
    assert (snapshot(world["org"]), snapshot(other_org)) == before
