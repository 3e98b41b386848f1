"""Shared by the publishing tests: a rendered, approved post and a sandbox-connected TikTok account."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from apps.media.models import Render, RenderStatus
from apps.posts.models import PostStatus
from apps.projects.models import ApprovalRule
from apps.social.actions import do_connect_account
from apps.social.platforms import get_platform
from apps.social.publish.actions import ComposerChoices
from tests.support.media import ffmpeg
from tests.support.posts import make_plan, make_post, make_project
from tests.tiktok_support import PUBLIC, tokens_for

DAY = date(2026, 3, 10)


def mp4(path: Path, *, seconds: float = 1, big: bool = False) -> Path:
    """A real MP4 (270×480). `big`: lossless noise, over 10 MB, so it needs two chunks."""
    if big:
        ffmpeg("-f", "lavfi", "-i", f"nullsrc=s=270x480:r=30:d={seconds},geq=random(1)*255:128:128",
               "-c:v", "libx264", "-qp", "0", "-preset", "ultrafast", "-pix_fmt", "yuv444p", str(path))  # fmt: skip
    else:
        ffmpeg("-f", "lavfi", "-i", f"testsrc=size=270x480:rate=30:duration={seconds}", "-pix_fmt", "yuv420p",
               "-c:v", "libx264", "-preset", "ultrafast", str(path))  # fmt: skip
    return path


def rendered_post(org, *, video: Path, slug="alpenglow", duration_s=1.0, qa_passed=True, status=PostStatus.APPROVED,
                  approval_rule=ApprovalRule.EDITOR, day=DAY, slot=1, **render_fields):  # fmt: skip
    """An approved post of a fresh project with a finished render of `video` in the default storage."""
    from apps.projects.models import Project

    project = Project.objects.for_org(org).filter(slug=slug).first() or make_project(
        org, slug=slug, approval_rule=approval_rule
    )
    plan = project.plans.first() or make_plan(project)
    post = make_post(plan, day, slot, status=status, caption="Espresso in drei Schritten #kaffee")
    key = default_storage.save(f"org_{org.id}/project_{project.id}/posts/{post.id}/video.mp4",
                               ContentFile(video.read_bytes()))  # fmt: skip
    fields = {"synthetic_voice": True, "contains_generated_media": False} | render_fields
    Render.objects.create(
        organization=org, project=project, post=post, status=RenderStatus.DONE, video_key=key,
        duration_s=duration_s, size_bytes=video.stat().st_size, qa_passed=qa_passed, **fields,
    )  # fmt: skip
    return post


def sandbox_account(org, base: str, creator: str = PUBLIC, project=None):
    """Connect `creator` through the sandbox's real code grant (tokens in our store, limits from it)."""
    response = tokens_for(base, creator)
    platform = get_platform("tiktok")
    tokens = platform._tokens(response)
    account = do_connect_account(org, "tiktok", tokens, platform.account_info(tokens.access_token))
    if project is not None:
        account.projects.add(project)
    return account


def choices(**changes) -> ComposerChoices:
    values = {"title": "Espresso in drei Schritten #kaffee", "privacy_level": "PUBLIC_TO_EVERYONE",
              "allow_comment": False, "allow_duet": False, "allow_stitch": False, "consent": True}  # fmt: skip
    return ComposerChoices(**(values | changes))
