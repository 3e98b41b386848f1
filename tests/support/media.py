"""Shared helpers of the asset library tests (no tests here); the fixtures are in tests/media_fixtures.py."""

import io
import subprocess
from pathlib import Path

import boto3
import imageio_ffmpeg
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.posts.models import PostItem
from tests.support.posts import make_plan, make_post, make_project

HX = {"HTTP_HX_REQUEST": "true"}
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def ffmpeg(*args: str) -> None:
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-nostdin", "-y", *args], check=True)


def uploaded(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes(), content_type="application/octet-stream")


def png_bytes(color=(10, 200, 90), size=(32, 32)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def s3_client(endpoint: str):
    return boto3.client(
        "s3", endpoint_url=endpoint, region_name="eu-central-1",
        aws_access_key_id="test-key", aws_secret_access_key="test-secret",
    )  # fmt: skip


def make_post_in(org, slug="alpenglow") -> PostItem:
    from datetime import date

    project = make_project(org, slug=slug)
    plan = make_plan(project)
    return make_post(plan, date(2026, 3, 2), 1)
