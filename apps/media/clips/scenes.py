"""Scene pictures for a render: the generated clip where it came, else a fallback with its reason.

    requested = do_request_scene_clips(post)
    plan = plan_visuals(post, requested, workdir)
    plan.pending          # clips still generating: come back later (`plan.waiting`: "waiting for Veo: 40 s")
    plan.visuals          # {scene index: Visual} for spec_from_post
    plan.records          # one JSON-able record per scene: source, clip, asset, fallback and reason codes

A clip that cannot be had (blocked, failed after its retries, budget refused, no prompt) gives
way to a library visual of the project, or a brand card when the library has none, so the
render never half-fails; the record says which and why.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from apps.core import clock
from apps.media.clips.actions import SceneClips
from apps.media.clips.models import ClipStatus, GeneratedClip, VideoSource
from apps.media.clips.steps import provider_label
from apps.media.models import Asset, AssetKind, AssetSource, LicenceType
from apps.media.render.spec import Visual
from apps.media.usage import licence_today


@dataclass
class ScenePlan:
    visuals: dict[int, Visual] = field(default_factory=dict)
    records: list[dict] = field(default_factory=list)
    pending: list[GeneratedClip] = field(default_factory=list)

    @property
    def waiting(self) -> str:
        """E.g. "waiting for Veo: 40 s" (the longest-running pending clip)."""
        if not self.pending:
            return ""
        now = clock.now()
        clip = min(self.pending, key=lambda c: c.started_at or now)
        seconds = round((now - clip.started_at).total_seconds()) if clip.started_at else 0
        return _("waiting for %(provider)s: %(seconds)s s") % {
            "provider": provider_label(clip.provider), "seconds": seconds,
        }  # fmt: skip

    @property
    def fallbacks(self) -> list[dict]:
        return [record for record in self.records if record.get("fallback")]


def local_file(asset: Asset, workdir: Path) -> Path:
    """A path ffmpeg can read: the stored file itself on disk storage, else a copy in `workdir`."""
    try:
        return Path(asset.file.path)
    except NotImplementedError:  # S3: no local path
        target = workdir / "assets" / f"{asset.id}{Path(asset.file.name).suffix}"
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            part = target.with_name(target.name + ".part")
            with asset.file.open("rb") as source, part.open("wb") as out:
                shutil.copyfileobj(source, out)
            part.replace(target)
        return target


def library_visuals(post) -> list[Asset]:
    """The project's own licensed images and clips (not generated ones), oldest first."""
    today = licence_today()
    return list(
        Asset.objects.for_org(post.organization_id)
        .filter(project=post.project, kind__in=(AssetKind.IMAGE, AssetKind.CLIP), source=AssetSource.UPLOAD)
        .exclude(licence_type=LicenceType.NONE)
        .exclude(licensed_until__lt=today)
        .order_by("created_at")[:20]
    )


def _visual(asset: Asset, workdir: Path) -> Visual:
    kind = "clip" if asset.kind == AssetKind.CLIP else "image"
    return Visual(kind, str(local_file(asset, workdir)), asset=asset)


def plan_visuals(post, requested: SceneClips, workdir: Path) -> ScenePlan:
    plan = ScenePlan()
    library = library_visuals(post)

    def fallback(index: int, record: dict, reason: dict) -> None:
        if library:
            asset = library[(index - 1) % len(library)]
            plan.visuals[index] = _visual(asset, workdir)
            record.update(fallback="library", asset=str(asset.id))
        else:
            record.update(fallback="card")
        record["reason"] = reason

    for index, source in requested.sources.items():
        record: dict = {"scene": index, "source": source}
        plan.records.append(record)
        if source == VideoSource.LIBRARY:
            if library:
                asset = library[(index - 1) % len(library)]
                plan.visuals[index] = _visual(asset, workdir)
                record["asset"] = str(asset.id)
            continue
        if index in requested.missing:
            fallback(index, record, requested.missing[index].as_dict())
            continue
        clip = (
            GeneratedClip.objects.for_org(post.organization_id)
            .select_related("asset")
            .get(id=requested.clips[index].id)
        )
        record.update(clip=str(clip.id), status=clip.status, provider=clip.provider, model=clip.model)
        if clip.status == ClipStatus.DONE and clip.asset is not None:
            plan.visuals[index] = _visual(clip.asset, workdir)
            record.update(asset=str(clip.asset_id), seconds=clip.seconds_received)
        elif not clip.finished:
            plan.pending.append(clip)
        else:
            fallback(index, record, clip.reason or {})
    return plan
