"""The publishing pipeline: gates → creator_info → init → chunk upload → status → final state.

Exactly once for FILE_UPLOAD. Every step is saved before the next call (actions.do_record_step):
the `publish_id` before the first byte, `uploaded_bytes` after each chunk. A run that finds a
stored `publish_id` asks TikTok for its status first and continues from TikTok's own
`uploaded_bytes`; a new `init` happens only when the earlier publish can no longer complete
(TikTok reports it FAILED, or its upload URL expired before all bytes arrived — then it is
cancelled first). A publish without all its bytes never becomes a post, so an `init` whose
answer was lost with a killed worker cannot make a second post either.

One run at a time per publication: a session-level Postgres advisory lock, which the database
drops by itself when a killed worker's connection goes away.
"""

from __future__ import annotations

import logging
import random
import uuid
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection

from apps.core import clock
from apps.core.ratelimit import token_bucket
from apps.core.reasons import Reason
from apps.social import reasons
from apps.social.actions import with_access_token
from apps.social.models import ACTIVE_STATES, Publication, PublishMode, PublishState
from apps.social.platforms import PlatformError
from apps.social.publish import gates
from apps.social.publish.actions import do_record_step
from apps.social.publish.video import current_video
from apps.social.tiktok.chunks import MB, check_plan, chunk_plan
from apps.social.tiktok.client import TikTokAPIError, TikTokClient, TikTokConnectionError, TikTokError
from viralforge.redis import key

logger = logging.getLogger("viralforge.publish")

# Our side of TikTok's per-token limits (requests a minute), as token buckets on clock time.
LIMITS = {"creator_info": 20, "video_init": 6, "inbox_init": 6, "status_fetch": 30, "cancel": 30}
CALL_TRIES = 5  # transient answers retried in place (with jitter) before the job itself retries
PERMANENT_INIT = {
    "spam_risk_too_many_posts", "spam_risk_user_banned_from_posting", "reached_active_user_cap",
    "unaudited_client_can_only_post_to_private_accounts", "url_ownership_unverified",
    "privacy_level_option_mismatch", "spam_risk_too_many_pending_share", "invalid_param",
    "scope_permission_missed", "scope_not_authorized",
}  # fmt: skip


class Transient(Exception):
    """TikTok kept failing in a way a later retry may fix; the job retries with backoff."""


class Handoff(Exception):
    """The publication waits (TikTok still processing): the job re-queues itself later."""

    def __init__(self, delay_s: float):
        super().__init__(delay_s)
        self.delay_s = delay_s


class Reinit(Exception):
    """The stored publish can no longer complete: start a new one."""


class Stop(Exception):
    def __init__(self, state: str, reason: Reason | None = None, **fields):
        super().__init__(state)
        self.state, self.reason, self.fields = state, reason, fields


@contextmanager
def exclusive(publication_id):
    """True inside when this process holds the publication's advisory lock."""
    lock_id = uuid.UUID(str(publication_id)).int >> 65  # fits a signed bigint
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [lock_id])
        got = cursor.fetchone()[0]
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [lock_id])


def _jitter(base: float) -> float:
    return base * (0.5 + random.random())


def _throttle(publication: Publication, endpoint: str) -> None:
    """Wait for our own token bucket (per account and endpoint), on the clock's time."""
    per_minute = LIMITS[endpoint]
    while True:
        result = token_bucket(
            key("publish", "bucket", str(publication.account_id), endpoint),
            capacity=max(1, per_minute // 3),
            per_second=per_minute / 60 * clock.scale(),
        )
        if result.allowed:
            return
        clock.sleep(result.retry_after_ms / 1000 * clock.scale())


def _call(publication: Publication, endpoint: str | None, fn):
    """`fn(client, access_token)` with our limiter, a fresh token (refreshed once when TikTok rejects
    it) and in-place retries of transient answers; permanent ones raise TikTokAPIError."""
    last: Exception | None = None
    for attempt in range(CALL_TRIES):
        if endpoint:
            _throttle(publication, endpoint)
        try:
            with TikTokClient() as client:
                return with_access_token(publication.account, lambda token: fn(client, token))
        except PlatformError as exc:
            if exc.reconnect or not exc.retryable:  # the account must be reconnected
                raise Stop(PublishState.FAILED, exc.reason) from None
            last = exc  # the token endpoint failed transiently: nothing changed, try again
            clock.sleep(_jitter(0.5 * 2**attempt))
        except TikTokAPIError as exc:
            if not exc.retryable:
                raise
            last = exc
            wait = float(exc.retry_after or 0) if exc.code == "rate_limit_exceeded" else 0
            clock.sleep(max(wait, _jitter(0.5 * 2**attempt)))
        except TikTokConnectionError as exc:
            last = exc
            clock.sleep(_jitter(0.5 * 2**attempt))
    raise Transient(str(last))


def run(publication_id) -> str:
    """Take the publication as far as it goes now; returns its state. Raises Transient (retry the
    job later) or Handoff (re-queue after a delay)."""
    with exclusive(publication_id) as got:
        if not got:
            return "busy"
        publication = Publication.objects.unscoped().select_related("account", "post", "project").get(
            id=publication_id)  # fmt: skip
        if publication.state not in ACTIVE_STATES:
            return publication.state
        try:
            return _advance(publication)
        except Stop as stop:
            fields = dict(stop.fields)
            if stop.reason is not None:
                fields["failure"] = stop.reason.as_dict()
            do_record_step(publication.id, stop.state, event=stop.state, **fields)
            return stop.state


def _advance(publication: Publication) -> str:
    while True:
        try:
            if not publication.publish_id:
                publication = _initialize(publication)
                fresh = True
            else:
                fresh = False
            if publication.state in (PublishState.INITIALIZED, PublishState.UPLOADING):
                publication = _upload(publication, resume=not fresh)
            return _poll(publication)
        except Reinit:
            publication = _reset(publication)


def _reset(publication: Publication) -> Publication:
    """Forget a publish that can no longer complete (asked first; cancelled when still open)."""
    if publication.attempts >= settings.VF_PUBLISH_MAX_ATTEMPTS:
        raise Stop(PublishState.FAILED, reasons.PUBLISH_GAVE_UP.reason(error="reinit", attempts=publication.attempts))
    return do_record_step(
        publication.id, PublishState.QUEUED, event="reinit", publish_id="", upload_url="", uploaded_bytes=0,
        upload_expires_at=None, last_status={},
    )  # fmt: skip


def _initialize(publication: Publication) -> Publication:
    video = current_video(publication.post)
    found = gates.local_gates(publication, video)
    if found:
        raise Stop(PublishState.BLOCKED, found[0], last_status={"gates": [r.as_dict() for r in found]})
    assert video is not None
    creator, blocked = _creator_info(publication)
    found = gates.creator_gates(publication, creator, blocked, video)
    if found:
        raise Stop(PublishState.BLOCKED, found[0], last_status={"gates": [r.as_dict() for r in found]})
    size = default_storage.size(video.key)
    plan = chunk_plan(size, settings.VF_PUBLISH_CHUNK_MB * MB)
    publication = do_record_step(
        publication.id, PublishState.QUEUED, render_id=video.render_id, video_key=video.key, video_size=size,
        duration_s=video.duration_s, cover_timestamp_ms=video.cover_timestamp_ms, chunk_size=plan.chunk_size,
        total_chunk_count=plan.total_chunk_count, attempts=publication.attempts + 1, inits=publication.inits + 1,
        started_at=publication.started_at or clock.now(),
    )  # fmt: skip
    source = plan.source_info()
    try:
        if publication.mode == PublishMode.DIRECT:
            data = _call(publication, "video_init",
                         lambda c, t: c.init_direct_post(t, publication.post_info(), source))  # fmt: skip
        else:
            data = _call(publication, "inbox_init", lambda c, t: c.init_inbox(t, source))
    except TikTokAPIError as exc:
        raise Stop(PublishState.FAILED, reasons.PUBLISH_REFUSED.reason(error=exc.code)) from None
    return do_record_step(
        publication.id, PublishState.INITIALIZED, event="initialized", publish_id=str(data["publish_id"])[:64],
        upload_url=str(data.get("upload_url", "")), uploaded_bytes=0,
        upload_expires_at=clock.now() + timedelta(minutes=55), tiktok_post_id="", link="",
    )  # fmt: skip


def _creator_info(publication: Publication) -> tuple[dict, str]:
    """creator_info (caps come as an error code in a 200 answer); only direct posts need it."""
    if publication.mode != PublishMode.DIRECT:
        return publication.account.creator_info, ""
    try:
        return _call(publication, "creator_info", lambda c, t: c.creator_info(t)), ""
    except TikTokAPIError as exc:
        if exc.status == 200:
            return {}, exc.code
        raise Stop(PublishState.FAILED, reasons.PUBLISH_REFUSED.reason(error=exc.code)) from None


def _status(publication: Publication) -> dict:
    try:
        data = _call(publication, "status_fetch", lambda c, t: c.fetch_status(t, publication.publish_id))
    except TikTokAPIError as exc:
        raise Stop(PublishState.FAILED, reasons.PUBLISH_REFUSED.reason(error=exc.code)) from None
    return data


def _settle(publication: Publication, status: dict) -> str | None:
    """Act on a final status (raises Stop / Reinit); None while TikTok is still working."""
    kind = status.get("status")
    if kind == "FAILED":
        fail = str(status.get("fail_reason", "")) or "unknown"
        if fail == "internal":  # TikTok's retryable failure: the publish is dead, a new one may work
            raise Reinit
        raise Stop(PublishState.FAILED, reasons.PUBLISH_FAILED.reason(error=fail), last_status=status)
    if kind == "SEND_TO_USER_INBOX":
        raise Stop(PublishState.IN_INBOX, last_status=status)
    if kind == "PUBLISH_COMPLETE":
        ids = status.get("publicaly_available_post_id") or []
        if ids:
            post_id = str(ids[0])
            handle = publication.account.username or publication.account.open_id
            raise Stop(PublishState.PUBLISHED, last_status=status, tiktok_post_id=post_id,
                       link=f"https://www.tiktok.com/@{handle}/video/{post_id}")  # fmt: skip
        if publication.privacy_level != "PUBLIC_TO_EVERYONE":
            raise Stop(PublishState.PUBLISHED, last_status=status)  # only public posts ever get an id
        return "public_pending"
    return None


def _upload(publication: Publication, *, resume: bool) -> Publication:
    offset = publication.uploaded_bytes
    if resume:
        status = _status(publication)
        offset = int(status.get("uploaded_bytes") or 0)
        if offset >= publication.video_size:  # all bytes arrived before the last worker could say so
            publication = do_record_step(publication.id, PublishState.PROCESSING, event="uploaded",
                                         uploaded_bytes=publication.video_size, last_status=status)  # fmt: skip
        _settle(publication, status)
        if offset >= publication.video_size:
            return publication
    if publication.upload_expires_at and publication.upload_expires_at <= clock.now():
        _cancel(publication)
        raise Reinit
    plan = check_plan(publication.video_size, publication.chunk_size, publication.total_chunk_count)
    index = offset // plan.chunk_size
    with default_storage.open(publication.video_key, "rb") as video:
        while index < plan.total_chunk_count:
            first, last = plan.range_of(index)
            video.seek(first)
            data = video.read(last - first + 1)
            offset = _put_chunk(publication, data, first)
            publication = do_record_step(publication.id, PublishState.UPLOADING, uploaded_bytes=offset)
            index = offset // plan.chunk_size if offset < plan.video_size else plan.total_chunk_count
    return do_record_step(publication.id, PublishState.PROCESSING, event="uploaded", uploaded_bytes=plan.video_size)


def _put_chunk(publication: Publication, data: bytes, first: int) -> int:
    """PUT one chunk (no token, no limiter); the byte offset after it (TikTok's, after a 416)."""
    for attempt in range(CALL_TRIES):
        try:
            with TikTokClient() as client:
                client.upload_chunk(publication.upload_url, data, first=first, total=publication.video_size)
            return first + len(data)
        except TikTokAPIError as exc:
            if exc.status == 416:  # out of order: TikTok has other bytes than we think; ask it
                return int(_status(publication).get("uploaded_bytes") or 0)
            if exc.status in (403, 404):  # the upload URL expired or is gone: this publish cannot finish
                _cancel(publication)
                raise Reinit from None
            if exc.status < 500:
                raise Stop(PublishState.FAILED, reasons.PUBLISH_REFUSED.reason(error=exc.code)) from None
        except TikTokConnectionError:
            pass
        clock.sleep(_jitter(0.5 * 2**attempt))
    raise Transient("chunk upload kept failing")


def _cancel(publication: Publication) -> None:
    try:
        _call(publication, "cancel", lambda c, t: c.cancel(t, publication.publish_id))
    except TikTokError:
        logger.info("Cancel of %s refused (already final or unknown).", publication.publish_id)


def _poll(publication: Publication) -> str:
    """Ask for the status with backoff until a final state, within the job's poll window."""
    deadline = clock.now() + timedelta(seconds=settings.VF_PUBLISH_POLL_WINDOW_SECONDS)
    delay = 1.0
    while True:
        status = _status(publication)
        _settle(publication, status)
        if publication.state != PublishState.PROCESSING or status != publication.last_status:
            publication = do_record_step(publication.id, PublishState.PROCESSING, last_status=status)
        if clock.now() + timedelta(seconds=delay) > deadline:
            raise Handoff(max(delay, 5.0))
        clock.sleep(delay)
        delay = min(delay * 1.6, 30.0)
