"""Upload checks: disguised, broken, oversized, wrong-type and duplicate files, the storage quota, previews."""

import pytest
from django.urls import reverse
from django.utils import translation

from apps.billing.plans import ensure_seed_plans
from apps.media import actions
from apps.media.models import Asset, AssetKind
from tests.support.media import HX, uploaded

pytest_plugins = ["tests.media_fixtures"]  # its fixtures: samples, media_root, storage_backend
pytestmark = pytest.mark.django_db


def _post(client, org, path_or_file, kind, **extra):
    file = path_or_file if hasattr(path_or_file, "read") else uploaded(path_or_file)
    return client.post(reverse("media_upload", args=[org.slug]), {"kind": kind, "file": file}, **extra)


def _nothing_stored(org, root) -> bool:
    files = [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
    return not files and not Asset.objects.for_org(org).exists()


@pytest.mark.parametrize(
    ("sample", "kind", "english", "german"),
    [
        ("fake_clip", AssetKind.CLIP, "is not a readable video file", "ist keine lesbare Video-Datei"),
        ("fake_png", AssetKind.IMAGE, "is not a readable image file", "ist keine lesbare Bild-Datei"),
        ("fake_music", AssetKind.MUSIC, "is not a readable audio file", "ist keine lesbare Audio-Datei"),
        ("png", AssetKind.CLIP, "this kind accepts only", "nimmt nur"),
    ],
)
def test_disguised_or_wrong_files_are_refused_in_both_languages(
    media_root, samples, client_for, editor, org, sample, kind, english, german
):
    client = client_for(editor)
    response = _post(client, org, samples[sample], kind, **HX)
    assert response.status_code == 400
    assert english in response.content.decode()
    editor.language = "de"
    editor.save()
    response = _post(client, org, samples[sample], kind, **HX)
    assert response.status_code == 400 and german in response.content.decode()
    assert _nothing_stored(org, media_root)


def test_oversized_file_is_refused(media_root, samples, client_for, editor, org, settings):
    settings.VF_MEDIA_LIMITS = settings.VF_MEDIA_LIMITS | {"image": {"max_bytes": 100, "extensions": ("png",)}}
    response = _post(client_for(editor), org, samples["png"], AssetKind.IMAGE)  # without JS: the whole page
    body = response.content.decode()
    assert response.status_code == 400 and "this kind accepts at most 0.0 MB" in body and "<h1>" in body
    assert _nothing_stored(org, media_root)


def test_image_gets_a_thumbnail_and_fonts_and_music_are_probed(media_root, samples, org):
    image = actions.do_add_asset_file(org, samples["png"], filename="sunrise.png", kind=AssetKind.IMAGE)
    assert (image.width, image.height, image.content_type) == (64, 48, "image/png")
    assert image.preview.name.endswith("preview/preview.jpg")
    music = actions.do_add_asset_file(org, samples["music"], filename="theme.mp3", kind=AssetKind.MUSIC)
    assert music.content_type == "audio/mpeg" and 0.9 <= music.duration <= 1.2 and not music.preview
    font = actions.do_add_asset_file(org, samples["font"], filename="DejaVuSans.ttf", kind=AssetKind.FONT)
    assert font.content_type == "font/ttf"
    with pytest.raises(actions.MediaError, match="not a readable font"):
        actions.do_add_asset_file(org, samples["fake_png"], filename="fake.ttf", kind=AssetKind.FONT)


def test_duplicate_is_offered_for_reuse(media_root, samples, client_for, editor, org):
    client = client_for(editor)
    assert _post(client, org, samples["png"], AssetKind.IMAGE, **HX).status_code == 201
    existing = Asset.objects.for_org(org).get()
    response = _post(client, org, uploaded(samples["png"], "copy.png"), AssetKind.IMAGE, **HX)
    body = response.content.decode()
    assert response.status_code == 409 and "already in the library as “sunrise.png”" in body
    assert reverse("asset_detail", args=[org.slug, existing.id]) in body
    assert Asset.objects.for_org(org).count() == 1
    assert len([p for p in media_root.rglob("*") if p.is_file()]) == 2  # the original and its preview only


def test_duplicate_in_another_organization_is_not_shared(media_root, samples, org, other_org):
    actions.do_add_asset_file(org, samples["png"], filename="a.png", kind=AssetKind.IMAGE)
    other = actions.do_add_asset_file(other_org, samples["png"], filename="b.png", kind=AssetKind.IMAGE)
    assert other.organization_id == other_org.id


def test_storage_quota_is_enforced_with_a_link_to_plan_and_usage(media_root, samples, client_for, editor, org):
    free = ensure_seed_plans(["free"])["free"]
    free.storage_mb = 1
    free.save()
    actions.do_add_asset_file(org, samples["clip"], filename="beans.mp4", kind=AssetKind.CLIP)
    Asset.objects.for_org(org).update(size=1024 * 1024 - 10)  # the library is all but full
    response = _post(client_for(editor), org, samples["png"], AssetKind.IMAGE, **HX)
    body = response.content.decode()
    assert response.status_code == 409
    assert "does not fit: the library holds 1.0 MB of the 1.0 MB the Free plan allows" in body
    assert reverse("billing_usage", args=[org.slug]) in body
    assert Asset.objects.for_org(org).count() == 1


def test_upload_page_renders_the_dropzone(media_root, client_for, editor, org):
    with translation.override("en"):
        response = client_for(editor).get(reverse("media_upload", args=[org.slug]))
    body = response.content.decode()
    assert response.status_code == 200 and 'id="dropzone"' in body and "js/media-upload.js" in body
    assert "<script>" not in body  # no inline scripts
