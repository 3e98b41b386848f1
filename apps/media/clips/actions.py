"""Writes of the clip routing: the project's video settings, a scene's source, the clips a post asks for."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from apps.core.reasons import Reason
from apps.media.clips import reasons, routing
from apps.media.clips.models import (
    ClipStatus,
    GeneratedClip,
    ProjectVideoSettings,
    SceneSource,
    VideoSource,
)


@transaction.atomic(durable=True)
def do_save_video_settings(project, *, default_source: str, veo_model: str, kling_model: str, kling_mode: str):
    settings, _created = ProjectVideoSettings.objects.for_org(project.organization_id).update_or_create(
        organization_id=project.organization_id, project=project,
        defaults={"default_source": default_source, "veo_model": veo_model, "kling_model": kling_model,
                  "kling_mode": kling_mode},
    )  # fmt: skip
    return settings


@transaction.atomic(durable=True)
def do_set_scene_source(post, scene_index: int, source: str) -> SceneSource | None:
    """Give one scene its own source; an empty `source` goes back to the project's default."""
    rows = SceneSource.objects.for_org(post.organization_id).filter(post=post, scene_index=scene_index)
    if not source:
        rows.delete()
        return None
    if source not in VideoSource.values:
        raise ValueError(f"unknown video source {source!r}")
    row, _created = rows.update_or_create(
        organization_id=post.organization_id, post=post, scene_index=scene_index, defaults={"source": source}
    )
    return row


@dataclass
class SceneClips:
    """What a post's scenes asked for: a clip per generated scene, or why there is none."""

    sources: dict[int, str]
    clips: dict[int, GeneratedClip] = field(default_factory=dict)
    missing: dict[int, Reason] = field(default_factory=dict)  # generated scenes without a prompt
    new: list = field(default_factory=list)  # ids of the clips created by this call


def _live_clip(org_id, key: str) -> GeneratedClip | None:
    return GeneratedClip.objects.for_org(org_id).filter(settings_key=key).exclude(status=ClipStatus.FAILED).first()


@transaction.atomic
def do_request_scene_clips(post, *, since=None) -> SceneClips:
    """A clip for every scene routed to Veo or Kling: the live or finished one of the same prompt and
    settings (reused), else a new one. Idempotent; the caller starts the steps of `new` after commit.

    `since` (a render's start): a clip of this post that failed after it is that render's answer
    (the scene falls back) instead of a reason to try again; a later render tries anew.
    """
    settings = routing.video_settings(post.project)
    result = SceneClips(sources=routing.sources(post, settings))
    for index, source in result.sources.items():
        if source not in (VideoSource.VEO, VideoSource.KLING):
            continue
        prompt = routing.clip_prompt(post, index, source, settings)
        if prompt is None:
            result.missing[index] = reasons.NO_PROMPT.reason()
            continue
        mode = settings.kling_mode if source == VideoSource.KLING else ""
        key = routing.settings_key(source, prompt, mode)
        clip = _live_clip(post.organization_id, key)
        if clip is None and since is not None:
            clip = (
                GeneratedClip.objects.for_org(post.organization_id)
                .filter(settings_key=key, post=post, status=ClipStatus.FAILED, created_at__gte=since)
                .order_by("-created_at")
                .first()
            )
        if clip is None:
            try:
                with transaction.atomic():
                    clip = GeneratedClip.objects.create(
                        organization_id=post.organization_id, project=post.project, post=post, provider=source,
                        model=prompt.model, mode=mode, prompt=prompt.prompt, negative_prompt=prompt.negative_prompt,
                        aspect_ratio=prompt.aspect_ratio, seconds=prompt.seconds, settings_key=key,
                    )  # fmt: skip
                result.new.append(clip.id)
            except IntegrityError:  # the same request was made concurrently: use that one
                clip = _live_clip(post.organization_id, key)
        result.clips[index] = clip
    return result
