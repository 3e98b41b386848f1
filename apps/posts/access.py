"""Who may do what with the posts of a project, and the one way views reach a post.

Editing (content, lock/unlock, move, AI improve) needs the organization role editor or above;
viewers never edit, not even client reviewers.

Approving follows the project's `approval_rule`:

- ``none``: the project has no approval step. Nobody approves or withdraws an approval (the
  buttons are hidden, the endpoints answer 409). A post that passed the policy engine is ready
  to publish as a draft (`is_cleared_for_publishing`).
- ``editor``: whoever `projects.access.can_approve_posts` allows: editors, admins and owners,
  plus members with the project's review grant (django-guardian `projects.review_project`).
- ``client_reviewer``: the client approves. Members with the project's review grant (whatever
  their role), and admins and owners (who may stand in for the client). Editors without
  the grant may not.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from apps.orgs.models import Membership, Organization
from apps.orgs.roles import Role
from apps.posts.models import PostItem, PostStatus
from apps.projects.access import REVIEW_PERMISSION, can_approve_posts
from apps.projects.models import ApprovalRule, Project


def get_post(org: Organization, project: Project, post_id) -> PostItem:
    """The project's post with this id, or 404 (also for another project's or organization's post)."""
    return get_object_or_404(
        PostItem.objects.for_org(org).filter(project=project).select_related("plan", "approved_by"), id=post_id
    )


def get_project_post(org: Organization, project_slug: str, post_id) -> tuple[Project, PostItem]:
    """(project, post) of a post URL in one query, or 404 when either is missing or not the organization's."""
    post = get_object_or_404(
        PostItem.objects.for_org(org)
        .filter(project__organization=org, project__slug=project_slug)
        .select_related("project", "plan", "approved_by"),
        id=post_id,
    )
    return post.project, post


def can_edit_posts(membership: Membership) -> bool:
    return membership.has_role(Role.EDITOR)


def approval_required(project: Project) -> bool:
    return project.approval_rule != ApprovalRule.NONE


def can_approve(membership: Membership, project: Project) -> bool:
    """May this member approve (and withdraw approvals of) the project's posts? See the module docstring."""
    if membership.organization_id != project.organization_id:
        return False
    rule = project.approval_rule
    if rule == ApprovalRule.EDITOR:
        return can_approve_posts(membership, project)
    if rule == ApprovalRule.CLIENT_REVIEWER:
        if membership.has_role(Role.ADMIN):
            return True
        return membership.user.has_perm(REVIEW_PERMISSION, project)
    return False


def is_cleared_for_publishing(post: PostItem, project: Project) -> bool:
    """May this post go out? Approved, or (without an approval step) a draft that passed the policy engine."""
    if post.status == PostStatus.APPROVED:
        return True
    return not approval_required(project) and post.status == PostStatus.DRAFT
