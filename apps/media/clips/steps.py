"""One step of a generation at a time: create, poll, download and store, each persisted before the next.

    clip = advance(clip_id)     # None when it is finished or another worker holds it right now
    clip.next_step_at           # when to call again (the actor re-sends itself with that delay)

Never waits for the provider: a pending operation is looked at again later (`poll_delay`), so no
worker thread is blocked for minutes. A step first claims the clip (`lease_until`), so two
messages for one clip never create twice. The operation name / task id is saved as soon as the
create call answers; a worker killed after that resumes by polling the same operation (the one
gap left: a kill between the provider's answer and that save creates once more).

Video seconds go through the quota API: reserved before the create call (a refused budget means
no call), committed for the seconds of the file received, released for failed or blocked clips.
"""

from __future__ import annotations

import logging
import random
import tempfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from apps.billing import quota
from apps.billing.models import Reservation, ReservationStatus, UsageKind
from apps.core import clock
from apps.core.reasons import Reason
from apps.media.clips import reasons
from apps.media.clips.base import ClipError, ClipPrompt, Outcome
from apps.media.clips.clients import CredentialUnavailable, client_for
from apps.media.clips.models import ACTIVE_CLIP_STATUSES, ClipStatus, GeneratedClip, VideoSource
from apps.media.models import Asset, AssetKind, AssetSource, LicenceType

logger = logging.getLogger("viralforge.media.clips")
LEASE_SECONDS_EXTRA = 5


def provider_label(provider: str) -> str:
    return str(VideoSource(provider).label) if provider in VideoSource.values else provider


def poll_delay(polls: int) -> float:
    """Seconds until the next look at a pending operation: grows 1.5× per poll up to the maximum."""
    return min(settings.VF_CLIP_POLL_MAX_SECONDS, settings.VF_CLIP_POLL_SECONDS * 1.5**polls)


def retry_delay(attempts: int, retry_after: float | None) -> float:
    if retry_after is not None:
        return min(retry_after, settings.VF_CLIP_POLL_MAX_SECONDS)
    base = min(settings.VF_CLIP_POLL_MAX_SECONDS, settings.VF_CLIP_POLL_SECONDS * 2**attempts)
    return base * (0.75 + random.random() / 2)


def _clips():
    # Steps are handed ids by trusted code (the actor, the sweeper): crossing tenants is the point.
    return GeneratedClip.objects.unscoped()


def claim(clip_id) -> GeneratedClip | None:
    now = clock.now()
    lease = timedelta(seconds=settings.VF_CLIP_TIMEOUT_SECONDS * 3 + LEASE_SECONDS_EXTRA)
    claimed = (
        _clips()
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now), id=clip_id, status__in=ACTIVE_CLIP_STATUSES)
        .update(lease_until=now + lease)
    )
    if not claimed:
        return None
    return _clips().select_related("organization", "project", "post").get(id=clip_id)


def _save(clip: GeneratedClip, **values) -> None:
    for name, value in values.items():
        setattr(clip, name, value)
    _clips().filter(id=clip.id).update(**values)


def advance(clip_id) -> GeneratedClip | None:
    clip = claim(clip_id)
    if clip is None:
        return None
    try:
        if not clip.operation:
            _create(clip)
        elif not clip.video_url:
            _poll(clip)
        else:
            _download(clip)
    finally:
        _save(clip, lease_until=None)
    return clip


# --- quota -----------------------------------------------------------------------------------------


def _reservation(clip: GeneratedClip) -> Reservation | None:
    if not clip.quota_key:
        return None
    return Reservation.objects.for_org(clip.organization).filter(idempotency_key=clip.quota_key).first()


def _release(clip: GeneratedClip) -> None:
    reservation = _reservation(clip)
    if reservation is not None and reservation.status == ReservationStatus.RESERVED:
        quota.release(reservation)


# --- endings ---------------------------------------------------------------------------------------


def _finish(clip: GeneratedClip, status: str, reason: Reason, error: str = "") -> None:
    with transaction.atomic():
        _release(clip)
        _save(clip, status=status, reason=reason.as_dict(), next_step_at=None, last_error=error[:500])
    logger.info("Clip %s %s: %s", clip.id, status, reason.code)


def _label(clip: GeneratedClip) -> str:
    return provider_label(clip.provider)


def _refused(clip: GeneratedClip, error: ClipError) -> None:
    """A provider error: try again later if it is transient and attempts are left, else give up."""
    attempts = clip.attempts + 1
    detail = f"{error.status} {error.code}: {error.message}"[:300]
    if error.retryable and attempts < settings.VF_CLIP_MAX_ATTEMPTS:
        delay = retry_delay(attempts, error.retry_after)
        _save(clip, attempts=attempts, last_error=detail, next_step_at=clock.now() + timedelta(seconds=delay))
        return
    _save(clip, attempts=attempts)
    provider = _label(clip)
    if error.outcome == Outcome.BLOCKED:
        _finish(clip, ClipStatus.BLOCKED, reasons.CLIP_BLOCKED.reason(provider=provider, detail=error.message), detail)
        return
    reason = {
        Outcome.TRANSIENT: reasons.CLIP_GAVE_UP.reason(provider=provider, attempts=attempts, detail=detail),
        Outcome.AUTH: reasons.CLIP_AUTH.reason(provider=provider, detail=detail),
        Outcome.QUOTA: reasons.CLIP_PROVIDER_QUOTA.reason(provider=provider, detail=detail),
        Outcome.INVALID: reasons.CLIP_INVALID.reason(provider=provider, detail=detail),
    }.get(error.outcome) or reasons.CLIP_FAILED.reason(provider=provider, detail=detail)
    _finish(clip, ClipStatus.FAILED, reason, detail)


# --- the steps -------------------------------------------------------------------------------------


def prompt_of(clip: GeneratedClip) -> ClipPrompt:
    return ClipPrompt(clip.prompt, clip.negative_prompt, clip.aspect_ratio, clip.seconds, clip.model)


def _create(clip: GeneratedClip) -> None:
    try:
        client = client_for(clip.provider, clip.organization, clip.project)
    except CredentialUnavailable as exc:
        _finish(clip, ClipStatus.FAILED, reasons.CLIP_NO_KEY.reason(provider=_label(clip), detail=str(exc)))
        return
    key = f"clip:{clip.id}"
    try:
        quota.reserve(
            clip.organization, UsageKind.VIDEO_SECONDS, clip.seconds, project=clip.project,
            source=f"media.GeneratedClip:{clip.id}", idempotency_key=key,
        )  # fmt: skip
    except quota.QuotaExceeded as exc:
        _finish(clip, ClipStatus.FAILED, reasons.CLIP_BUDGET.reason(detail=str(exc)))
        return
    _save(clip, quota_key=key, status=ClipStatus.RUNNING, creates=clip.creates + 1)
    try:
        with client:
            if clip.provider == VideoSource.KLING:
                operation = client.create(prompt_of(clip), mode=clip.mode or "std", external_task_id=str(clip.id))
            else:
                operation = client.create(prompt_of(clip))
    except ClipError as error:
        _refused(clip, error)
        return
    # Saved before anything else happens: from here on a resumed step polls this operation.
    now = clock.now()
    _save(clip, operation=operation[:300], started_at=now, polls=0,
          next_step_at=now + timedelta(seconds=poll_delay(0)))  # fmt: skip


def _poll(clip: GeneratedClip) -> None:
    try:
        with client_for(clip.provider, clip.organization, clip.project) as client:
            generation = client.poll(clip.operation)
    except CredentialUnavailable as exc:
        _finish(clip, ClipStatus.FAILED, reasons.CLIP_NO_KEY.reason(provider=_label(clip), detail=str(exc)))
        return
    except ClipError as error:
        _refused(clip, error)
        return
    if generation.state == "pending":
        waited = (clock.now() - clip.started_at).total_seconds() if clip.started_at else 0
        if waited > settings.VF_CLIP_MAX_WAIT_SECONDS:  # stuck: give up (the scene falls back)
            minutes = max(1, round(settings.VF_CLIP_MAX_WAIT_SECONDS / 60))
            _finish(clip, ClipStatus.FAILED, reasons.CLIP_TIMEOUT.reason(provider=_label(clip), minutes=minutes))
            return
        polls = clip.polls + 1
        _save(clip, polls=polls, next_step_at=clock.now() + timedelta(seconds=poll_delay(polls)))
        return
    if generation.state == "blocked":
        reason = reasons.CLIP_BLOCKED.reason(provider=_label(clip), detail=generation.detail[:300])
        _finish(clip, ClipStatus.BLOCKED, reason, generation.detail)
        return
    if generation.state == "failed":
        attempts = clip.attempts + 1
        if generation.provider_state == "error_transient" and attempts < settings.VF_CLIP_MAX_ATTEMPTS:
            # The operation failed on the provider's side: start a new one (the reservation stays).
            delay = retry_delay(attempts, None)
            _save(clip, operation="", attempts=attempts, last_error=generation.detail[:500],
                  next_step_at=clock.now() + timedelta(seconds=delay))  # fmt: skip
            return
        _save(clip, attempts=attempts)
        reason = reasons.CLIP_FAILED.reason(provider=_label(clip), detail=generation.detail[:300])
        _finish(clip, ClipStatus.FAILED, reason, generation.detail)
        return
    _save(clip, video_url=generation.video_url, polls=clip.polls + 1)
    _download(clip)  # at once: Kling removes results after 30 days, and nobody should wait longer


def asset_name(clip: GeneratedClip) -> str:
    return f"{clip.provider}-{clip.id}.mp4"


def _download(clip: GeneratedClip) -> None:
    from apps.media.actions import MediaError, do_add_asset_file
    from apps.media.probe import ProbeError, probe

    existing = Asset.objects.for_org(clip.organization).filter(name=asset_name(clip), kind=AssetKind.CLIP).first()
    if existing is not None:  # stored before a kill: finish with it
        _done(clip, existing, max(1, round(existing.duration or clip.seconds)))
        return
    with tempfile.TemporaryDirectory(prefix="vf-clip-") as folder:
        path = Path(folder) / "clip.mp4"
        try:
            with client_for(clip.provider, clip.organization, clip.project) as client:
                client.download(clip.video_url, path)
        except CredentialUnavailable as exc:
            _finish(clip, ClipStatus.FAILED, reasons.CLIP_NO_KEY.reason(provider=_label(clip), detail=str(exc)))
            return
        except ClipError as error:
            _refused(clip, error)
            return
        try:
            seconds = max(1, round(probe(path, AssetKind.CLIP, "clip.mp4").duration or 0))
            licence = {
                "licence_type": LicenceType.GENERATED,
                "attribution": f"{_label(clip)} ({clip.model})"[:300],
                "licence_notes": clip.prompt[:2000],
            }
            asset = do_add_asset_file(
                clip.organization, path, filename=asset_name(clip), kind=AssetKind.CLIP, project=clip.project,
                post=clip.post, source=AssetSource.GENERATED, licence=licence,
            )  # fmt: skip
        except (ProbeError, MediaError) as exc:
            # The provider made (and bills) the clip: its seconds are charged even though we cannot keep it.
            _charge(clip, None)
            _finish(clip, ClipStatus.FAILED, reasons.CLIP_UNUSABLE.reason(provider=_label(clip), detail=str(exc)))
            return
    _done(clip, asset, seconds)


def _charge(clip: GeneratedClip, seconds: int | None) -> None:
    reservation = _reservation(clip)
    if reservation is not None:
        quota.commit(reservation, seconds if seconds is not None else reservation.quantity)


def _done(clip: GeneratedClip, asset: Asset, seconds: int) -> None:
    with transaction.atomic():
        _charge(clip, seconds)
        _save(clip, status=ClipStatus.DONE, asset=asset, seconds_received=seconds, next_step_at=None, reason={})
    logger.info("Clip %s done: %s s from %s.", clip.id, seconds, clip.provider)


def stalled(now=None, grace_seconds: float | None = None) -> list:
    """Ids of active clips whose next step is overdue and that nobody holds (their worker died)."""
    now = now or clock.now()
    grace = timedelta(seconds=settings.VF_CLIP_POLL_MAX_SECONDS * 2 if grace_seconds is None else grace_seconds)
    return list(
        _clips()
        .filter(status__in=ACTIVE_CLIP_STATUSES)
        .filter(Q(next_step_at__isnull=True) | Q(next_step_at__lt=now - grace))
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .values_list("id", flat=True)[:500]
    )
