"""Every registered endpoint (tests/endpoints.py): happy path, wrong method, role without rights,
outsider, foreign objects, anonymous, and a refused request writes nothing.

The world (two organizations with one of everything) is built once for this module inside a
transaction; each test runs in a savepoint that is rolled back, so happy-path writes do not leak.
"""

from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from apps.billing import ratelimit
from apps.jobs.heartbeat import record_worker_heartbeat
from apps.orgs.roles import Role
from apps.sandbox.tiktok import state as tiktok_state
from tests.endpoints import ENDPOINTS, TENANT_KWARGS, Access, Endpoint, url_kwarg_names, url_kwargs
from tests.support.db import module_transaction
from tests.support.world import build_world
from tests.tiktok_support import CLIENT_KEY, CLIENT_SECRET

METHODS = ("get", "post", "put", "patch", "delete")
BELOW = {Role.OWNER: Role.ADMIN, Role.ADMIN: Role.EDITOR, Role.EDITOR: Role.VIEWER}
CHECKS = {
    Access.MEMBER: ("happy", "below", "outsider", "foreign", "anonymous"),
    Access.SIGNED_IN: ("happy", "anonymous"),
    Access.GUEST_REVIEWER: ("happy", "outsider", "foreign", "anonymous"),
    Access.SIGNED_LINK: ("happy", "wrong_token", "dead_token", "foreign"),
    Access.PUBLIC: ("happy",),
    Access.ANONYMOUS_OK: ("happy",),
    Access.STAFF: ("happy", "member", "anonymous"),
}


def _cases():
    for endpoint in ENDPOINTS:
        for method, call in endpoint.calls.items():
            for check in CHECKS[endpoint.access]:
                if check == "below" and call.role not in BELOW:
                    continue
                if check == "foreign" and not TENANT_KWARGS & set(url_kwarg_names(endpoint)):
                    continue
                if check == "dead_token" and not endpoint.dead:
                    continue
                yield pytest.param(endpoint, method, check, id=f"{endpoint}-{method}-{check}")
        yield pytest.param(endpoint, None, "wrong_method", id=f"{endpoint}-wrong_method")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    # The TikTok app of the sandbox; its API on a closed port, so a disconnect's revoke fails fast
    # (the account stays connected, the page says why) instead of reaching a server on 8000.
    tiktok = {"VF_TIKTOK_CLIENT_KEY": CLIENT_KEY, "VF_TIKTOK_CLIENT_SECRET": CLIENT_SECRET,
              "VF_TIKTOK_API_BASE_URL": "http://127.0.0.1:9/sandbox/tiktok"}  # fmt: skip
    media = tmp_path_factory.mktemp("media")
    tiktok_state.reset()
    try:
        with override_settings(MEDIA_ROOT=media, **tiktok), module_transaction(django_db_blocker):
            world = build_world()
            for tenant in (world.alpha, world.beta):
                for limit in ("knowledge_search", "credential_test", "post_ai_improve"):
                    ratelimit.reset(limit, tenant.org)
            record_worker_heartbeat("endpoint-matrix")  # /readyz wants a live worker
            yield world
    finally:
        tiktok_state.reset()


def url_of(endpoint: Endpoint, tenant, **swap) -> str:
    return reverse(endpoint.name, kwargs=url_kwargs(endpoint, tenant, **swap))


def send(client, method: str, url: str, call=None, tenant=None):
    payload = call.payload(tenant) if call is not None else {}
    if call is not None and call.query:
        url = f"{url}?{urlencode(call.query)}"
    return getattr(client, method)(url, **payload)


def writes(queries) -> list[str]:
    """The statements of a request that changed data (a session row aside)."""
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")
        and '"django_session"' not in q["sql"]
    ]


def refused(client, method, url, call, tenant):
    with CaptureQueriesContext(connection) as queries:
        response = send(client, method, url, call, tenant)
    assert writes(queries.captured_queries) == [], "a refused request wrote to the database"
    return response


def _main(response) -> str:
    """The page's main content, to see why a happy path was not."""
    html = response.content.decode()
    return html[html.find("<main") :][:3000]


def _visitor(world, tenant, endpoint: Endpoint, call):
    """Who makes a tenant's good request: by role for members, the tenant's guest for guest reviewers."""
    return {
        Access.MEMBER: tenant.users.get(call.role) if call is not None else tenant.users[Role.OWNER],
        Access.GUEST_REVIEWER: tenant.objects["guest"],
        Access.SIGNED_IN: tenant.users[Role.VIEWER],
        Access.STAFF: world.staff,
    }.get(endpoint.access)


def login_url(url: str) -> str:
    return f"{reverse(settings.LOGIN_URL)}?next={quote(url)}"


@pytest.mark.parametrize(("endpoint", "method", "check"), list(_cases()))
def test_endpoint(client, world, endpoint, method, check, db):
    alpha = world.alpha
    call = endpoint.calls.get(method)
    url = url_of(endpoint, alpha)

    if check == "happy":
        user = _visitor(world, alpha, endpoint, call)
        if user is not None:
            client.force_login(user)
        response = send(client, method, url, call, alpha)
        assert response.status_code == call.status, _main(response)

    elif check == "below":
        client.force_login(alpha.users[BELOW[call.role]])
        assert refused(client, method, url, call, alpha).status_code == 403

    elif check == "outsider" and endpoint.access == Access.GUEST_REVIEWER:
        # Beta's guest (granted beta's project only), and alpha's owner (a member, not a reviewer): 404.
        for user in (world.beta.objects["guest"], alpha.users[Role.OWNER]):
            client.force_login(user)
            assert refused(client, method, url, call, alpha).status_code == 404, user

    elif check == "outsider":
        client.force_login(world.outsider)
        assert refused(client, method, url, call, alpha).status_code == 404
        missing = url_of(endpoint, alpha).replace(f"/o/{alpha.org.slug}/", "/o/no-such-org/", 1)
        assert refused(client, method, missing, call, alpha).status_code == 404

    elif check == "foreign":
        # Beta's owner (guest, link visitor), in beta, with one object of alpha in the URL: 404 for each.
        if endpoint.access != Access.SIGNED_LINK:
            client.force_login(_visitor(world, world.beta, endpoint, call))
        for name in TENANT_KWARGS & set(url_kwarg_names(endpoint)):
            foreign = url_of(endpoint, world.beta, foreign=alpha, swap=name)
            assert refused(client, method, foreign, call, world.beta).status_code == 404, name
        # …while the same URL with beta's own objects works: the foreign object made the 404.
        own = send(client, method, url_of(endpoint, world.beta), call, world.beta)
        assert own.status_code == call.status, _main(own)

    elif check == "anonymous":
        response = refused(client, method, url, call, alpha)
        assert response.status_code == 302
        if endpoint.access == Access.STAFF:
            assert response["Location"].startswith(reverse("admin:login"))
        elif url == "/":  # the home page sends anonymous visitors to the login page as such
            assert response["Location"] == reverse(settings.LOGIN_URL)
        else:
            query = response.request.get("QUERY_STRING", "")
            assert response["Location"] == login_url(url + (f"?{query}" if query else ""))

    elif check == "member":  # the admin, for a member who is not staff
        client.force_login(alpha.users[Role.OWNER])
        response = refused(client, method, url, call, alpha)
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))

    elif check == "wrong_token":
        wrong = reverse(endpoint.name, kwargs=url_kwargs(endpoint, alpha) | {"token": "not-a-real-token"})
        assert refused(client, method, wrong, call, alpha).status_code == 404

    elif check == "dead_token":  # a revoked link, an expired link
        for dead in endpoint.dead:
            gone = reverse(endpoint.name, kwargs=url_kwargs(endpoint, alpha) | {"token": dead(alpha)})
            assert refused(client, method, gone, call, alpha).status_code == 404, gone

    elif check == "wrong_method":
        user = _visitor(world, alpha, endpoint, None)
        if user is not None:
            client.force_login(user)
        for wrong in set(METHODS) - set(endpoint.calls) - endpoint.also:
            assert refused(client, wrong, url, None, alpha).status_code == 405, wrong
