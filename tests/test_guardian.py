"""Per-project grants (django-guardian): a client reviewer approves the posts of one project only."""

import pytest
from django.http import Http404

from apps.orgs.models import Membership
from apps.projects.access import (
    REVIEW_PERMISSION,
    can_approve_posts,
    get_project,
    grant_project_reviewer,
    revoke_project_reviewer,
)
from apps.projects.models import Project, ProjectUserObjectPermission


@pytest.fixture
def projects(org, other_org):
    return {
        "coffee": Project.objects.create(organization=org, name="Coffee", slug="coffee"),
        "tea": Project.objects.create(organization=org, name="Tea", slug="tea"),
        "foreign": Project.objects.create(organization=other_org, name="Foreign", slug="coffee"),
    }


def member(org, user):
    # a fresh instance each time: guardian caches permissions on the user object
    return Membership.objects.for_org(org).select_related("user").get(user=user)


def test_viewer_without_grant_cannot_approve(org, viewer, projects):
    assert not can_approve_posts(member(org, viewer), projects["coffee"])


def test_grant_lets_a_viewer_approve_that_one_project(org, viewer, projects):
    grant_project_reviewer(viewer, projects["coffee"])
    membership = member(org, viewer)
    assert can_approve_posts(membership, projects["coffee"])
    assert not can_approve_posts(membership, projects["tea"])
    assert not can_approve_posts(membership, projects["foreign"])
    assert ProjectUserObjectPermission.objects.filter(user=viewer, content_object=projects["coffee"]).count() == 1


def test_grant_is_idempotent(org, viewer, projects):
    grant_project_reviewer(viewer, projects["coffee"])
    grant_project_reviewer(viewer, projects["coffee"])
    assert ProjectUserObjectPermission.objects.filter(user=viewer).count() == 1


def test_revoke_removes_the_grant(org, viewer, projects):
    grant_project_reviewer(viewer, projects["coffee"])
    grant_project_reviewer(viewer, projects["tea"])
    revoke_project_reviewer(viewer, projects["coffee"])
    membership = member(org, viewer)
    assert not can_approve_posts(membership, projects["coffee"])
    assert can_approve_posts(membership, projects["tea"])


def test_grant_is_no_global_permission(org, viewer, projects):
    grant_project_reviewer(viewer, projects["coffee"])
    viewer = member(org, viewer).user
    assert not viewer.has_perm(REVIEW_PERMISSION)
    assert viewer.has_perm(REVIEW_PERMISSION, projects["coffee"])


@pytest.mark.parametrize("user_fixture", ["editor", "admin_user", "owner"])
def test_editors_and_above_approve_everywhere_in_their_org(request, org, projects, user_fixture):
    membership = member(org, request.getfixturevalue(user_fixture))
    assert can_approve_posts(membership, projects["coffee"])
    assert can_approve_posts(membership, projects["tea"])
    assert not can_approve_posts(membership, projects["foreign"])


def test_grant_on_a_foreign_project_does_not_open_it(org, viewer, projects):
    """Even a (mistaken) grant on another org's project cannot be used from this org's membership."""
    grant_project_reviewer(viewer, projects["foreign"])
    assert not can_approve_posts(member(org, viewer), projects["foreign"])


def test_outsider_owner_cannot_approve_in_org(org, other_org, outsider, projects):
    membership = member(other_org, outsider)
    assert not can_approve_posts(membership, projects["coffee"])
    assert can_approve_posts(membership, projects["foreign"])


def test_grant_dies_with_the_project(org, viewer, projects):
    grant_project_reviewer(viewer, projects["coffee"])
    projects["coffee"].delete()
    assert not ProjectUserObjectPermission.objects.filter(user=viewer).exists()


def test_get_project_is_scoped(org, other_org, projects):
    assert get_project(org, "coffee") == projects["coffee"]
    assert get_project(other_org, "coffee") == projects["foreign"]
    with pytest.raises(Http404):
        get_project(org, "nope")
