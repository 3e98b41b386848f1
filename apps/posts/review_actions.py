"""Writes of client review: guest reviewers, comments with mentions, change requests, review links."""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core import clock
from apps.orgs.models import Membership
from apps.posts.access import approval_required
from apps.posts.actions import PostError, _locked_row, record_approval
from apps.posts.models import (
    Approval,
    GuestInvitation,
    PostComment,
    PostItem,
    PostStatus,
    ReviewLink,
    ReviewLinkUse,
)
from apps.posts.reasons import CHANGES_REQUESTED
from apps.projects.access import grant_project_reviewer, reviewer_user_ids, revoke_project_reviewer
from apps.projects.models import Project

logger = logging.getLogger(__name__)

PIN_ATTEMPTS = 5
PIN_LOCK = timedelta(minutes=15)
MENTION = re.compile(r"@([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})")


class ReviewError(Exception):
    """A request that breaks a review rule; the message is shown to the user."""


# --- guest reviewers -------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def do_invite_guest(actor: Membership, project: Project, email: str) -> GuestInvitation:
    email = email.strip().lower()
    if Membership.objects.for_org(project.organization_id).filter(user__email__iexact=email).exists():
        raise ReviewError(
            _("%(email)s is a member of this organization: grant them the review right in the project settings.")
            % {"email": email}
        )
    expires_at = clock.now() + timedelta(days=settings.VF_INVITATION_DAYS)
    invitation = (
        GuestInvitation.objects.for_org(project.organization_id)
        .filter(project=project, email__iexact=email, accepted_at__isnull=True)
        .first()
    )
    if invitation is None:
        invitation = GuestInvitation.objects.create(
            organization_id=project.organization_id,
            project=project,
            email=email,
            invited_by=actor.user,
            expires_at=expires_at,
        )
    else:
        invitation.expires_at, invitation.invited_by = expires_at, actor.user
        invitation.save(update_fields=["expires_at", "invited_by"])
    invitation_id, language = invitation.id, translation.get_language()
    transaction.on_commit(lambda: send_guest_invitation_email(invitation_id, language))
    return invitation


def send_guest_invitation_email(invitation_id, language: str | None) -> None:
    invitation = (
        GuestInvitation.objects.unscoped().select_related("project__organization", "invited_by").get(id=invitation_id)
    )
    link = settings.VF_BASE_URL.rstrip("/") + reverse("guest_invitation_accept", args=[invitation.token])
    with translation.override(language):
        subject = _("You are invited to review %(project)s on ViralForge") % {"project": invitation.project.name}
        body = render_to_string("posts/review/email/guest_invitation.txt", {"invitation": invitation, "link": link})
    send_mail(subject, body, None, [invitation.email])


@transaction.atomic(durable=True)
def do_revoke_guest_invitation(invitation: GuestInvitation) -> None:
    if invitation.accepted_at is not None:
        raise ReviewError(_("This invitation has already been accepted."))
    invitation.delete()


def _accept(invitation: GuestInvitation, user) -> Project:
    invitation = GuestInvitation.objects.unscoped().select_for_update().select_related("project").get(id=invitation.id)
    if invitation.accepted_at is not None:
        raise ReviewError(_("This invitation has already been used."))
    if invitation.is_expired:
        raise ReviewError(_("This invitation has expired. Ask for a new one."))
    if user.email.lower() != invitation.email.lower():
        raise ReviewError(
            _("This invitation was sent to %(email)s. Sign in with that address to accept it.")
            % {"email": invitation.email}
        )
    grant_project_reviewer(user, invitation.project)
    invitation.accepted_at, invitation.accepted_by = clock.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return invitation.project


@transaction.atomic(durable=True)
def do_accept_guest_invitation(invitation: GuestInvitation, user) -> Project:
    """The guest gets the project's review grant, and no membership."""
    return _accept(invitation, user)


@transaction.atomic(durable=True)
def do_accept_guest_invitation_as_new_user(invitation: GuestInvitation, password: str, name: str = ""):
    """Accepting creates the account: the invitation link proves the address, so it is verified."""
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ReviewError(_("An account with this address exists already. Sign in to accept the invitation."))
    user = User.objects.create_user(email=invitation.email, password=password, name=name.strip())
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    _accept(invitation, user)
    return user


@transaction.atomic(durable=True)
def do_remove_guest(project: Project, user) -> None:
    revoke_project_reviewer(user, project)


# --- approvals and change requests by reviewers ----------------------------------------------------


@transaction.atomic(durable=True)
def do_request_changes(post: PostItem, *, message: str, actor=None, actor_name: str = "") -> PostItem:
    """The reviewer wants changes: the post goes back to review with the reason, and the message joins the thread."""
    message = message.strip()
    if not message:
        raise ReviewError(_("Please say what should change."))
    row = _locked_row(post)
    if not approval_required(row.project):
        raise PostError(_("This project has no approval step."))
    who = actor_name or (actor.email if actor else "")
    row.status = PostStatus.NEEDS_REVIEW
    row.review_reason = [CHANGES_REQUESTED.reason(who=who, message=message).as_dict()]
    row.approved_by, row.approved_at = None, None
    row.save(update_fields=["status", "review_reason", "approved_by", "approved_at", "updated_at"])
    record_approval(row, Approval.Action.CHANGES_REQUESTED, actor=actor, actor_name=actor_name)
    _add_comment(row, body=message, author=actor, author_name=actor_name)
    return row


# --- comments ------------------------------------------------------------------------------------


def mentioned_addresses(body: str, project: Project) -> list[str]:
    """`@someone@example.com` in the text, kept only for the project's team: members and its guests."""
    wanted = {match.lower() for match in MENTION.findall(body)}
    if not wanted:
        return []
    team = set(reviewer_user_ids(project)) | set(
        Membership.objects.for_org(project.organization_id).values_list("user_id", flat=True)
    )
    found = User.objects.filter(id__in=team, email__in=wanted).values_list("email", flat=True)
    return sorted(email.lower() for email in found)


def _add_comment(post: PostItem, *, body: str, author=None, author_name: str = "") -> PostComment:
    comment = PostComment.objects.create(
        organization_id=post.organization_id,
        post=post,
        author=author,
        author_name=author_name.strip(),
        body=body,
        mentions=mentioned_addresses(body, post.project),
    )
    if comment.mentions:
        comment_id, language = comment.id, translation.get_language()
        transaction.on_commit(lambda: send_mention_emails(comment_id, language))
    return comment


@transaction.atomic(durable=True)
def do_add_comment(post: PostItem, *, body: str, author=None, author_name: str = "") -> PostComment:
    body = body.strip()
    if not body:
        raise ReviewError(_("Please write a comment."))
    if len(body) > 4000:
        raise ReviewError(_("A comment may have at most 4000 characters."))
    return _add_comment(post, body=body, author=author, author_name=author_name)


def send_mention_emails(comment_id, language: str | None) -> None:
    comment = PostComment.objects.unscoped().select_related("post__project__organization", "author").get(id=comment_id)
    post, project = comment.post, comment.post.project
    members = set(
        Membership.objects.for_org(project.organization_id)
        .filter(user__email__in=comment.mentions)
        .values_list("user__email", flat=True)
    )
    base = settings.VF_BASE_URL.rstrip("/")
    for email in comment.mentions:
        name = "post_detail" if email in members else "guest_post"
        link = base + reverse(name, args=[project.organization.slug, project.slug, post.id])
        with translation.override(language):
            subject = _("You were mentioned on a post of %(project)s") % {"project": project.name}
            body = render_to_string("posts/review/email/mention.txt", {"comment": comment, "post": post, "link": link})
        send_mail(subject, body, None, [email])


# --- review links --------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def do_create_review_link(
    project: Project,
    *,
    actor,
    expires_on: date,
    post: PostItem | None = None,
    week_start: date | None = None,
    pin: str = "",
) -> ReviewLink:
    if (post is None) == (week_start is None):
        raise ReviewError(_("Choose one post or one week."))
    if expires_on < clock.now().date():
        raise ReviewError(_("The end date lies in the past."))
    if pin and not (pin.isdigit() and 4 <= len(pin) <= 12):
        raise ReviewError(_("A PIN has 4 to 12 digits."))
    if week_start is not None:
        week_start = week_start - timedelta(days=week_start.weekday())
    return ReviewLink.objects.create(
        organization_id=project.organization_id,
        project=project,
        post=post,
        week_start=week_start,
        expires_on=expires_on,
        pin_hash=make_password(pin) if pin else "",
        created_by=actor,
    )


@transaction.atomic(durable=True)
def do_revoke_review_link(link: ReviewLink) -> None:
    if link.revoked_at is None:
        link.revoked_at = clock.now()
        link.save(update_fields=["revoked_at"])


def record_link_use(link: ReviewLink, action: str, *, ip: str, post: PostItem | None = None, name: str = "") -> None:
    """Audit one use of a link (its own small transaction: refusals are audited too)."""
    ReviewLinkUse.objects.create(
        organization_id=link.organization_id, link=link, post=post, action=action, name=name[:120], ip=ip[:64]
    )


class PinCheck:
    CORRECT, WRONG, LOCKED = "correct", "wrong", "locked"


@transaction.atomic(durable=True)
def do_check_link_pin(link: ReviewLink, pin: str, *, ip: str) -> str:
    """A `PinCheck` value. Wrong PINs count; `PIN_ATTEMPTS` of them lock the link for `PIN_LOCK`. Audited."""
    row = ReviewLink.objects.for_org(link.organization_id).select_for_update().get(id=link.id)
    now = clock.now()
    if row.pin_locked_until and row.pin_locked_until > now:
        record_link_use(row, ReviewLinkUse.Action.REFUSED, ip=ip)
        return PinCheck.LOCKED
    if check_password(pin, row.pin_hash):
        row.failed_pin_attempts, row.pin_locked_until = 0, None
        row.save(update_fields=["failed_pin_attempts", "pin_locked_until"])
        record_link_use(row, ReviewLinkUse.Action.PIN_ACCEPTED, ip=ip)
        return PinCheck.CORRECT
    row.failed_pin_attempts += 1
    if row.failed_pin_attempts >= PIN_ATTEMPTS:
        row.failed_pin_attempts, row.pin_locked_until = 0, now + PIN_LOCK
    row.save(update_fields=["failed_pin_attempts", "pin_locked_until"])
    record_link_use(row, ReviewLinkUse.Action.PIN_FAILED, ip=ip)
    return PinCheck.WRONG
