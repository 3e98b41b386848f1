"""Where each scene's picture comes from: the project's default source, a scene's override, its prompt.

source_of(post, 2)            # "library" | "veo" | "kling"
clip_prompt(post, 2, "veo")   # the ClipPrompt from the post's video prompts, or None without one
"""

from __future__ import annotations

import hashlib
import json

from apps.media.clips import kling, veo
from apps.media.clips.base import ClipPrompt
from apps.media.clips.models import GENERATED_SOURCES, ProjectVideoSettings, SceneSource, VideoSource

VEO_SECONDS = (4, 6, 8)  # what Veo 3 accepts


def video_settings(project) -> ProjectVideoSettings:
    """The project's settings row, or the defaults (unsaved) when it has none."""
    found = ProjectVideoSettings.objects.for_org(project.organization_id).filter(project=project).first()
    return found or ProjectVideoSettings(organization_id=project.organization_id, project=project)


def scene_overrides(post) -> dict[int, str]:
    rows = SceneSource.objects.for_org(post.organization_id).filter(post=post)
    return {row.scene_index: row.source for row in rows}


def scene_indexes(post) -> list[int]:
    scenes = (post.script or {}).get("scenes") if isinstance(post.script, dict) else None
    indexes = []
    for position, scene in enumerate(scenes if isinstance(scenes, list) else []):
        if isinstance(scene, dict):
            try:
                indexes.append(int(scene.get("index", position + 1)))
            except (TypeError, ValueError):
                indexes.append(position + 1)
    return sorted(indexes)


def sources(post, settings: ProjectVideoSettings | None = None) -> dict[int, str]:
    """Every scene's source: its override, else the project's default."""
    settings = settings or video_settings(post.project)
    overrides = scene_overrides(post)
    return {index: overrides.get(index, settings.default_source) for index in scene_indexes(post)}


def scene_prompts(post) -> dict[int, dict]:
    video = post.video_prompt if isinstance(post.video_prompt, dict) else {}
    rows = video.get("prompts") if isinstance(video.get("prompts"), list) else []
    found = {}
    for row in rows:
        if isinstance(row, dict) and str(row.get("prompt") or "").strip():
            try:
                found.setdefault(int(row.get("scene_index")), row)
            except (TypeError, ValueError):
                continue
    return found


def _scene_seconds(post, index: int) -> float:
    for scene in (post.script or {}).get("scenes") or []:
        if isinstance(scene, dict) and str(scene.get("index")) == str(index):
            try:
                return float(scene.get("duration_seconds") or 0)
            except (TypeError, ValueError):
                return 0.0
    return 0.0


def provider_seconds(provider: str, wanted: float) -> int:
    """The shortest length the provider makes that covers `wanted` (its longest otherwise)."""
    choices = VEO_SECONDS if provider == VideoSource.VEO else kling.DURATIONS
    return next((seconds for seconds in choices if seconds >= wanted), choices[-1])


def clip_prompt(post, index: int, provider: str, settings: ProjectVideoSettings | None = None) -> ClipPrompt | None:
    if provider not in GENERATED_SOURCES:
        return None
    row = scene_prompts(post).get(index)
    if row is None:
        return None
    settings = settings or video_settings(post.project)
    video = post.video_prompt if isinstance(post.video_prompt, dict) else {}
    aspect = str(video.get("aspect_ratio") or "9:16")
    allowed = veo.ASPECT_RATIOS if provider == VideoSource.VEO else kling.ASPECT_RATIOS
    try:
        wanted = float(row.get("duration_seconds") or 0) or _scene_seconds(post, index) or 4
    except (TypeError, ValueError):
        wanted = 4
    parts = [str(row.get("prompt")).strip(), str(row.get("camera") or "").strip(), str(row.get("style") or "").strip()]
    return ClipPrompt(
        prompt=". ".join(part for part in parts if part)[:2500],
        negative_prompt=str(row.get("negative_prompt") or "").strip()[:2500],
        aspect_ratio=aspect if aspect in allowed else "9:16",
        seconds=provider_seconds(provider, wanted),
        model=settings.veo_model if provider == VideoSource.VEO else settings.kling_model,
    )


def settings_key(provider: str, prompt: ClipPrompt, mode: str = "") -> str:
    """The identity of a request: the same prompt and settings at the same provider reuse the clip."""
    data = [provider, prompt.model, prompt.prompt, prompt.negative_prompt, prompt.aspect_ratio, prompt.seconds, mode]
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()
