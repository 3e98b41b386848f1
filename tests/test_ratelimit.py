"""Per-organization rate limits in Redis: 429 with Retry-After, per org, across processes, HTMX-friendly.

The decorated view below is mounted through this module's own `urlpatterns` (plus the real ones,
so the pages can render their header).
"""

import multiprocessing
import os
import time
import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import include, path
from django.views.decorators.http import require_POST

from apps.billing import ratelimit
from apps.billing.ratelimit import hit, rate_limit
from apps.orgs.access import org_view
from apps.orgs.roles import Role
from tests.support.accounts import make_member

LIMIT = 3


@require_POST
@org_view(Role.EDITOR)
@rate_limit("test_action", LIMIT)
def limited_view(request):
    return HttpResponse("done")


@org_view()
@rate_limit("test_lazy", lambda: 1)
def lazy_limit_view(request):
    return HttpResponse("done")


urlpatterns = [
    path("o/<slug:org_slug>/limited/", limited_view),
    path("o/<slug:org_slug>/lazy/", lazy_limit_view),
    path("", include("viralforge.urls")),
]

pytestmark = pytest.mark.urls("tests.test_ratelimit")
HX = {"HTTP_HX_REQUEST": "true"}


def test_the_call_after_the_limit_gets_429_with_retry_after(client_for, org, editor):
    client = client_for(editor)
    for _ in range(LIMIT):
        assert client.post("/o/alpha/limited/").status_code == 200
    response = client.post("/o/alpha/limited/")
    assert response.status_code == 429
    assert 55 <= int(response["Retry-After"]) <= 60
    html = response.content.decode()
    assert "Too many requests. Please try again in" in html
    assert "<html" in html  # a full page for a normal request


def test_another_org_is_not_affected(client, org, other_org, editor):
    other_editor = make_member(other_org, "editor@beta.test", Role.EDITOR)
    client.force_login(editor)
    for _ in range(LIMIT + 1):
        client.post("/o/alpha/limited/")
    assert client.post("/o/alpha/limited/").status_code == 429
    client.force_login(other_editor)
    assert client.post("/o/beta/limited/").status_code == 200


def test_the_limit_is_per_org_not_per_user(client, org, editor, owner):
    client.force_login(editor)
    for _ in range(LIMIT):
        assert client.post("/o/alpha/limited/").status_code == 200
    client.force_login(owner)
    assert client.post("/o/alpha/limited/").status_code == 429


def test_htmx_gets_a_small_fragment_for_the_message_area(client_for, org, editor):
    client = client_for(editor)
    for _ in range(LIMIT):
        client.post("/o/alpha/limited/", **HX)
    response = client.post("/o/alpha/limited/", **HX)
    assert response.status_code == 429
    assert response["HX-Reswap"] == "none"
    assert int(response["Retry-After"]) >= 1
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="messages"' in html and 'hx-swap-oob="true"' in html
    assert "Too many requests" in html


def test_refused_calls_do_not_extend_the_window(org):
    key = f"refused-{uuid.uuid4().hex}"
    assert all(hit(key, org, 2).allowed for _ in range(2))
    for _ in range(5):
        assert not hit(key, org, 2).allowed
    assert hit(key, org, 2).count == 2


def test_the_window_slides(org):
    key = f"slide-{uuid.uuid4().hex}"
    assert hit(key, org, 1, window_seconds=1).allowed
    refused = hit(key, org, 1, window_seconds=1)
    assert not refused.allowed and refused.retry_after == 1
    time.sleep(1.05)
    assert hit(key, org, 1, window_seconds=1).allowed


def _hit_in_child(name, org_id, limit) -> None:
    allowed = hit(name, org_id, limit).allowed
    os._exit(0 if allowed else 3)


def test_the_count_is_shared_between_processes(org):
    """Another process (another gunicorn worker, another machine) sees the same count."""
    name = f"shared-{uuid.uuid4().hex}"
    ctx = multiprocessing.get_context("fork")
    for _ in range(2):
        child = ctx.Process(target=_hit_in_child, args=(name, str(org.id), 2))
        child.start()
        child.join(timeout=30)
        assert child.exitcode == 0
    assert not hit(name, org, 2).allowed


def test_limit_may_be_read_at_request_time(client_for, org, viewer):
    client = client_for(viewer)
    assert client.get("/o/alpha/lazy/").status_code == 200
    assert client.get("/o/alpha/lazy/").status_code == 429


def test_outsider_still_gets_404_and_uses_nothing(client_for, org, editor, outsider):
    client = client_for(outsider)
    for _ in range(LIMIT + 2):
        assert client.post("/o/alpha/limited/").status_code == 404
    assert client_for(editor).post("/o/alpha/limited/").status_code == 200


def test_without_org_view_it_refuses_to_guess(rf: RequestFactory):
    view = rate_limit("naked", 5)(lambda request: HttpResponse("x"))
    with pytest.raises(ImproperlyConfigured):
        view(rf.get("/"))


def test_reset_forgets_the_calls(org):
    name = f"reset-{uuid.uuid4().hex}"
    hit(name, org, 1)
    assert not hit(name, org, 1).allowed
    ratelimit.reset(name, org)
    assert hit(name, org, 1).allowed
