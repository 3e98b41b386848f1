"""Writes of the asset library. Views and other apps (the renderer) change assets only through these."""

import tempfile
import uuid
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from apps.billing.services import get_plan
from apps.core import clock
from apps.jobs.actions import do_enqueue_job
from apps.media.models import (
    IMAGE_KINDS,
    Asset,
    AssetKind,
    AssetSource,
    AssetUse,
    LicenceType,
    MediaPolicy,
    ProjectVoiceSettings,
    Render,
    RenderStatus,
)
from apps.media.probe import ProbeError, image_preview, poster_frame, probe, sha256_of
from apps.media.renders import month_posts
from apps.media.signals import delete_stored_files
from apps.orgs.models import Organization
from apps.posts.actions import do_set_post_video_state
from apps.posts.models import PostItem, PostStatus, VideoState
from apps.projects.models import Project


class MediaError(Exception):
    """A refused change; `str()` is a translated message, `code` says which rule refused it."""

    def __init__(self, message: str, *, code: str = "invalid", existing: Asset | None = None):
        super().__init__(message)
        self.code = code
        self.existing = existing


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


def upload_limit_error(kind: str, filename: str, size: int) -> str | None:
    """A translated reason when this kind does not take files of this type or size, else None."""
    from django.conf import settings

    limits = settings.VF_MEDIA_LIMITS.get(kind)
    if limits is None:
        return _("Choose what kind of asset this is.")
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in limits["extensions"]:
        return _("“%(name)s”: this kind accepts only %(types)s files.") % {
            "name": filename,
            "types": ", ".join(f".{ext}" for ext in limits["extensions"]),
        }
    if size > limits["max_bytes"]:
        return _("“%(name)s” is %(size)s MB; this kind accepts at most %(limit)s MB.") % {
            "name": filename,
            "size": _megabytes(size),
            "limit": _megabytes(limits["max_bytes"]),
        }
    if size == 0:
        return _("“%(name)s” is empty.") % {"name": filename}
    return None


def storage_used(org: Organization) -> int:
    return Asset.objects.for_org(org).aggregate(total=Sum("size"))["total"] or 0


def storage_quota_error(org: Organization, extra_bytes: int) -> str | None:
    """A translated reason when `extra_bytes` more would not fit the plan's storage, else None."""
    plan = get_plan(org)
    used = storage_used(org)
    if used + extra_bytes <= plan.storage_bytes:
        return None
    return _(
        "This file (%(size)s MB) does not fit: the library holds %(used)s MB of the %(limit)s MB "
        "the %(plan)s plan allows. Delete assets or move to a larger plan."
    ) % {
        "size": _megabytes(extra_bytes),
        "used": _megabytes(used),
        "limit": _megabytes(plan.storage_bytes),
        "plan": plan.name,
    }


def find_duplicate(org: Organization, checksum: str) -> Asset | None:
    return Asset.objects.for_org(org).filter(checksum=checksum).order_by("created_at").first()


def _duplicate_error(existing: Asset) -> MediaError:
    return MediaError(
        _("This file is already in the library as “%(name)s”. Use that one instead.") % {"name": existing.name},
        code="duplicate",
        existing=existing,
    )


def _check_project(org: Organization, project: Project | None, post: PostItem | None) -> None:
    if project is not None and project.organization_id != org.id:
        raise ValueError("project of another organization")
    if post is not None and (post.organization_id != org.id or (project and post.project_id != project.id)):
        raise ValueError("post of another organization or project")


def _store(org, path: Path, *, filename, kind, checksum, probed, preview, project, post, source, actor, licence):
    """Write the files, then the row; if the row cannot be written the files are removed again."""
    asset = Asset(
        id=uuid.uuid4(), organization=org, project=project or (post.project if post else None), post=post,
        name=filename[:200], kind=kind, content_type=probed.content_type, size=path.stat().st_size,
        duration=probed.duration, width=probed.width, height=probed.height, checksum=checksum, source=source,
        created_by=actor, **licence,
    )  # fmt: skip
    stored: list[str] = []
    storage = default_storage
    try:
        with open(path, "rb") as handle:
            asset.file.save(filename, File(handle), save=False)
        stored.append(asset.file.name)
        if preview:
            asset.preview.save("preview.jpg", ContentFile(preview), save=False)
            stored.append(asset.preview.name)
        storage = asset.file.storage
        with transaction.atomic(durable=True):
            # One upload per organization at a time past this point: the quota and the duplicate check hold.
            Organization.objects.select_for_update().get(pk=org.pk)
            if source == AssetSource.UPLOAD and (existing := find_duplicate(org, checksum)):
                raise _duplicate_error(existing)
            if error := storage_quota_error(org, asset.size):
                raise MediaError(error, code="storage_quota")
            asset.save(force_insert=True)
    except BaseException:
        delete_stored_files(storage, stored)
        raise
    return asset


def _preview_for(kind: str, path: Path, duration: float | None) -> bytes | None:
    if kind in IMAGE_KINDS:
        return image_preview(path)
    if kind in (AssetKind.CLIP, AssetKind.RENDER):
        return poster_frame(path, duration)
    return None


def _licence_fields(licence_type: str = "", **extra) -> dict:
    return {"licence_type": licence_type, **extra}


def do_add_asset_file(
    org: Organization,
    path: Path,
    *,
    filename: str,
    kind: str,
    project: Project | None = None,
    post: PostItem | None = None,
    source: str = AssetSource.UPLOAD,
    actor=None,
    licence: dict | None = None,
    preview: bytes | None = None,
) -> Asset:
    """Probe, check and store one file from a local path. Refuses (MediaError) and stores nothing when
    the type, size, content or quota is wrong, or when an upload duplicates an asset of the organization.

    The renderer stores its output with `source=AssetSource.RENDER, kind=AssetKind.RENDER, post=post`
    and its cover frame as `preview` (JPEG bytes; otherwise a preview is made from the file).
    """
    _check_project(org, project, post)
    size = path.stat().st_size
    if error := upload_limit_error(kind, filename, size):
        raise MediaError(error, code="limit")
    if error := storage_quota_error(org, size):
        raise MediaError(error, code="storage_quota")
    checksum = sha256_of(path)
    if source == AssetSource.UPLOAD and (existing := find_duplicate(org, checksum)):
        raise _duplicate_error(existing)
    try:
        probed = probe(path, kind, filename)
    except ProbeError as exc:
        raise MediaError(str(exc), code="probe") from None
    if preview is None:
        preview = _preview_for(kind, path, probed.duration)
    if licence is None:
        licence = _licence_fields(LicenceType.GENERATED if source != AssetSource.UPLOAD else "")
    return _store(
        org, path, filename=filename, kind=kind, checksum=checksum, probed=probed, preview=preview,
        project=project, post=post, source=source, actor=actor, licence=licence,
    )  # fmt: skip


def do_upload_asset(org: Organization, uploaded, *, kind: str, project: Project | None = None, actor=None) -> Asset:
    """An uploaded file (Django `UploadedFile`) into the library; see `do_add_asset_file`."""
    filename = Path(uploaded.name or "file").name
    if error := upload_limit_error(kind, filename, uploaded.size or 0):
        raise MediaError(error, code="limit")
    temporary_path = getattr(uploaded, "temporary_file_path", None)
    if temporary_path is not None:
        return do_add_asset_file(
            org, Path(temporary_path()), filename=filename, kind=kind, project=project, actor=actor
        )
    with tempfile.TemporaryDirectory() as folder:
        local = Path(folder) / f"upload.{filename.rsplit('.', 1)[-1]}"
        with open(local, "wb") as out:
            for chunk in uploaded.chunks():
                out.write(chunk)
        return do_add_asset_file(org, local, filename=filename, kind=kind, project=project, actor=actor)


@transaction.atomic(durable=True)
def do_update_asset(
    asset: Asset,
    *,
    name: str,
    project: Project | None,
    tags: list[str],
    licence_type: str,
    licence_url: str = "",
    attribution: str = "",
    licensed_until: date | None = None,
    licence_notes: str = "",
) -> Asset:
    if project is not None and project.organization_id != asset.organization_id:
        raise ValueError("project of another organization")
    if licence_type == LicenceType.CC_BY and not attribution.strip():
        raise MediaError(_("A Creative Commons licence needs the attribution text."), code="attribution")
    changed = {
        "name": name.strip()[:200] or asset.name,
        "project": project,
        "tags": tags,
        "licence_type": licence_type,
        "licence_url": licence_url,
        "attribution": attribution.strip(),
        "licensed_until": licensed_until,
        "licence_notes": licence_notes,
    }
    if licensed_until != asset.licensed_until:
        changed["expiry_notice_sent_for"] = None  # a new date earns a new reminder
    for field, value in changed.items():
        setattr(asset, field, value)
    asset.save(update_fields=[*changed, "updated_at"])
    return asset


@transaction.atomic(durable=True)
def do_delete_asset(asset: Asset) -> None:
    """Delete the row now and the stored files after the commit. An asset a post's video uses stays."""
    uses = AssetUse.objects.for_org(asset.organization_id).filter(asset=asset).count()
    if uses:
        raise MediaError(
            _("“%(name)s” is used in a post's video and cannot be deleted.") % {"name": asset.name}, code="in_use"
        )
    asset.delete()


@transaction.atomic
def do_mark_expiry_announced(org: Organization, assets: Iterable[Asset]) -> None:
    """Remember which licence date the admins were told about (a date changed meanwhile is told again)."""
    for asset in assets:
        Asset.objects.for_org(org).filter(id=asset.id, licensed_until=asset.licensed_until).update(
            expiry_notice_sent_for=asset.licensed_until
        )


@transaction.atomic(durable=True)
def do_set_media_policy(org: Organization, *, require_licence: bool) -> MediaPolicy:
    policy, _created = MediaPolicy.objects.for_org(org).update_or_create(
        organization=org, defaults={"require_licence": require_licence}
    )
    return policy


@transaction.atomic
def do_record_render_assets(render_or_post: Asset | PostItem, assets: Iterable[Asset]) -> list[AssetUse]:
    """Record which assets a render (an `Asset` of kind render with its post) or a post's video uses.

    Idempotent: recording the same set again adds nothing. Assets of another organization are refused.
    """
    if isinstance(render_or_post, PostItem):
        post, render = render_or_post, None
    else:
        post, render = render_or_post.post, render_or_post
        if post is None:
            raise ValueError("a render must belong to a post")
    uses = []
    for asset in assets:
        if asset.organization_id != post.organization_id:
            raise ValueError("asset of another organization")
        use, _created = AssetUse.objects.for_org(post.organization_id).get_or_create(
            organization_id=post.organization_id, post=post, render=render, asset=asset
        )
        uses.append(use)
    return uses


record_render_assets = do_record_render_assets


# --- renders: a post's video production (the job is apps.media.tasks.produce_post) ----------------


class RenderError(MediaError):
    """A render request that cannot be done now; `str()` is the translated message."""


def _video_state_after(render: Render) -> str:
    if render.status == RenderStatus.DONE:
        return VideoState.READY if render.is_publishable else VideoState.QA_FAILED
    return {
        RenderStatus.QUEUED: VideoState.QUEUED,
        RenderStatus.RENDERING: VideoState.RENDERING,
        RenderStatus.FAILED: VideoState.FAILED,
    }[render.status]


def _locked_render(render_id, organization_id=None) -> Render | None:
    queryset = Render.objects.for_org(organization_id) if organization_id else Render.objects.unscoped()
    return queryset.select_for_update().select_related("post", "organization").filter(id=render_id).first()


@transaction.atomic
def do_request_render(post: PostItem, *, actor=None, language: str = "", batch: str = "") -> Render:
    """Queue a render of the post's current content, or return the one already queued or rendering.

    The job runs after the commit; `language` is the requester's (the job's step labels and messages).
    """
    from apps.media.tasks import produce_post  # the actor module imports these actions

    PostItem.objects.for_org(post.organization_id).select_for_update().filter(id=post.id).first()
    active = Render.objects.for_org(post.organization_id).filter(post=post, status__in=Render.ACTIVE).first()
    if active is not None:
        return active
    render = Render.objects.create(
        organization_id=post.organization_id, project_id=post.project_id, post=post, requested_by=actor
    )
    render.job_run = do_enqueue_job(
        produce_post,
        organization=post.organization,
        target=f"post:{post.id}",
        kind="produce_post",
        post_id=str(post.id),
        render_id=str(render.id),
        language=language,
        batch=batch,
    )
    render.save(update_fields=["job_run"])
    do_set_post_video_state(post, _video_state_after(render))
    return render


@transaction.atomic
def do_start_render(render_id) -> Render | None:
    """Claim the render for this job: queued (or a rendering one whose worker died) → rendering.

    None when there is nothing to do (it ended already, or the post is gone): the job stops there.
    """
    render = _locked_render(render_id)
    if render is None or render.status not in Render.ACTIVE:
        return None
    render.status = RenderStatus.RENDERING
    render.started_at = render.started_at or clock.now()
    render.save(update_fields=["status", "started_at"])
    do_set_post_video_state(render.post, _video_state_after(render))
    return render


@transaction.atomic
def do_finish_render(
    render_id, *, result, video: Asset, assets: Iterable[Asset] = (), scene_sources: list | None = None,
    contains_generated_media: bool = False, synthetic_voice: bool = True, voice: str = "",
    voice_fallback: dict | None = None,
) -> Render | None:  # fmt: skip
    """Record a finished render (`result`: the engine's `RenderResult`) with its stored video asset."""
    render = _locked_render(render_id)
    if render is None or render.status != RenderStatus.RENDERING:
        return None
    probed = result.qa.get("probe") or {}
    render.status = RenderStatus.DONE
    render.failure = []
    render.video = video
    render.video_key = video.file.name
    render.cover_key = video.preview.name
    render.video_cover_timestamp_ms = result.video_cover_timestamp_ms
    render.duration_s = result.duration_s
    render.width, render.height = probed.get("width"), probed.get("height")
    render.fps = probed.get("fps")
    render.size_bytes = probed.get("size_bytes") or video.size
    render.qa_report = {key: value for key, value in result.qa.items() if key != "probe"} | {"probe": probed}
    render.qa_passed = bool(result.qa.get("passed"))
    render.spec_digest = result.digest
    render.segment_digests = [result.title.digest, *[segment.digest for segment in result.segments]]
    render.reencoded_scenes = list(result.reencoded)
    render.reused = bool(result.reused)
    render.steps = dict(result.steps)
    if scene_sources is not None:
        render.scene_sources = scene_sources
    render.contains_generated_media = contains_generated_media
    render.synthetic_voice = synthetic_voice
    render.voice = voice
    render.voice_fallback = voice_fallback or {}
    render.finished_at = clock.now()
    render.save()
    do_record_render_assets(video, assets)
    do_set_post_video_state(render.post, _video_state_after(render))
    return render


@transaction.atomic
def do_finish_reused_render(render_id, earlier: Render) -> Render | None:
    """The same inputs were rendered before (same digest) and the file is still stored: that result is this one."""
    render = _locked_render(render_id)
    if render is None or render.status != RenderStatus.RENDERING:
        return None
    copied = (
        "video", "video_key", "cover_key", "video_cover_timestamp_ms", "duration_s", "width", "height", "fps",
        "size_bytes", "qa_report", "qa_passed", "spec_digest", "segment_digests", "scene_sources",
        "contains_generated_media", "synthetic_voice", "voice", "voice_fallback",
    )  # fmt: skip
    for name in copied:
        setattr(render, name, getattr(earlier, name))
    render.status, render.failure, render.reused, render.reencoded_scenes = RenderStatus.DONE, [], True, []
    render.steps = {}
    render.finished_at = clock.now()
    render.save()
    do_set_post_video_state(render.post, _video_state_after(render))
    return render


@transaction.atomic
def do_fail_render(render_id, reasons: Iterable) -> Render | None:
    """End the render as failed with its reasons (`Reason`s or reason dicts); no file is kept."""
    render = _locked_render(render_id)
    if render is None or render.status not in Render.ACTIVE:
        return None
    render.status = RenderStatus.FAILED
    render.failure = [reason if isinstance(reason, dict) else reason.as_dict() for reason in reasons]
    render.finished_at = clock.now()
    render.save(update_fields=["status", "failure", "finished_at"])
    do_set_post_video_state(render.post, _video_state_after(render))
    return render


@transaction.atomic
def do_record_scene_sources(render: Render, scene_sources: list[dict]) -> Render:
    """Where each scene's picture came from: `[{"scene": 1, "source": "library|generated|card",
    "asset": id, "provider": "veo", "fallback": reason dict or None}, …]` (video providers write it)."""
    row = _locked_render(render.id, render.organization_id)
    row.scene_sources = scene_sources
    row.save(update_fields=["scene_sources"])
    return row


@transaction.atomic(durable=True)
def do_override_render_qa(render: Render, *, actor, reason: str) -> Render:
    """An editor accepts a render whose QA failed; who, when and why are kept on the render (the audit)."""
    row = _locked_render(render.id, render.organization_id)
    reason = reason.strip()
    if not reason:
        raise RenderError(_("Say why this video may be published although its checks failed."), code="reason")
    if row.status != RenderStatus.DONE or row.qa_passed:
        raise RenderError(_("Only a finished video whose checks failed can be accepted."), code="state")
    row.qa_override_reason = reason[:1000]
    row.qa_overridden_by = actor
    row.qa_overridden_at = clock.now()
    row.save(update_fields=["qa_override_reason", "qa_overridden_by", "qa_overridden_at"])
    do_set_post_video_state(row.post, _video_state_after(row))
    return row


@transaction.atomic(durable=True)
def do_save_voice_settings(project, *, engine: str, voice_id: str, model_id: str) -> ProjectVoiceSettings:
    settings, _created = ProjectVoiceSettings.objects.for_org(project.organization_id).update_or_create(
        organization_id=project.organization_id, project=project,
        defaults={"engine": engine, "voice_id": voice_id.strip(), "model_id": model_id},
    )  # fmt: skip
    return settings


def do_request_month_renders(project: Project, month, *, actor=None, language: str = "") -> list[Render]:
    """ "Produce all approved posts of this month": one render request per approved post of the month's
    current plan (a post with a render under way keeps it; unchanged inputs reuse the finished file).
    Each request commits on its own, so one post's refusal does not undo the others."""
    batch = f"{project.id}:{month:%Y-%m}"
    posts = list(month_posts(project, month).filter(status=PostStatus.APPROVED))
    return [do_request_render(post, actor=actor, language=language, batch=batch) for post in posts]
