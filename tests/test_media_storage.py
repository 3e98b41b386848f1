"""Upload, serve and delete: the same tests against the local file system and against S3 (moto server)."""

import httpx
import pytest
from django.urls import reverse

from apps.media import actions, links
from apps.media.models import Asset, AssetKind, AssetSource
from tests.support.media import HX, make_post_in, uploaded

pytest_plugins = ["tests.media_fixtures"]  # its fixtures: samples, media_root, storage_backend
pytestmark = pytest.mark.django_db


def _upload(client, org, path, kind):
    url = reverse("media_upload", args=[org.slug])
    return client.post(url, {"kind": kind, "file": uploaded(path)}, **HX)


def _fetch(client, url: str, **headers) -> tuple[int, bytes, dict]:
    """Follow a signed link the way a browser does: our view, then (S3) the presigned redirect."""
    response = client.get(url, **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})
    if response.status_code == 302:
        remote = httpx.get(response["Location"], headers=headers)
        return remote.status_code, remote.content, dict(remote.headers)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body, dict(response.headers)


def test_upload_serve_range_download_delete(
    storage_backend, samples, client_for, editor, org, django_capture_on_commit_callbacks
):
    client = client_for(editor)
    response = _upload(client, org, samples["clip"], AssetKind.CLIP)
    assert response.status_code == 201, response.content.decode()
    asset = Asset.objects.for_org(org).get()
    assert (asset.kind, asset.source, asset.width, asset.height) == ("clip", AssetSource.UPLOAD, 160, 90)
    assert 0.9 <= asset.duration <= 1.2
    prefix = f"org_{org.id}/assets/{asset.id}/"
    assert storage_backend() == sorted([prefix + "beans.mp4", prefix + "preview/preview.jpg"])
    original = samples["clip"].read_bytes()
    assert asset.size == len(original)

    status, body, _headers = _fetch(client, links.signed_url(asset, editor))
    assert (status, body) == (200, original)
    status, body, headers = _fetch(client, links.signed_url(asset, editor), Range="bytes=100-299")
    assert (status, body) == (206, original[100:300])
    assert headers.get("Content-Range", headers.get("content-range")) == f"bytes 100-299/{len(original)}"
    status, body, headers = _fetch(client, links.signed_url(asset, editor, disposition="attachment"))
    disposition = headers.get("Content-Disposition", headers.get("content-disposition"))
    assert status == 200 and disposition.startswith('attachment; filename="beans.mp4"')
    status, body, _headers = _fetch(client, links.signed_url(asset, editor, part="preview"))
    assert status == 200 and body[:2] == b"\xff\xd8"  # the poster frame is a JPEG

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("asset_delete", args=[org.slug, asset.id]))
    assert response.status_code == 302
    assert not Asset.objects.for_org(org).exists()
    assert storage_backend() == []


def test_delete_keeps_files_until_commit(storage_backend, samples, org, django_capture_on_commit_callbacks):
    asset = actions.do_add_asset_file(org, samples["png"], filename="sunrise.png", kind=AssetKind.IMAGE)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.do_delete_asset(asset)
        assert len(storage_backend()) == 2  # still there: the transaction has not committed
    for callback in callbacks:
        callback()
    assert storage_backend() == []


def test_post_files_live_under_the_post_prefix(storage_backend, samples, org):
    post = make_post_in(org)
    render = actions.do_add_asset_file(
        org, samples["clip"], filename="render.mp4", kind=AssetKind.RENDER, post=post, source=AssetSource.RENDER
    )
    assert render.project_id == post.project_id and render.licence_type == "generated"
    assert storage_backend()[0].startswith(f"org_{org.id}/project_{post.project_id}/posts/{post.id}/{render.id}/")


def test_refused_upload_stores_nothing(storage_backend, samples, client_for, editor, org):
    response = _upload(client_for(editor), org, samples["fake_clip"], AssetKind.CLIP)
    assert response.status_code == 400
    assert "is not a readable video file" in response.content.decode()
    assert storage_backend() == [] and not Asset.objects.for_org(org).exists()
