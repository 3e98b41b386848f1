"""The video-source settings: a section of the project settings page and a post's per-scene sources."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from apps.media.clips import actions, routing
from apps.media.clips.forms import SceneSourceForm, VideoSettingsForm
from apps.media.clips.models import ClipStatus, GeneratedClip, VideoSource
from apps.orgs.access import OrgRequest, org_view
from apps.orgs.roles import Role
from apps.posts.access import can_edit_posts, get_post
from apps.projects.access import get_project
from apps.projects.extensions import Section, add_settings_section
from apps.projects.views import apply_section

SETTINGS_TEMPLATE = "media/clips/project_settings.html"
SCENES_TEMPLATE = "media/clips/scene_sources.html"


def video_context(request, project, form=None) -> dict:
    if form is None:
        form = VideoSettingsForm(initial=VideoSettingsForm.initial_for(routing.video_settings(project)))
    return {"video_form": form}


def register() -> None:
    add_settings_section(
        Section("video", 55, f"{SETTINGS_TEMPLATE}#section_video", video_context, gettext_lazy("Video sources"))
    )


@require_POST
@org_view(Role.ADMIN)
def project_settings_video(request: OrgRequest, project_slug: str) -> HttpResponse:
    project = get_project(request.org, project_slug)
    form = VideoSettingsForm(request.POST)

    def save(project, data):
        actions.do_save_video_settings(project, **data)

    return apply_section(request, project, "video", form, save, _("Video sources saved."))


def _scene_rows(post, settings) -> list[dict]:
    sources = routing.sources(post, settings)
    overrides = routing.scene_overrides(post)
    prompts = routing.scene_prompts(post)
    clips = {
        clip.settings_key: clip
        for clip in GeneratedClip.objects.for_org(post.organization_id).filter(post=post).order_by("created_at")
    }
    rows = []
    for index, source in sources.items():
        prompt = routing.clip_prompt(post, index, source, settings)
        clip = None
        if prompt is not None:
            mode = settings.kling_mode if source == "kling" else ""
            clip = clips.get(routing.settings_key(source, prompt, mode))
        rows.append({
            "index": index, "source": source, "label": VideoSource(source).label, "override": overrides.get(index, ""),
            "has_prompt": index in prompts, "clip": clip,
        })  # fmt: skip
    return rows


@require_http_methods(["GET", "POST"])
@org_view(Role.VIEWER)
def post_video_sources(request: OrgRequest, project_slug: str, post_id) -> HttpResponse:
    project = get_project(request.org, project_slug)
    post = get_post(request.org, project, post_id)
    settings = routing.video_settings(project)
    scenes = routing.scene_indexes(post)
    status = 200
    if request.method == "POST":
        if not can_edit_posts(request.membership):
            raise PermissionDenied
        form = SceneSourceForm(request.POST, scenes=scenes)
        if form.is_valid():
            actions.do_set_scene_source(post, form.cleaned_data["scene_index"], form.cleaned_data["source"])
            messages.success(request, _("Scene picture source saved."))
            if not request.htmx:
                return redirect("post_video_sources", request.org.slug, project.slug, post.id)
        else:
            status = 400
            messages.error(request, _("Choose one of the post's scenes and a source."))
    context = {
        "project": project, "post": post, "video_settings": settings, "rows": _scene_rows(post, settings),
        "source_choices": SceneSourceForm.base_fields["source"].choices, "clip_status": ClipStatus,
        "can_edit": can_edit_posts(request.membership),
    }  # fmt: skip
    if request.htmx and request.POST.get("inline"):  # the select of one scene in the Storyboard tab
        index = form.cleaned_data["scene_index"] if status == 200 else request.POST.get("scene_index", "")
        inline = {"post": post, "project": project, "scene_index": index, "editable": True,
                  "error": _("Choose one of the post's scenes and a source.") if status == 400 else ""}  # fmt: skip
        return render(request, "media/clips/_scene_source.html", inline, status=status)
    template = f"{SCENES_TEMPLATE}#sources" if request.htmx else SCENES_TEMPLATE
    return render(request, template, context, status=status)
