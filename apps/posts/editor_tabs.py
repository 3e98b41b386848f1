"""The post editor's tabs: posts brings Content, Script, Storyboard and Video prompt; higher apps
(media: Video, social: Publish, variants: Variants) register theirs from their `AppConfig.ready()`,
because posts may not import them.

A tab is a link (a real `href`) that HTMX loads into the editor's `#post-tab`; the view behind it
belongs to the app that owns the tab and is reversed with `(org_slug, project_slug, post_id)`.
It loads the post through `apps.posts.access.get_post` (tenant-safe, 404 for others' posts) and
answers with `render_tab`, which gives the tab's partial to HTMX and the whole post page (with
this tab open) to a plain request, so every tab also works without JavaScript:

    # apps/media/apps.py
    def ready(self):
        from django.utils.translation import gettext_lazy as _
        from apps.posts import editor_tabs

        editor_tabs.add_tab(editor_tabs.Tab("video", 50, _("Video"), "post_tab_video"))

    # apps/media/views.py
    @require_GET
    @org_view()
    def post_tab_video(request, project_slug, post_id):
        project, post = editor_tabs.load(request, project_slug, post_id)
        return editor_tabs.render_tab(request, project, post, "video", "media/post_video.html#tab", {...})

`visible(request, project, post)` hides a tab (and should go with the view's own 403/404 checks):
e.g. `lambda request, project, post: request.membership.has_role(Role.EDITOR)`.
Orders: posts uses 10–40 (content 10, script 20, storyboard 30, video prompt 40); others 50 and up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


def always(request, project, post) -> bool:
    return True


@dataclass(frozen=True)
class Tab:
    key: str
    order: int
    label: object  # a lazy translation (gettext_lazy), rendered in the viewer's language
    url_name: str  # the tab's own view, reversed with (org_slug, project_slug, post_id)
    visible: Callable = always  # (request, project, post) -> bool


@dataclass(frozen=True)
class TabLink:
    key: str
    label: str
    url: str
    active: bool


_tabs: dict[str, Tab] = {}


def add_tab(tab: Tab) -> None:
    _tabs[tab.key] = tab


def tabs() -> list[Tab]:
    return sorted(_tabs.values(), key=lambda tab: (tab.order, tab.key))


def get_tab(key: str) -> Tab | None:
    return _tabs.get(key)


def tab_url(tab: Tab, org_slug: str, project_slug: str, post_id) -> str:
    return reverse(tab.url_name, args=[org_slug, project_slug, post_id])


def tab_links(request, project, post, active: str) -> list[TabLink]:
    """The tabs this viewer sees for this post, in order, with the active one marked."""
    return [
        TabLink(tab.key, str(tab.label), tab_url(tab, request.org.slug, project.slug, post.id), tab.key == active)
        for tab in tabs()
        if tab.visible(request, project, post)
    ]


def load(request, project_slug: str, post_id):
    """(project, post) of a tab view's URL, or 404 when either is not the member's organization's."""
    from apps.posts.access import get_post
    from apps.projects.access import get_project

    project = get_project(request.org, project_slug)
    return project, get_post(request.org, project, post_id)


def render_tab(request, project, post, key: str, template: str, context: dict, *, status: int = 200):
    """A tab's answer: its partial (plus the tab bar, out-of-band) to HTMX, else the post page with it open."""
    from apps.posts import views

    return views.tab_response(request, project, post, key, template, context, status=status)


def register_editor_tabs() -> None:
    """Posts' own tabs (PostsConfig.ready)."""
    from django.utils.translation import gettext_lazy as _

    add_tab(Tab("content", 10, _("Content & caption"), "post_tab_content"))
    add_tab(Tab("script", 20, _("Script"), "post_tab_script"))
    add_tab(Tab("storyboard", 30, _("Storyboard"), "post_tab_storyboard"))
    add_tab(Tab("video_prompt", 40, _("Video prompt"), "post_tab_video_prompt"))
    add_tab(Tab("comments", 90, _("Comments"), "post_tab_comments"))
