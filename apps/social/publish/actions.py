"""Writes of publishing: the composer's choices with consent, publish now, retry, the scheduler's
claim, and each step of the pipeline (saved before the next call to TikTok).

    do_save_composer(post, account, choices, actor=user, publish_now=False)   # consent, audited
    do_retry_publication(publication, actor=user)                             # failed / blocked → queued
    claim_due_publications(limit=50)                                          # scheduler: SKIP LOCKED
    do_record_step(publication_id, state, event="...", **fields)              # the pipeline
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core import clock
from apps.posts.actions import do_set_post_publish_state
from apps.posts.models import CommercialContent, PostItem, PublishBadge
from apps.social import reasons
from apps.social.models import (
    ACTIVE_STATES,
    Publication,
    PublishEvent,
    PublishMode,
    PublishSettings,
    PublishState,
    SocialAccount,
)
from apps.social.publish.video import current_video

logger = logging.getLogger("viralforge.publish")

EDITABLE_STATES = (PublishState.SCHEDULED, PublishState.BLOCKED, PublishState.MISSED, PublishState.FAILED)


class PublishError(Exception):
    """A request that cannot be done now; the translated message is shown to the user."""

    status = 409


@dataclass(frozen=True)
class ComposerChoices:
    """What the person chose in the composer (nothing preselected: the form demands each)."""

    title: str
    privacy_level: str
    allow_comment: bool
    allow_duet: bool
    allow_stitch: bool
    consent: bool


def settings_for(project) -> PublishSettings:
    found = PublishSettings.objects.for_org(project.organization_id).filter(project=project).first()
    return found or PublishSettings(organization_id=project.organization_id, project=project)


def slot_moment(post: PostItem) -> datetime:
    """The post's slot as an aware moment in the project's time zone (09:00 when the slot has no time)."""
    project = post.project
    hhmm = project.slot_time(post.slot) or "09:00"
    hour, minute = (int(part) for part in hhmm.split(":")[:2])
    return datetime(post.date.year, post.date.month, post.date.day, hour, minute, tzinfo=project.zone)


def _event(publication: Publication, kind: str, actor=None, **detail) -> None:
    PublishEvent.objects.create(
        organization_id=publication.organization_id, publication=publication, kind=kind, actor=actor,
        detail=detail, at=clock.now(),
    )  # fmt: skip


BADGES = {
    PublishState.SCHEDULED: PublishBadge.SCHEDULED,
    **dict.fromkeys(ACTIVE_STATES, PublishBadge.PUBLISHING),
    PublishState.PUBLISHED: PublishBadge.PUBLISHED,
    PublishState.IN_INBOX: PublishBadge.IN_INBOX,
    PublishState.FAILED: PublishBadge.FAILED,
    PublishState.BLOCKED: PublishBadge.FAILED,
    PublishState.MISSED: PublishBadge.FAILED,
}


def _badge(publication: Publication) -> tuple[str, dict]:
    badge = BADGES.get(publication.state, PublishBadge.NONE)
    if badge == PublishBadge.PUBLISHED and publication.link:
        return badge, {"link": publication.link}
    if badge == PublishBadge.FAILED and publication.failure:
        return badge, {"reason": publication.failure}
    return badge, {}


def _show_on_calendar(publication: Publication, before: tuple[str, dict] | None = None) -> None:
    """Mirror the publication's state onto its post's calendar card (only when the badge changes), after
    the commit: the publication's row lock is gone by then, so this never waits on the post's row while
    holding it (the composer locks the post first, then the publication)."""
    badge = _badge(publication)
    if badge != before:
        org_id, post_id = publication.organization_id, publication.post_id
        transaction.on_commit(lambda: do_set_post_publish_state(org_id, post_id, *badge))


def _locked(publication_id) -> Publication:
    # Trusted id (a job, or a view that found the row through its access helper).
    return Publication.objects.unscoped().select_for_update().get(id=publication_id)


def _enqueue(publication: Publication) -> None:
    from apps.jobs.actions import do_enqueue_job
    from apps.social.publish.tasks import publish_post

    do_enqueue_job(
        publish_post,
        organization=publication.organization,
        target=f"post:{publication.post_id}",
        post_id=str(publication.post_id),
    )


@transaction.atomic(durable=True)
def do_save_composer(
    post: PostItem,
    account: SocialAccount,
    choices: ComposerChoices,
    *,
    actor,
    publish_now: bool = False,
    at: datetime | None = None,
) -> Publication:
    """Store the composer's choices and the person's consent (who, when); schedule the post at its
    slot (or `at`: the demo), or queue it now. Refused while the publication is under way or done."""
    if not choices.consent:
        raise PublishError(_("Please confirm TikTok's terms before publishing."))
    post = PostItem.objects.for_org(post.organization_id).select_for_update(of=("self",)).select_related(
        "project").get(id=post.id)  # fmt: skip
    project = post.project
    publication = Publication.objects.for_org(post.organization_id).select_for_update().filter(post=post).first()
    if publication is not None and publication.state not in EDITABLE_STATES:
        raise PublishError(_("This post is already being published or was published."))
    mode = settings_for(project).mode
    video = current_video(post)
    now = clock.now()
    if publication is None:
        publication = Publication(organization_id=post.organization_id, project=project, post=post)
    publication.account = account
    publication.mode = mode
    publication.title = choices.title
    publication.privacy_level = choices.privacy_level if mode == PublishMode.DIRECT else ""
    publication.allow_comment = choices.allow_comment
    publication.allow_duet = choices.allow_duet
    publication.allow_stitch = choices.allow_stitch
    publication.brand_organic = post.commercial_content == CommercialContent.OWN_BRAND
    publication.brand_content = post.commercial_content == CommercialContent.PAID_PARTNERSHIP
    publication.is_aigc = bool(video and video.is_aigc) or post.ai_generated
    publication.consent_by = actor
    publication.consent_at = now
    publication.autopilot = False
    publication.failure = {}
    publication.publish_id = ""
    publication.upload_url = ""
    publication.uploaded_bytes = 0
    if publish_now:
        publication.state = PublishState.QUEUED
        publication.scheduled_for = now
        publication.published_by = actor
    else:
        publication.state = PublishState.SCHEDULED
        publication.scheduled_for = at or slot_moment(post)
    publication.save()
    _show_on_calendar(publication)
    _event(publication, "consent", actor, settings=publication.post_info(), mode=mode, account=str(account.id),
           publish_now=publish_now)  # fmt: skip
    if publish_now:
        _enqueue(publication)
    logger.info("Publication %s saved (%s).", publication.id, publication.state)
    return publication


@transaction.atomic(durable=True)
def do_queue_autopilot(post: PostItem, account: SocialAccount) -> Publication | None:
    """Autopilot (nobody in the composer): the post goes to the creator's inbox as a draft at its slot,
    never as a direct post. Does nothing when the post has a publication already."""
    if Publication.objects.for_org(post.organization_id).filter(post=post).exists():
        return None
    video = current_video(post)
    publication = Publication.objects.create(
        organization_id=post.organization_id, project=post.project, post=post, account=account,
        mode=PublishMode.INBOX, state=PublishState.SCHEDULED, title=post.caption, autopilot=True,
        is_aigc=bool(video and video.is_aigc) or post.ai_generated, scheduled_for=slot_moment(post),
    )  # fmt: skip
    _show_on_calendar(publication)
    _event(publication, "autopilot", None, mode=PublishMode.INBOX)
    return publication


@transaction.atomic(durable=True)
def do_retry_publication(publication: Publication, *, actor) -> Publication:
    publication = _locked(publication.id)
    if publication.state not in (PublishState.FAILED, PublishState.BLOCKED, PublishState.MISSED):
        raise PublishError(_("Only a failed, blocked or missed publication can be retried."))
    publication.state = PublishState.QUEUED
    publication.failure = {}
    publication.publish_id = ""
    publication.upload_url = ""
    publication.uploaded_bytes = 0
    publication.attempts = 0
    publication.published_by = actor
    publication.scheduled_for = clock.now()
    publication.save()
    _show_on_calendar(publication)
    _event(publication, "retry", actor)
    _enqueue(publication)
    return publication


def _every_org_or(organization):
    """The scheduler serves every organization; a bench confines it to its own (`organization`)."""
    rows = Publication.objects.unscoped()
    return rows if organization is None else rows.filter(organization=organization)


def claim_due_publications(limit: int = 100, *, organization=None) -> list[str]:
    """The scheduler's tick: scheduled publications whose slot has come are queued (rows claimed with
    FOR UPDATE SKIP LOCKED, so two schedulers never queue one twice); a slot missed by more than the
    project's catch-up window is flagged instead. Returns the queued post ids."""
    now = clock.now()
    queued: list[str] = []
    with transaction.atomic(durable=True):
        due = list(
            _every_org_or(organization)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("project", "organization")
            .filter(state=PublishState.SCHEDULED, scheduled_for__lte=now)
            .order_by("scheduled_for")[:limit]
        )
        for publication in due:
            window = timedelta(minutes=settings_for(publication.project).catch_up_minutes)
            if now - publication.scheduled_for > window:
                local = publication.scheduled_for.astimezone(publication.project.zone)
                publication.state = PublishState.MISSED
                publication.failure = reasons.PUBLISH_MISSED.reason(
                    slot=local.strftime("%Y-%m-%d %H:%M"), minutes=int(window.total_seconds() // 60)
                ).as_dict()
                publication.save(update_fields=["state", "failure", "updated_at"])
                _show_on_calendar(publication)
                _event(publication, "missed")
                continue
            publication.state = PublishState.QUEUED
            publication.save(update_fields=["state", "updated_at"])
            _show_on_calendar(publication)
            _event(publication, "queued", lateness_s=round((now - publication.scheduled_for).total_seconds(), 3))
            _enqueue(publication)
            queued.append(str(publication.post_id))
    return queued


def do_record_step(publication_id, state: str, *, event: str = "", **fields) -> Publication:
    """Save one step of the pipeline (its own transaction: it must be on disk before the next call)."""
    with transaction.atomic(durable=True):
        publication = _locked(publication_id)
        before = _badge(publication)
        publication.state = state
        for name, value in fields.items():
            setattr(publication, name, value)
        if state in (PublishState.PUBLISHED, PublishState.IN_INBOX, PublishState.FAILED, PublishState.BLOCKED):
            publication.finished_at = publication.finished_at or clock.now()
        publication.save()
        _show_on_calendar(publication, before)
        if event:
            detail = {"state": state}
            if fields.get("failure"):
                detail["reason"] = fields["failure"]
            if publication.publish_id:
                detail["publish_id"] = publication.publish_id
            _event(publication, event, **detail)
    return publication


def stalled_publications(quiet_seconds: float = 120, *, organization=None) -> list[Publication]:
    """Active publications untouched for `quiet_seconds` of real time (their job may have died with its
    worker; worker liveness is real time, not the clock's). Queued ones get at least a minute: their
    message may still wait in the queue, or come back from a dead worker by itself."""
    now = timezone.now()
    started = ACTIVE_STATES[1:]
    return list(
        _every_org_or(organization)
        .filter(
            Q(state__in=started, updated_at__lte=now - timedelta(seconds=quiet_seconds))
            | Q(state=PublishState.QUEUED, updated_at__lte=now - timedelta(seconds=max(quiet_seconds, 60)))
        )
        .only("id", "post_id")
    )


@transaction.atomic(durable=True)
def do_save_publish_settings(project, *, mode: str, catch_up_minutes: int, actor=None) -> PublishSettings:
    found = settings_for(project)
    found.mode = mode
    found.catch_up_minutes = catch_up_minutes
    found.save()
    logger.info("Publishing settings of %s: %s, %s min (by %s).", project.id, mode, catch_up_minutes, actor)
    return found


def queue_autopilot_posts(days_ahead: int = 2) -> int:
    """The tick: autopilot projects' cleared posts with a publishable video, due within `days_ahead`,
    become inbox drafts at their slot (never direct posts: nobody stood in the composer)."""
    from apps.posts.access import is_cleared_for_publishing
    from apps.projects.models import Project
    from apps.social.models import AccountStatus

    count = 0
    for project in Project.objects.unscoped().filter(autopilot=True):  # every organization's autopilot projects
        account = (
            SocialAccount.objects.for_org(project.organization_id)
            .filter(projects=project, status=AccountStatus.CONNECTED)
            .first()
        )
        if account is None:
            continue
        today = project.today()
        posts = PostItem.objects.for_org(project.organization_id).filter(
            project=project, date__gte=today, date__lte=today + timedelta(days=days_ahead), publication__isnull=True
        )
        for post in posts.select_related("project"):
            video = current_video(post)
            if video is not None and video.qa_ok and is_cleared_for_publishing(post, project):
                count += do_queue_autopilot(post, account) is not None
    return count
