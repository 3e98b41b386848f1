"""Asset-library views beyond access (the endpoint matrix, tests/test_endpoints_matrix.py, covers
happy path, wrong method, role without rights, outsider and anonymous): filters, edits, policy, upload."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.media import actions
from apps.media.models import Asset, AssetKind, MediaPolicy
from apps.media.usage import licence_today
from tests.support.media import HX, make_post_in, png_bytes
from tests.support.posts import make_project

pytest_plugins = ["tests.media_fixtures"]  # its fixtures: samples, media_root, storage_backend
pytestmark = pytest.mark.django_db


@pytest.fixture
def asset(media_root, samples, org):
    return actions.do_add_asset_file(org, samples["png"], filename="sunrise.png", kind=AssetKind.IMAGE)


def test_library_filters_search_and_views(media_root, samples, org, owner, client_for):
    project = make_project(org)
    today = licence_today()
    image = actions.do_add_asset_file(
        org, samples["png"], filename="sunrise.png", kind=AssetKind.IMAGE, project=project
    )
    music = actions.do_add_asset_file(org, samples["music"], filename="theme.mp3", kind=AssetKind.MUSIC)
    clip = actions.do_add_asset_file(org, samples["clip"], filename="beans.mp4", kind=AssetKind.CLIP)
    actions.do_update_asset(image, name="Sunrise", project=project, tags=["sky", "morning"], licence_type="own")
    actions.do_update_asset(music, name="Theme", project=None, tags=[], licence_type="stock",
                            licensed_until=today + timedelta(days=5))  # fmt: skip
    actions.do_update_asset(clip, name="Beans", project=None, tags=[], licence_type="stock",
                            licensed_until=today - timedelta(days=1))  # fmt: skip
    client = client_for(owner)
    url = reverse("media_library", args=[org.slug])

    def names(**query):
        body = client.get(url, query, **HX).content.decode()
        return {n for n in ("Sunrise", "Theme", "Beans") if f">{n}</a>" in body}

    assert names() == {"Sunrise", "Theme", "Beans"}
    assert names(kind="music") == {"Theme"}
    assert names(project=str(project.pk)) == {"Sunrise"}
    assert names(tag="sky") == {"Sunrise"}
    assert names(q="bea") == {"Beans"}
    assert names(licence="expired") == {"Beans"}
    assert names(licence="expiring") == {"Theme"}
    assert names(licence="valid") == {"Sunrise"}
    assert names(licence="missing") == set()
    assert names(view="list") == {"Sunrise", "Theme", "Beans"}

    page = client.get(url).content.decode()
    assert "1 asset has an expired licence." in page and "1 licence expires in the next 14 days." in page
    assert "<audio controls" in page and "<video controls" in page and 'class="asset-thumb"' in page
    assert "licence-expired" in page and "licence-expiring" in page


def test_update_licence_and_refusal(asset, org, editor, client_for):
    client = client_for(editor)
    url = reverse("asset_update", args=[org.slug, asset.id])
    response = client.post(url, {"name": "Sunrise", "licence_type": "cc_by", "attribution": ""}, **HX)
    assert response.status_code == 400 and "needs the attribution text" in response.content.decode()
    asset.refresh_from_db()
    assert asset.licence_type == ""
    until = licence_today() + timedelta(days=30)
    response = client.post(url, {
        "name": "Sunrise", "licence_type": "cc_by", "attribution": "Photo: A. Person, CC BY 4.0",
        "licence_url": "https://creativecommons.org/licenses/by/4.0/", "licensed_until": until.isoformat(),
        "tags": "Sky, morning, sky",
    }, **HX)  # fmt: skip
    assert response.status_code == 200
    asset.refresh_from_db()
    assert (asset.licence_type, asset.licensed_until, asset.tags) == ("cc_by", until, ["sky", "morning"])


def test_policy_and_delete_in_use(asset, org, admin_user, client_for):
    client = client_for(admin_user)
    client.post(reverse("media_policy", args=[org.slug]), {"require_licence": "on"})
    assert MediaPolicy.current(org).require_licence is True
    client.post(reverse("media_policy", args=[org.slug]), {})
    assert MediaPolicy.current(org).require_licence is False
    post = make_post_in(org)
    actions.do_record_render_assets(post, [asset])
    detail = client.get(reverse("asset_detail", args=[org.slug, asset.id])).content.decode()
    assert reverse("post_detail", args=[org.slug, post.project.slug, post.id]) in detail
    response = client.post(reverse("asset_delete", args=[org.slug, asset.id]))
    assert response.status_code == 409 and "is used in a post" in response.content.decode()
    assert Asset.objects.for_org(org).filter(id=asset.id).exists()


def test_upload_without_js_renders_the_page(media_root, org, editor, client_for):
    response = client_for(editor).post(
        reverse("media_upload", args=[org.slug]), {"kind": "image", "file": uploaded_png()}
    )
    assert response.status_code == 201 and "<h1>" in response.content.decode()


def uploaded_png() -> SimpleUploadedFile:
    return SimpleUploadedFile("green.png", png_bytes(), content_type="image/png")
