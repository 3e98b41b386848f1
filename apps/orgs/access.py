"""Access helpers: the only way views reach organization-owned objects.

Each helper returns 404 for "missing" and "not yours" alike, so an outsider
learns nothing about another organization.
"""

import functools
import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django_htmx.middleware import HtmxDetails

from apps.orgs.models import Invitation, Membership, Organization
from apps.orgs.roles import Role


class OrgRequest(HttpRequest):
    """What a view decorated with `org_view` receives."""

    org: Organization
    membership: Membership
    htmx: HtmxDetails


def get_membership(user, org_slug: str) -> Membership:
    """The user's membership of the organization with this slug, or 404."""
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(
        Membership.objects.select_related("organization", "user"), user=user, organization__slug=org_slug
    )


def _parse_uuid(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


def get_member(org: Organization, membership_id) -> Membership:
    return get_object_or_404(Membership.objects.for_org(org).select_related("user"), id=_parse_uuid(membership_id))


def get_invitation(org: Organization, invitation_id) -> Invitation:
    return get_object_or_404(Invitation.objects.for_org(org), id=_parse_uuid(invitation_id))


def org_view(min_role: str = Role.VIEWER):
    """Decorator: signed-in member of `org_slug` with at least `min_role`.

    Outsiders get 404, members without the role 403. The view receives the
    organization as `request.org` and the membership as `request.membership`.
    """

    def decorator(view):
        @login_required
        @functools.wraps(view)
        def wrapper(request, org_slug: str, *args, **kwargs):
            membership = get_membership(request.user, org_slug)
            if not membership.has_role(min_role):
                raise PermissionDenied
            request.org = membership.organization
            request.membership = membership
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
