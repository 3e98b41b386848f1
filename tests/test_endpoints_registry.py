"""The endpoint registry (tests/endpoints.py) covers every route, and nothing it lists is stale."""

from django.test import override_settings
from django.urls import reverse

from tests.endpoints import ENDPOINTS, MOUNTS, URL_KWARGS, Access, routes, unregistered


def test_every_route_is_registered():
    assert unregistered() == [], "add these routes to tests/endpoints.py"


def test_a_new_route_without_an_entry_is_reported():
    with override_settings(ROOT_URLCONF="tests.support.urls_with_unregistered_route"):
        assert unregistered() == ["o/<slug:org_slug>/reports/"]
    assert unregistered() == []  # the temporary URLconf is gone again


def test_every_entry_names_a_route_once_and_says_what_a_good_request_gets():
    names = {route.name for route in routes()}
    registered = [endpoint.name for endpoint in ENDPOINTS]
    assert sorted(set(registered) - names) == []  # no stale entries
    assert len(registered) == len(set(registered))
    for endpoint in ENDPOINTS:
        assert endpoint.calls, endpoint
        for call in endpoint.calls.values():
            assert 200 <= call.status < 400 or call.why, endpoint  # a happy path is a 2xx or 3xx
            assert (call.role is not None) == (endpoint.access == Access.MEMBER), endpoint


def test_every_access_kind_in_use_has_its_checks():
    from tests.test_endpoints_matrix import CHECKS

    assert {endpoint.access for endpoint in ENDPOINTS} <= set(CHECKS)


def test_every_url_argument_can_be_built():
    needed = {
        name
        for route in routes()
        if not route.route.startswith(tuple(m.prefix for m in MOUNTS))
        for name in route.kwargs
    }
    assert needed <= set(URL_KWARGS)


def test_mounts_are_spot_checked_by_an_entry():
    for mount in MOUNTS:
        assert any(
            reverse(e.name, kwargs={}).lstrip("/").startswith(mount.prefix)
            for e in ENDPOINTS
            if e.access == mount.access
        ), mount
