"""Signed links: only the member they were issued to, only until they expire, never after tampering."""

from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse

from apps.core import clock
from apps.media import actions, links
from apps.media.models import AssetKind
from apps.orgs.models import Membership
from apps.orgs.roles import Role

pytest_plugins = ["tests.media_fixtures"]  # its fixtures: samples, media_root, storage_backend
pytestmark = pytest.mark.django_db


@pytest.fixture
def asset(media_root, samples, org):
    return actions.do_add_asset_file(org, samples["png"], filename="sunrise.png", kind=AssetKind.IMAGE)


def _get(client, url):
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


def test_link_works_for_its_member(asset, viewer, client_for, samples):
    response = _get(client_for(viewer), links.signed_url(asset, viewer))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}


def test_member_of_another_organization_gets_404(asset, owner, outsider, client_for):
    url = links.signed_url(asset, owner)
    assert _get(client_for(outsider), url).status_code == 404
    # Even a link "issued" to the outsider (as if signed for them) does not open another organization's asset.
    assert _get(client_for(outsider), links.signed_url(asset, outsider)).status_code == 404


def test_member_of_both_organizations_cannot_reach_it_through_the_other(asset, owner, other_org, client_for):
    Membership.objects.create(organization=other_org, user=owner, role=Role.OWNER)
    url = links.signed_url(asset, owner).replace(f"/o/{asset.organization.slug}/", f"/o/{other_org.slug}/")
    assert _get(client_for(owner), url).status_code == 404


def test_expired_link_is_refused(asset, owner, client_for):
    client = client_for(owner)
    with clock.freeze():
        url = links.signed_url(asset, owner, seconds=60)
        assert _get(client, url).status_code == 200
        clock.advance(timedelta(seconds=61))
        assert _get(client, url).status_code == 403


def test_tampered_link_is_refused(asset, owner, editor, client_for):
    client = client_for(owner)
    url = links.signed_url(asset, owner)
    token = url.rstrip("/").rsplit("/", 1)[1]
    payload = signing.loads(token, salt=links.SALT)
    forged = signing.dumps(payload | {"e": payload["e"] + 10**6}, salt="another salt")
    assert _get(client, url.replace(token, forged)).status_code == 403
    flipped = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert _get(client, url.replace(token, flipped)).status_code == 403
    # A link issued to a colleague is theirs only.
    assert _get(client, links.signed_url(asset, editor)).status_code == 403


def test_anonymous_is_sent_to_sign_in(asset, owner, client):
    response = client.get(links.signed_url(asset, owner))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_link_for_another_asset_is_refused(asset, owner, client_for, samples, org):
    other = actions.do_add_asset_file(org, samples["clip"], filename="beans.mp4", kind=AssetKind.CLIP)
    url = links.signed_url(asset, owner)
    token = url.rstrip("/").rsplit("/", 1)[1]
    swapped = reverse("media_asset_file", args=[org.slug, other.id, token])
    assert _get(client_for(owner), swapped).status_code == 403


def test_ranges(asset, owner, client_for, samples):
    client = client_for(owner)
    data = samples["png"].read_bytes()
    url = links.signed_url(asset, owner)
    response = client.get(url, HTTP_RANGE="bytes=-10")
    assert response.status_code == 206 and b"".join(response.streaming_content) == data[-10:]
    response = client.get(url, HTTP_RANGE=f"bytes={len(data)}-")
    assert response.status_code == 416 and response["Content-Range"] == f"bytes */{len(data)}"
    response = client.head(url)
    assert response.status_code == 200 and response["Accept-Ranges"] == "bytes"
