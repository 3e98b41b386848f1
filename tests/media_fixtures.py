"""Fixtures of the asset library tests (a pytest plugin: `pytest_plugins = ["tests.media_fixtures"]`).

`samples`: small real media files made with ffmpeg and Pillow, plus disguised random bytes.
`storage_backend` runs a test twice: against the local file system (a temporary MEDIA_ROOT) and
against S3 served by moto in server mode on 127.0.0.1 (a fresh bucket per test), configured through
the same `VF_S3_*` variables production uses.
"""

import os
import uuid
from pathlib import Path

import pytest
from PIL import Image

from tests.support.media import FONT, ffmpeg, s3_client


@pytest.fixture(scope="session")
def samples(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("media-samples")
    png = folder / "sunrise.png"
    Image.new("RGB", (64, 48), (240, 120, 30)).save(png)
    clip = folder / "beans.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x90:rate=10:duration=1", "-pix_fmt", "yuv420p", "-c:v", "libx264",
            "-preset", "ultrafast", str(clip))  # fmt: skip
    music = folder / "theme.mp3"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "libmp3lame", "-b:a", "32k", str(music))
    noise = os.urandom(48 * 1024)
    fake_clip = folder / "holiday.mp4"
    fake_clip.write_bytes(noise)
    fake_png = folder / "logo.png"
    fake_png.write_bytes(noise[: 8 * 1024])
    fake_music = folder / "song.mp3"
    fake_music.write_bytes(noise)
    return {
        "png": png, "clip": clip, "music": music, "font": FONT,
        "fake_clip": fake_clip, "fake_png": fake_png, "fake_music": fake_music,
    }  # fmt: skip


@pytest.fixture(scope="session")
def moto_endpoint():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(params=["filesystem", "s3"])
def storage_backend(request, settings, tmp_path, monkeypatch):
    """Yields a function listing every stored object name (to prove what was and was not stored)."""
    from viralforge.media_settings import s3_settings

    settings.MEDIA_ROOT = tmp_path / "media"
    if request.param == "filesystem":
        settings.STORAGES = settings.STORAGES | {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}

        def stored() -> list[str]:
            root = Path(settings.MEDIA_ROOT)
            return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []

        yield stored
        return
    endpoint = request.getfixturevalue("moto_endpoint")
    bucket = f"vf-test-{uuid.uuid4().hex[:12]}"
    client = s3_client(endpoint)
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    for name, value in {
        "VF_S3_BUCKET": bucket,
        "VF_S3_ENDPOINT_URL": endpoint,
        "VF_S3_REGION": "eu-central-1",
        "VF_S3_ACCESS_KEY_ID": "test-key",
        "VF_S3_SECRET_ACCESS_KEY": "test-secret",
    }.items():
        monkeypatch.setenv(name, value)
    settings.STORAGES = settings.STORAGES | {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_settings()}
    }

    def stored() -> list[str]:
        listing = client.list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    stored.client, stored.bucket = client, bucket
    yield stored


@pytest.fixture
def media_root(settings, tmp_path):
    """The local file system storage in a temporary folder (tests that need only one storage)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = settings.STORAGES | {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    return Path(settings.MEDIA_ROOT)
