"""The asset library's settings from the environment: S3 only when the bucket is set, strict about the rest."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from viralforge.media_settings import media_limits, s3_settings

S3_VARS = ("VF_S3_BUCKET", "VF_S3_ENDPOINT_URL", "VF_S3_REGION", "VF_S3_ACCESS_KEY_ID", "VF_S3_SECRET_ACCESS_KEY")


@pytest.fixture(autouse=True)
def _clean(monkeypatch):
    for name in (*S3_VARS, "VF_S3_ADDRESSING_STYLE", "VF_MEDIA_MAX_MB_CLIP"):
        monkeypatch.delenv(name, raising=False)


def test_local_storage_without_a_bucket():
    assert s3_settings() is None


def test_s3_options_from_the_environment(monkeypatch):
    monkeypatch.setenv("VF_S3_BUCKET", "agency-media")
    monkeypatch.setenv("VF_S3_ENDPOINT_URL", "http://127.0.0.1:9000")
    monkeypatch.setenv("VF_S3_REGION", "eu-central-1")
    monkeypatch.setenv("VF_S3_ACCESS_KEY_ID", "minio")
    monkeypatch.setenv("VF_S3_SECRET_ACCESS_KEY", "minio-secret")
    options = s3_settings()
    assert options["bucket_name"] == "agency-media" and options["endpoint_url"] == "http://127.0.0.1:9000"
    assert (options["default_acl"], options["querystring_auth"], options["file_overwrite"]) == (None, True, False)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"VF_S3_ENDPOINT_URL": "http://127.0.0.1:9000"}, "VF_S3_ENDPOINT_URL set but VF_S3_BUCKET is not"),
        ({"VF_S3_BUCKET": "b", "VF_S3_ACCESS_KEY_ID": "k"}, "both VF_S3_ACCESS_KEY_ID and VF_S3_SECRET_ACCESS_KEY"),
        ({"VF_S3_BUCKET": "b", "VF_S3_ENDPOINT_URL": "ftp://x"}, "VF_S3_ENDPOINT_URL must be a URL"),
        ({"VF_S3_BUCKET": "b", "VF_S3_ADDRESSING_STYLE": "sideways"}, "VF_S3_ADDRESSING_STYLE must be one of"),
    ],
)
def test_half_configured_s3_refuses_to_start(monkeypatch, values, message):
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        s3_settings()


def test_upload_limits_per_kind(monkeypatch):
    assert media_limits()["clip"]["max_bytes"] == 500 * 1024 * 1024
    monkeypatch.setenv("VF_MEDIA_MAX_MB_CLIP", "2")
    assert media_limits()["clip"]["max_bytes"] == 2 * 1024 * 1024
    monkeypatch.setenv("VF_MEDIA_MAX_MB_CLIP", "0")
    with pytest.raises(ImproperlyConfigured, match="VF_MEDIA_MAX_MB_CLIP must be at least 1"):
        media_limits()
