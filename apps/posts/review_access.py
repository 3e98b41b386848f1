"""Who reaches the client-review pages, and how a signed review link is read.

A **guest reviewer** is a user with a project's review grant (django-guardian
`projects.review_project`) and, usually, no membership: guests reach only the `/o/<org>/review/<project>/`
pages of granted projects; every organization page answers 404 for them (they are not members).

A **review link** is `/r/<token>/`: the token is the link's id signed with the secret key. The row
decides the rest, so a revoked or expired link is 404 at once.
"""

from __future__ import annotations

import functools
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from apps.orgs.models import Membership
from apps.planning.models import PlanStatus
from apps.posts.access import approval_required
from apps.posts.models import PostItem, ReviewLink
from apps.projects.access import REVIEW_PERMISSION, reviewer_user_ids
from apps.projects.models import Project, ProjectUserObjectPermission

_LINK_SALT = "viralforge.posts.review-link"
_CODENAME = REVIEW_PERMISSION.split(".", 1)[1]


# --- guest reviewers -------------------------------------------------------------------------------


def granted_projects(user) -> list[Project]:
    """The projects this user holds a review grant on, in every organization."""
    if not user.is_authenticated:
        return []
    grants = ProjectUserObjectPermission.objects.filter(user=user, permission__codename=_CODENAME).select_related(
        "content_object__organization"
    )
    return sorted((grant.content_object for grant in grants), key=lambda p: (p.organization.name, p.name))


def guest_user_ids(project: Project) -> set:
    """Users with the project's review grant who are not members of its organization."""
    granted = reviewer_user_ids(project)
    members = Membership.objects.for_org(project.organization_id).filter(user_id__in=granted)
    return granted - set(members.values_list("user_id", flat=True))


def get_granted_project(user, org_slug: str, project_slug: str) -> Project:
    """The project, if this user holds its review grant; 404 otherwise (missing and not yours alike)."""
    grant = (
        ProjectUserObjectPermission.objects.filter(
            user=user,
            permission__codename=_CODENAME,
            content_object__organization__slug=org_slug,
            content_object__slug=project_slug,
        )
        .select_related("content_object__organization")
        .first()
    )
    if grant is None:
        raise Http404
    return grant.content_object


def get_project_post(project: Project, post_id) -> PostItem:
    """A post of the project's current plans, or 404."""
    return get_object_or_404(
        PostItem.objects.for_org(project.organization_id).filter(
            project=project, plan__status__in=[PlanStatus.READY, PlanStatus.GENERATING]
        ),
        id=post_id,
    )


def guest_view(view):
    """Decorator: a signed-in user holding the review grant of `project_slug` in `org_slug`, else 404.

    The view receives `request.project` (and `request.org`).
    """

    @login_required
    @functools.wraps(view)
    def wrapper(request, org_slug: str, project_slug: str, *args, **kwargs):
        project = get_granted_project(request.user, org_slug, project_slug)
        request.project, request.org = project, project.organization
        request.private_page = True
        return view(request, *args, **kwargs)

    return wrapper


def guest_may_approve(project: Project) -> bool:
    """Guests hold the review grant, which every approval rule with an approval step honours."""
    return approval_required(project)


# --- signed review links ---------------------------------------------------------------------------


def link_token(link: ReviewLink) -> str:
    return signing.Signer(salt=_LINK_SALT).sign(link.id.hex)


def get_link(token: str) -> ReviewLink:
    """The usable link this token names: 404 for a bad signature, a revoked or an expired link."""
    try:
        link_id = signing.Signer(salt=_LINK_SALT).unsign(token)
    except signing.BadSignature:
        raise Http404 from None
    # The signed token is what addresses the link: looking it up across organizations is the point.
    link = (
        ReviewLink.objects.unscoped()
        .select_related("project__organization", "post", "organization")
        .filter(id=link_id)
        .first()
    )
    if link is None or not link_usable(link):
        raise Http404
    return link


def link_usable(link: ReviewLink) -> bool:
    """Not revoked, and `expires_on` (the last valid day, in the project's time zone) not passed."""
    return link.revoked_at is None and link.project.today() <= link.expires_on


def link_days(link: ReviewLink) -> tuple:
    """First and last day the link covers (a post's day, or Monday to Sunday of its week)."""
    if link.post_id:
        return link.post.date, link.post.date
    return link.week_start, link.week_start + timedelta(days=6)


def link_posts(link: ReviewLink):
    posts = PostItem.objects.for_org(link.organization_id).filter(
        project=link.project, plan__status__in=[PlanStatus.READY, PlanStatus.GENERATING]
    )
    if link.post_id:
        return posts.filter(id=link.post_id)
    first, last = link_days(link)
    return posts.filter(date__gte=first, date__lte=last).order_by("date", "slot")


def get_link_post(link: ReviewLink, post_id) -> PostItem:
    """A post the link covers, or 404 (another post of the project, another project's post alike)."""
    return get_object_or_404(link_posts(link), id=post_id)


def pin_unlocked(request: HttpRequest, link: ReviewLink) -> bool:
    return not link.has_pin or request.session.get(f"review-link:{link.id}") == link.pin_hash[-16:]


def remember_pin(request: HttpRequest, link: ReviewLink) -> None:
    # Tied to the PIN's hash: a new PIN (or a revoked link) makes old sessions ask again.
    request.session[f"review-link:{link.id}"] = link.pin_hash[-16:]
