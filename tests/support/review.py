"""Client review (issue 12) test objects made through the product's actions: guests and review links."""

from datetime import date, timedelta

from apps.core import clock
from apps.orgs.models import Membership
from apps.posts import review_actions
from apps.posts.models import ReviewLink
from apps.posts.review_access import link_token
from tests.support.accounts import make_user

FAR_FUTURE = date(2099, 1, 1)
PIN = "4711"


def invite_guest(project, email: str, by=None):
    """A pending guest invitation to `project`, sent by `by` (default: any member of its organization)."""
    actor = Membership.objects.for_org(project.organization_id).filter(**({"user": by} if by else {})).first()
    return review_actions.do_invite_guest(actor, project, email)


def make_guest(project, email: str):
    """A user of no organization holding `project`'s review grant, by an accepted invitation."""
    guest = make_user(email)
    review_actions.do_accept_guest_invitation(invite_guest(project, email), guest)
    return guest


def make_review_link(project, actor, *, post=None, week_start=None, expires_on=FAR_FUTURE, pin="") -> ReviewLink:
    return review_actions.do_create_review_link(
        project, actor=actor, post=post, week_start=week_start, expires_on=expires_on, pin=pin
    )


def expire(link: ReviewLink) -> ReviewLink:
    """The link's last valid day becomes yesterday (links cannot be created expired)."""
    ReviewLink.objects.unscoped().filter(id=link.id).update(expires_on=clock.now().date() - timedelta(days=1))
    link.refresh_from_db()
    return link


def token(link: ReviewLink) -> str:
    return link_token(link)
