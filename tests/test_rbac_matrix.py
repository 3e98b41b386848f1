"""Every organization URL × every role: who may do what, and who learns nothing.

Rules checked here:
- anonymous visitors are sent to the login page;
- an outsider (member of another organization only) gets 404 on every URL of `org`;
- a member below the endpoint's minimum role gets 403 (viewers on writes, editors on
  admin endpoints, admins on owner endpoints);
- members with the role get the endpoint's normal answer;
- the wrong HTTP method gets 405;
- a denied request changes nothing.
"""

import uuid
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from apps.jobs.models import JobRun, JobStatus
from apps.orgs.models import Invitation, Membership, Organization
from apps.orgs.roles import Role, role_at_least
from tests.conftest import make_member


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    min_role: str
    ok_status: int  # what a member with the role gets for an empty form
    target: str = ""  # which object of the world the URL addresses

    def __str__(self) -> str:
        return self.name


ENDPOINTS = [
    Endpoint("org_dashboard", "get", Role.VIEWER, 200),
    Endpoint("org_members", "get", Role.VIEWER, 200),
    Endpoint("member_invite", "post", Role.ADMIN, 400),
    Endpoint("member_role", "post", Role.ADMIN, 302, "membership"),
    Endpoint("member_remove", "post", Role.ADMIN, 302, "membership"),
    Endpoint("invitation_revoke", "post", Role.ADMIN, 302, "invitation"),
    # Every member may leave; it is the one write a viewer is allowed.
    Endpoint("org_leave", "post", Role.VIEWER, 302),
    Endpoint("org_settings", "get", Role.ADMIN, 200),
    Endpoint("org_rename", "post", Role.ADMIN, 400),
    Endpoint("org_transfer", "post", Role.OWNER, 400),
    Endpoint("org_delete", "post", Role.OWNER, 400),
    Endpoint("job_queue", "get", Role.VIEWER, 200),
    Endpoint("job_detail", "get", Role.VIEWER, 200, "job"),
    Endpoint("job_requeue", "post", Role.ADMIN, 302, "job"),
]
WRITE_ENDPOINTS = [e for e in ENDPOINTS if e.method == "post" and e.name != "org_leave"]
ROLES = ["owner", "admin", "editor", "viewer", "outsider", "anonymous"]
MEMBER_ROLE = {"owner": Role.OWNER, "admin": Role.ADMIN, "editor": Role.EDITOR, "viewer": Role.VIEWER}


@pytest.fixture
def world(org, other_org, owner, admin_user, editor, viewer, outsider):
    target_user = make_member(org, "target@alpha.test", Role.VIEWER)
    invitation = Invitation.objects.create(
        organization=org,
        email="invited@elsewhere.test",
        role=Role.EDITOR,
        invited_by=owner,
        expires_at=timezone.now() + timedelta(days=3),
    )
    job = JobRun.objects.create(
        organization=org, kind="demo.job", actor_name="demo_actor", status=JobStatus.DEAD, last_error="boom"
    )
    return {
        "org": org,
        "users": {"owner": owner, "admin": admin_user, "editor": editor, "viewer": viewer, "outsider": outsider},
        "membership": Membership.objects.for_org(org).get(user=target_user),
        "invitation": invitation,
        "job": job,
    }


def url_for(endpoint: Endpoint, world, org_slug: str | None = None) -> str:
    kwargs = {"org_slug": org_slug or world["org"].slug}
    if endpoint.target == "membership":
        kwargs["membership_id"] = world["membership"].id
    elif endpoint.target == "invitation":
        kwargs["invitation_id"] = world["invitation"].id
    elif endpoint.target == "job":
        kwargs["job_run_id"] = world["job"].id
    return reverse(endpoint.name, kwargs=kwargs)


def snapshot(org_id) -> tuple:
    """Everything a denied request could have touched."""
    org = Organization.objects.filter(id=org_id).values_list("name", "slug").first()
    memberships = sorted(Membership.objects.unscoped().filter(organization_id=org_id).values_list("id", "role"))
    invitations = sorted(Invitation.objects.unscoped().filter(organization_id=org_id).values_list("id", "accepted_at"))
    jobs = sorted(JobRun.objects.unscoped().filter(organization_id=org_id).values_list("id", "status"))
    return org, memberships, invitations, jobs


def request(client, method: str, url: str):
    return getattr(client, method)(url)


def sign_in(client, world, role: str):
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_matrix(client, world, endpoint, role):
    url = url_for(endpoint, world)
    sign_in(client, world, role)
    before = snapshot(world["org"].id)

    response = request(client, endpoint.method, url)

    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={quote(url)}"
        expected_denied = True
    elif role == "outsider":
        assert response.status_code == 404
        expected_denied = True
    elif not role_at_least(MEMBER_ROLE[role], endpoint.min_role):
        assert response.status_code == 403
        expected_denied = True
    else:
        assert response.status_code == endpoint.ok_status
        expected_denied = False
    if expected_denied:
        assert snapshot(world["org"].id) == before


@pytest.mark.parametrize("endpoint", WRITE_ENDPOINTS, ids=str)
def test_viewer_is_refused_every_write(client, world, endpoint):
    client.force_login(world["users"]["viewer"])
    assert request(client, "post", url_for(endpoint, world)).status_code == 403


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_wrong_method_is_405(client, world, endpoint):
    client.force_login(world["users"]["owner"])
    before = snapshot(world["org"].id)
    wrong = "post" if endpoint.method == "get" else "get"
    assert request(client, wrong, url_for(endpoint, world)).status_code == 405
    assert request(client, "put", url_for(endpoint, world)).status_code == 405
    assert request(client, "delete", url_for(endpoint, world)).status_code == 405
    assert snapshot(world["org"].id) == before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_outsider_cannot_tell_a_foreign_org_from_a_missing_one(client, world, endpoint):
    """Whatever the method, an outsider gets the same answer for `alpha` as for an org that does not exist."""
    client.force_login(world["users"]["outsider"])
    for method in ("get", "post"):
        existing = request(client, method, url_for(endpoint, world))
        missing = request(client, method, url_for(endpoint, world, org_slug="no-such-org"))
        assert existing.status_code == missing.status_code
        assert existing.status_code in (404, 405)
        if method == endpoint.method:
            assert existing.status_code == 404


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.target], ids=str)
def test_member_cannot_reach_objects_of_another_org_through_own_org(client, world, other_org, endpoint):
    """The owner of `beta` addresses alpha's membership/invitation/job under `/o/beta/...`: 404."""
    outsider = world["users"]["outsider"]
    client.force_login(outsider)
    before = snapshot(world["org"].id)
    response = request(client, endpoint.method, url_for(endpoint, world, org_slug=other_org.slug))
    assert response.status_code == 404
    assert snapshot(world["org"].id) == before


def _org_url_patterns():
    """Every URL pattern below `/o/<org_slug>/`, including ones other apps add later."""

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern

    return [(route, p) for route, p in walk(get_resolver().url_patterns, "") if route.startswith("o/<slug:org_slug>/")]


def _sample_url(route: str, org_slug: str) -> str:
    samples = {"uuid": str(uuid.uuid4()), "slug": "some-slug", "int": "1", "str": "x", "path": "x"}
    path = route.replace("<slug:org_slug>", org_slug)
    for converter, value in samples.items():
        while f"<{converter}:" in path:
            start = path.index(f"<{converter}:")
            path = path[:start] + value + path[path.index(">", start) + 1 :]
    return "/" + path


def test_org_url_list_is_covered_by_matrix():
    """The matrix above knows every URL of the orgs and jobs apps."""
    names = {p.name for _route, p in _org_url_patterns()}
    assert {e.name for e in ENDPOINTS} <= names
    assert {"org_dashboard", "org_members", "org_delete", "job_requeue"} <= names


def test_every_org_url_hides_foreign_org_from_outsider(client, org, outsider):
    """A safety net over all `/o/<org>/...` routes, also those added by other apps."""
    client.force_login(outsider)
    routes = _org_url_patterns()
    assert len(routes) >= len(ENDPOINTS)
    for route, _pattern in routes:
        for method in ("get", "post"):
            foreign = request(client, method, _sample_url(route, org.slug))
            missing = request(client, method, _sample_url(route, "no-such-org"))
            assert foreign.status_code == missing.status_code, route
            assert foreign.status_code in (404, 405), (route, method, foreign.status_code)


def test_every_org_url_sends_anonymous_to_login(client, org):
    for route, _pattern in _org_url_patterns():
        response = client.get(_sample_url(route, org.slug))
        if response.status_code == 405:
            response = client.post(_sample_url(route, org.slug))
        assert response.status_code == 302, route
        assert response["Location"].startswith(reverse("account_login")), route


@pytest.mark.parametrize(
    ("name", "method"), [("org_create", "get"), ("org_create", "post"), ("org_switch", "post"), ("home", "get")]
)
def test_global_pages_need_login(client, name, method):
    response = request(client, method, reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
