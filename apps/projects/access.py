from django.shortcuts import get_object_or_404
from guardian.shortcuts import assign_perm, remove_perm

from apps.orgs.models import Membership, Organization
from apps.orgs.roles import Role
from apps.projects.models import Project, ProjectUserObjectPermission

REVIEW_PERMISSION = "projects.review_project"


def get_project(org: Organization, project_slug: str) -> Project:
    return get_object_or_404(Project.objects.for_org(org), slug=project_slug)


def grant_project_reviewer(user, project: Project) -> None:
    """Let one person (e.g. a client) review and approve the posts of this project only."""
    assign_perm(REVIEW_PERMISSION, user, project)


def revoke_project_reviewer(user, project: Project) -> None:
    remove_perm(REVIEW_PERMISSION, user, project)


def can_approve_posts(membership: Membership, project: Project) -> bool:
    """Editors and above approve in every project; others only with a per-project grant."""
    if membership.organization_id != project.organization_id:
        return False
    if membership.has_role(Role.EDITOR):
        return True
    return membership.user.has_perm(REVIEW_PERMISSION, project)


def reviewer_user_ids(project: Project) -> set:
    """Ids of the users with a per-project review grant on this project."""
    codename = REVIEW_PERMISSION.split(".", 1)[1]
    return set(
        ProjectUserObjectPermission.objects.filter(
            content_object=project, permission__codename=codename, permission__content_type__app_label="projects"
        ).values_list("user_id", flat=True)
    )
