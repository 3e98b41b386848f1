"""Issue 16, item 1: refusals answered to an HTMX swap are fragments for the request's target (the
page around them stays), while a normal request still gets the whole page."""

import pytest

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def test_404_and_403_to_htmx_are_fragments(client_for, org, viewer):
    client = client_for(viewer)
    missing = f"/o/{org.slug}/p/no-such-project/"
    page = client.get(missing)
    fragment = client.get(missing, **HX)
    assert page.status_code == fragment.status_code == 404
    assert b"<html" in page.content and b"site-header" in page.content
    assert b"<html" not in fragment.content and b"site-header" not in fragment.content
    assert b"This page does not exist" in fragment.content

    refused = client.post(f"/o/{org.slug}/members/invite/", {"email": "a@b.test", "role": "editor"}, **HX)
    assert refused.status_code == 403
    assert b"<html" not in refused.content and b"Not allowed" in refused.content
