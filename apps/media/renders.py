"""Reading renders: a post's latest render, the one to publish, one by id for a member.

latest_publishable_render(post)  # done and QA passed (or overridden): what apps.social uploads
"""

import uuid

from django.http import Http404

from apps.media.models import Render, RenderStatus
from apps.orgs.models import Organization
from apps.planning.plan_actions import current_plan
from apps.posts.models import PostItem
from apps.projects.models import Project


def renders_of(post: PostItem):
    return Render.objects.for_org(post.organization_id).filter(post=post).select_related("video", "requested_by")


def latest_render(post: PostItem) -> Render | None:
    return renders_of(post).order_by("-created_at").first()


def latest_publishable_render(post: PostItem) -> Render | None:
    """The newest finished render when its QA passed or an editor overrode it, else None.

    An older passed render is not offered when a newer one failed its checks: it shows older content.
    """
    render = renders_of(post).filter(status=RenderStatus.DONE).order_by("-created_at").first()
    return render if render is not None and render.is_publishable else None


def get_render(org: Organization, post: PostItem, render_id) -> Render:
    """The post's render with this id within the organization, or 404."""
    try:
        render_id = uuid.UUID(str(render_id))
    except ValueError:
        raise Http404 from None
    render = Render.objects.for_org(org).filter(post=post, id=render_id).select_related("video").first()
    if render is None:
        raise Http404
    return render


def month_posts(project: Project, month):
    """The posts of the project's current plan for the month (the calendar's), in calendar order."""
    plan = current_plan(project, month)
    if plan is None:
        return PostItem.objects.for_org(project.organization_id).none()
    return PostItem.objects.for_org(project.organization_id).filter(plan=plan).order_by("date", "slot")
