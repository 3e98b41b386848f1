"""Producing a post's video: pick the scenes' pictures, run the render engine, store and record the result.

    produce(render_id, progress=report_progress)   # the actor apps.media.tasks.produce_post

The engine's work folder is kept per post (`VF_RENDER_WORKDIR/org_<id>/post_<id>`): sentences,
segments and sound are cached there by digest, so a re-render after one scene changed encodes
only that segment, and a killed job resumes where it stopped. Nothing is visible before the end:
the MP4 is stored as an asset (files first, then the row) and the render row is finished in one
transaction; a retried job finds the stored asset again by its checksum.
"""

from __future__ import annotations

import logging
import math
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db.models import Q

from apps.billing.models import UsageKind
from apps.billing.quota import QuotaExceeded, metered
from apps.media import actions
from apps.media.clips.actions import do_request_scene_clips
from apps.media.clips.models import GENERATED_SOURCES
from apps.media.clips.scenes import plan_visuals
from apps.media.clips.tasks import start_clip_steps
from apps.media.models import Asset, AssetKind, AssetSource, AssetUse, LicenceState, Render, RenderStatus
from apps.media.probe import sha256_of
from apps.media.reasons import RENDER_NO_SCENES, RENDER_QUOTA_RENDERS, RENDER_QUOTA_SECONDS
from apps.media.render import Limits, RenderRefused, RenderSpec, Visual, render
from apps.media.render.cache import prune_post
from apps.media.render.elevenlabs import ElevenLabsError
from apps.media.render.from_post import spec_from_post
from apps.media.render.spec import spec_digest
from apps.media.usage import assert_usable, licence_today
from apps.media.voices import ChosenVoice, choose_voice
from apps.posts.models import PostItem

logger = logging.getLogger("viralforge.media")

_WORD = re.compile(r"[\wäöüß]{3,}", re.IGNORECASE)


def workdir_of(post: PostItem) -> Path:
    return Path(settings.VF_RENDER_WORKDIR) / f"org_{post.organization_id}" / f"post_{post.id}"


def _local_path(asset: Asset, folder: Path) -> str:
    """A local file of the asset for ffmpeg: the stored file itself, or a copy from remote storage."""
    storage = asset.file.storage
    try:
        return storage.path(asset.file.name)
    except NotImplementedError:  # S3: fetch once per content into the post's work folder
        folder.mkdir(parents=True, exist_ok=True)
        local = folder / f"{asset.checksum}{Path(asset.file.name).suffix.lower()}"
        if not local.exists():
            part = local.with_name(local.name + ".part")
            with storage.open(asset.file.name, "rb") as source, open(part, "wb") as target:
                shutil.copyfileobj(source, target)
            part.replace(local)
        return str(local)


def _words(text: str) -> set[str]:
    return {word.lower() for word in _WORD.findall(text or "")}


def _scene_text(scene: dict, storyboard: dict[int, dict]) -> set[str]:
    board = storyboard.get(int(scene.get("index", 0))) or {}
    return _words(" ".join(str(part) for part in (scene.get("voiceover"), scene.get("on_screen_text"),
                                                  scene.get("visual"), board.get("visual"))))  # fmt: skip


def _asset_words(asset: Asset) -> set[str]:
    return _words(" ".join([*asset.tags, asset.name.rsplit(".", 1)[0].replace("_", " ").replace("-", " ")]))


@dataclass
class Plan:
    """What one render of a post uses: the spec, the library assets in it, where each scene's picture came from."""

    spec: RenderSpec
    assets: list[Asset] = field(default_factory=list)
    scene_sources: list[dict] = field(default_factory=list)


def _candidates(post: PostItem) -> tuple[list[Asset], list[Asset]]:
    """(assets chosen for the post, library pictures of its project or organization that may be used today)."""
    chosen_ids = (
        AssetUse.objects.for_org(post.organization_id)
        .filter(post=post, render__isnull=True)
        .order_by("created_at")
        .values_list("asset_id", flat=True)
    )
    chosen = list(Asset.objects.for_org(post.organization_id).filter(id__in=list(chosen_ids)))
    library = (
        Asset.objects.for_org(post.organization_id)
        .filter(kind__in=(AssetKind.IMAGE, AssetKind.CLIP), source__in=(AssetSource.UPLOAD, AssetSource.GENERATED))
        .filter(Q(project=post.project_id) | Q(project__isnull=True))
        .exclude(id__in=[asset.id for asset in chosen])
        .order_by("-created_at")[:200]
    )
    today = licence_today()
    usable = [a for a in library if a.licence_state(today) in (LicenceState.VALID, LicenceState.EXPIRING)]
    return chosen, usable


class WaitingForClips(Exception):
    """Scenes routed to Veo or Kling have clips still generating: the render comes back later."""

    def __init__(self, waiting: str):
        super().__init__(waiting)
        self.waiting = waiting


def _library_pick(post: PostItem, scenes: list[dict], folder: Path) -> tuple[dict, list[dict], list[Asset]]:
    storyboard = {int(board.get("index", 0)): board for board in post.storyboard or [] if isinstance(board, dict)}
    chosen, library = _candidates(post)
    pictures = [asset for asset in chosen if asset.kind in (AssetKind.IMAGE, AssetKind.CLIP)]
    visuals, sources, used = {}, {}, [asset for asset in chosen if asset.kind == AssetKind.MUSIC][:1]
    for scene in scenes:
        index = int(scene.get("index", 0))
        words = _scene_text(scene, storyboard)
        pool = pictures or library
        best = max(pool, key=lambda asset: len(words & _asset_words(asset)), default=None)
        if best is not None and (best in pictures or words & _asset_words(best)):
            pool.remove(best)
            kind = "clip" if best.kind == AssetKind.CLIP else "image"
            visuals[index] = Visual(kind, _local_path(best, folder), asset=best)
            used.append(best)
            origin = "generated" if best.source == AssetSource.GENERATED else "library"
            sources[index] = {"scene": index, "source": origin, "asset": str(best.id), "fallback": None}
        else:
            sources[index] = {"scene": index, "source": "card", "asset": None, "fallback": None}
    return visuals, sources, used


def _generated_pick(post: PostItem, folder: Path, visuals: dict, sources: dict, since=None) -> None:
    """Scenes routed to Veo or Kling take their clip (apps.media.clips), or its fallback with the reason.
    Raises WaitingForClips while one is still generating (its steps run on the media queue too)."""
    requested = do_request_scene_clips(post, since=since)  # a clip failed during this render: its fallback
    start_clip_steps(requested.new)
    generated = [index for index, source in requested.sources.items() if source in GENERATED_SOURCES]
    if not generated:
        return
    scene_plan = plan_visuals(post, requested, folder)
    if scene_plan.pending:
        raise WaitingForClips(scene_plan.waiting)
    records = {record["scene"]: record for record in scene_plan.records}
    for index in generated:
        visuals.pop(index, None)
        if index in scene_plan.visuals:
            visuals[index] = scene_plan.visuals[index]
        sources[index] = records[index]


def plan_for(post: PostItem, *, width: int, height: int, since=None) -> Plan:
    """The post's scenes with a picture each. A scene routed to Veo or Kling takes its generated clip (or the
    fallback the clip module chose, with its reason). Otherwise: an asset chosen for the post (it goes through
    the licence gate, so an expired one stops the render), else the library picture whose tags and name share
    the most words with the scene (licence-valid only, each used once), else a brand-colour card."""
    scenes = sorted(post.script.get("scenes") or [], key=lambda scene: int(scene.get("index", 0)))
    folder = workdir_of(post) / "inputs"
    visuals, sources, used = _library_pick(post, scenes, folder)
    _generated_pick(post, folder, visuals, sources, since)
    music = next((asset for asset in used if asset.kind == AssetKind.MUSIC), None)
    options = {"width": width, "height": height, "whisper_model": settings.VF_RENDER_WHISPER_MODEL or None}
    if music is not None:
        options |= {"music_path": _local_path(music, folder), "music_asset": music}
    spec = spec_from_post(
        hook=post.hook, script=post.script, language=post.project.language, colors=post.project.colors or (),
        visuals=visuals, **options,
    )  # fmt: skip
    assets = [visual.asset for visual in visuals.values() if visual.asset is not None]
    return Plan(spec, assets + ([music] if music else []), [sources[index] for index in sorted(sources)])


def _limits(width: int) -> Limits:
    return Limits(min_width=min(720, width), max_seconds=float(settings.VF_RENDER_MAX_SECONDS))


def _earlier_with(post: PostItem, digest: str, render_id) -> Render | None:
    """A finished render of the same inputs whose file is still stored: its result is this one's."""
    return (
        Render.objects.for_org(post.organization_id)
        .filter(post=post, spec_digest=digest, status=RenderStatus.DONE, video__isnull=False)
        .exclude(id=render_id)
        .select_related("video")
        .order_by("-created_at")
        .first()
    )


def _stored_video(post: PostItem, result) -> Asset:
    """The render's MP4 as an asset of the post; one stored by an earlier attempt with the same bytes is reused."""
    checksum = sha256_of(Path(result.video_path))
    existing = (
        Asset.objects.for_org(post.organization_id)
        .filter(post=post, kind=AssetKind.RENDER, checksum=checksum)
        .order_by("created_at")
        .first()
    )
    if existing is not None:
        return existing
    return actions.do_add_asset_file(
        post.organization, Path(result.video_path), filename=f"video-{post.date:%Y-%m-%d}-{post.slot}.mp4",
        kind=AssetKind.RENDER, post=post, source=AssetSource.RENDER, preview=Path(result.cover_path).read_bytes(),
    )  # fmt: skip


def _render_spoken(plan: Plan, post: PostItem, chosen: ChosenVoice, width: int, report):
    """Render with the project's voice; when ElevenLabs refuses (key, voice, its quota) or the plan's voice
    characters run out, render again with the offline voice and keep the reason (cached pictures are reused)."""
    options = {"asset_check": assert_usable, "limits": _limits(width), "progress": report}
    try:
        return render(plan.spec, workdir_of(post), voice=chosen.voice, **options), chosen
    except (ElevenLabsError, QuotaExceeded) as exc:
        offline = chosen.fallen_back(exc)
        if offline is None:
            raise
    logger.warning("Voice fell back to espeak-ng.", extra={"post_id": str(post.id), "reason": offline.fallback})
    return render(plan.spec, workdir_of(post), voice=offline.voice, **options), offline


def produce(render_id, *, progress: Callable[[int, str], None] | None = None) -> Render | None:
    """Run the render `render_id` to its end (done or failed). Idempotent: an ended render is left alone."""
    report = progress or (lambda percent, step: None)
    claimed = actions.do_start_render(render_id)
    if claimed is None:
        return None
    post = (
        PostItem.objects.for_org(claimed.organization_id)
        .select_related("project", "organization")
        .get(id=claimed.post_id)
    )
    width, height = settings.VF_RENDER_SIZE
    report(2, "plan")
    try:
        plan = plan_for(post, width=width, height=height, since=claimed.started_at)
    except ValueError:  # spec_from_post: no scenes
        return actions.do_fail_render(render_id, [RENDER_NO_SCENES.reason()])
    except WaitingForClips as waiting:
        report(3, waiting.waiting)
        raise
    chosen = choose_voice(post)
    generated = any(asset.source == AssetSource.GENERATED for asset in plan.assets)
    earlier = _earlier_with(post, spec_digest(plan.spec, chosen.voice.key(plan.spec.language)), render_id)
    if earlier is not None:
        try:
            assert_usable(plan.assets)
        except Exception as exc:
            return actions.do_fail_render(render_id, getattr(exc, "reasons", []))
        return actions.do_finish_reused_render(render_id, earlier)
    source = f"posts.PostItem:{post.id}"
    estimate = max(1, math.ceil(sum(float(s.get("duration_seconds") or 2) for s in post.script.get("scenes") or [])))
    try:
        with metered(
            post.organization, UsageKind.RENDERS, 1, project=post.project, source=source,
            idempotency_key=f"render:{render_id}",
        ), metered(
            post.organization, UsageKind.VIDEO_SECONDS, estimate, project=post.project, source=source,
            idempotency_key=f"render-seconds:{render_id}",
        ) as seconds:  # fmt: skip
            result, chosen = _render_spoken(plan, post, chosen, width, report)
            seconds.actual = max(1, math.ceil(result.duration_s))
    except RenderRefused as exc:
        return actions.do_fail_render(render_id, exc.reasons)
    except QuotaExceeded as exc:
        code = RENDER_QUOTA_RENDERS if exc.kind == UsageKind.RENDERS else RENDER_QUOTA_SECONDS
        return actions.do_fail_render(render_id, [code.reason(limit=exc.limit)])
    report(97, "store")
    video = _stored_video(post, result)
    finished = actions.do_finish_render(
        render_id, result=result, video=video, assets=plan.assets, scene_sources=plan.scene_sources,
        contains_generated_media=generated, synthetic_voice=True, voice=chosen.voice.key(plan.spec.language),
        voice_fallback=chosen.fallback,
    )  # fmt: skip
    if finished is not None:  # the cache keeps only what this render used: enough to re-render one scene
        prune_post(workdir_of(post), result.keep)
    logger.info(
        "Render finished.",
        extra={"render_id": str(render_id), "reencoded": result.reencoded, "qa_passed": result.qa.get("passed")},
    )
    return finished
