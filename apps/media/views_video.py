"""A post's video: the Video tab of the post editor (player, cover, QA report, history, render/re-render,
progress) and the month's production page ("Produce all approved posts of this month").

Every member looks; editors and above start renders and accept a video whose checks failed (with a
reason, kept on the render). While a render runs, the panel polls itself (HTMX) and shows the job's
progress. Files are reached only through signed links issued to the viewer.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.core.months import month_or_404, month_param
from apps.media import actions, links
from apps.media.models import Render
from apps.media.renders import get_render, month_posts, renders_of
from apps.orgs.access import OrgRequest, org_view
from apps.orgs.roles import Role
from apps.posts import editor_tabs
from apps.posts.access import get_post
from apps.posts.models import PostItem, PostStatus
from apps.projects.access import get_project
from apps.projects.models import Project

VIDEO = "media/video.html"
MONTH = "media/month_videos.html"
HISTORY = 8

CHECK_LABELS = {
    "duration": gettext_lazy("Length"),
    "aspect": gettext_lazy("Vertical 9:16"),
    "resolution": gettext_lazy("Resolution"),
    "fps": gettext_lazy("Frame rate"),
    "video_codec": gettext_lazy("Video codec"),
    "audio": gettext_lazy("Sound track"),
    "audio_codec": gettext_lazy("Sound codec"),
    "loudness": gettext_lazy("Loudness"),
    "silence": gettext_lazy("Pauses in the voice-over"),
    "black": gettext_lazy("Black picture"),
    "captions_safe_zone": gettext_lazy("Captions inside the safe zone"),
    "file_size": gettext_lazy("File size"),
}


def _load(request: OrgRequest, project_slug: str, post_id) -> tuple[Project, PostItem]:
    project = get_project(request.org, project_slug)
    return project, get_post(request.org, project, post_id)


def _checks(render: Render) -> list[dict]:
    return [
        check | {"label": CHECK_LABELS.get(check["check"], check["check"])}
        for check in render.qa_report.get("checks") or []
    ]


def video_context(request: OrgRequest, project: Project, post: PostItem, **extra) -> dict:
    """What the Video panel shows; also used when the panel is a tab of the post editor."""
    history = list(renders_of(post).select_related("video__organization", "job_run").order_by("-created_at")[:HISTORY])
    latest = history[0] if history else None
    shown = next((item for item in history if item.video_id), None)  # the newest render with a file
    urls = {
        "panel": reverse("post_video", args=[request.org.slug, project.slug, post.id]),
        "render": reverse("post_video_render", args=[request.org.slug, project.slug, post.id]),
        "post": reverse("post_detail", args=[request.org.slug, project.slug, post.id]),
    }
    if shown is not None:
        urls["video"] = links.signed_url(shown.video, request.user)
        urls["cover"] = links.signed_url(shown.video, request.user, part="preview") if shown.cover_key else ""
        urls["download"] = links.signed_url(shown.video, request.user, disposition="attachment")
        urls["accept"] = reverse("post_video_accept", args=[request.org.slug, project.slug, post.id, shown.id])
    return {
        "project": project,
        "post": post,
        "latest": latest,
        "shown": shown,
        "checks": _checks(shown) if shown else [],
        "history": history,
        "urls": urls,
        "can_render": request.membership.has_role(Role.EDITOR),
    } | extra


def _panel(request: OrgRequest, project: Project, post: PostItem, *, status: int = 200, **extra) -> HttpResponse:
    """The Video tab of the post editor: its panel to HTMX, else the post page with the tab open."""
    context = video_context(request, project, post, **extra)
    return editor_tabs.render_tab(request, project, post, "video", f"{VIDEO}#panel", context, status=status)


@require_GET
@org_view()
def post_video(request: OrgRequest, project_slug: str, post_id) -> HttpResponse:
    project, post = _load(request, project_slug, post_id)
    return _panel(request, project, post)


@require_POST
@org_view(Role.EDITOR)
def post_video_render(request: OrgRequest, project_slug: str, post_id) -> HttpResponse:
    project, post = _load(request, project_slug, post_id)
    render_row = actions.do_request_render(post, actor=request.user, language=request.LANGUAGE_CODE)
    notice = _("The video is being made.") if render_row.requested_by_id == request.user.pk else ""
    if not request.htmx:
        if notice:
            messages.success(request, notice)
        return redirect("post_video", request.org.slug, project.slug, post.id)
    return _panel(request, project, post, notice=notice)


@require_POST
@org_view(Role.EDITOR)
def post_video_accept(request: OrgRequest, project_slug: str, post_id, render_id) -> HttpResponse:
    project, post = _load(request, project_slug, post_id)
    render_row = get_render(request.org, post, render_id)
    try:
        actions.do_override_render_qa(render_row, actor=request.user, reason=request.POST.get("reason", ""))
    except actions.RenderError as exc:
        return _panel(request, project, post, status=400, accept_error=str(exc), reason=request.POST.get("reason", ""))
    if not request.htmx:
        messages.success(request, _("The video was accepted for publishing."))
        return redirect("post_video", request.org.slug, project.slug, post.id)
    return _panel(request, project, post, notice=_("The video was accepted for publishing."))


def _month_rows(project: Project, month) -> list[dict]:
    posts = list(month_posts(project, month))
    latest: dict = {}
    for row in (
        Render.objects.for_org(project.organization_id)
        .filter(post__in=[post.id for post in posts])
        .select_related("job_run")
        .order_by("post_id", "-created_at")
        .distinct("post_id")
    ):
        latest[row.post_id] = row
    return [{"post": post, "render": latest.get(post.id)} for post in posts]


@require_http_methods(["GET", "POST"])
@org_view()
def month_videos(request: OrgRequest, project_slug: str, month: str) -> HttpResponse:
    project = get_project(request.org, project_slug)
    start = month_or_404(month)
    if request.method == "POST":
        if not request.membership.has_role(Role.EDITOR):
            raise PermissionDenied
        queued = actions.do_request_month_renders(project, start, actor=request.user, language=request.LANGUAGE_CODE)
        notice = _("%(count)s approved posts are being produced.") % {"count": len(queued)}
        if not queued:
            notice = _("This month has no approved posts to produce.")
        if not request.htmx:
            messages.success(request, notice)
            return redirect("month_videos", request.org.slug, project.slug, month_param(start))
    else:
        notice = ""
    rows = _month_rows(project, start)
    context = {
        "project": project,
        "month": start,
        "rows": rows,
        "approved": sum(1 for row in rows if row["post"].status == PostStatus.APPROVED),
        "active": any(row["render"] and row["render"].is_active for row in rows),
        "notice": notice,
        "can_render": request.membership.has_role(Role.EDITOR),
        "url": reverse("month_videos", args=[request.org.slug, project.slug, month_param(start)]),
    }
    template = f"{MONTH}#rows" if request.htmx and not request.htmx.boosted else MONTH
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response
