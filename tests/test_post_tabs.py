"""The post editor's tabs: the registry other apps plug into, and a tab's save answering with the changed parts."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import path

from apps.orgs.access import org_view
from apps.posts import editor_tabs
from apps.posts.models import PostStatus
from apps.projects.models import ApprovalRule
from tests.support.posts import HX, MONTH, editor_data, make_plan, make_post, make_project, post_url, snapshot


@pytest.fixture
def post(org):
    return make_post(make_plan(make_project(org, approval_rule=ApprovalRule.EDITOR, language="de")), MONTH, 1)


@org_view()
def _extra_tab(request, project_slug, post_id):
    project, post = editor_tabs.load(request, project_slug, post_id)
    return editor_tabs.render_tab(request, project, post, "extra", "posts/_scene_extras.html", {"post": post})


urlpatterns = [path("o/<slug:org_slug>/p/<slug:project_slug>/x/<uuid:post_id>/", _extra_tab, name="x_extra_tab")]


@pytest.fixture
def extra_tab(settings):
    from viralforge import urls

    settings.ROOT_URLCONF = __name__
    urlpatterns[1:] = urls.urlpatterns
    editors_only = lambda request, project, post: request.membership.has_role("editor")  # noqa: E731
    editor_tabs.add_tab(editor_tabs.Tab("extra", 55, "Extra", "x_extra_tab", editors_only))
    yield
    editor_tabs._tabs.pop("extra")


def test_posts_registers_its_own_tabs_in_order():
    keys = [tab.key for tab in editor_tabs.tabs()]
    assert keys[:4] == ["content", "script", "storyboard", "video_prompt"] and keys[-1] == "comments"


def test_a_registered_tab_shows_for_whom_it_is_visible(extra_tab, client_for, editor, viewer, post):
    url = f"/o/{post.organization.slug}/p/{post.project.slug}/x/{post.id}/"
    html = client_for(editor).get(post_url("post_detail", post)).content.decode()
    assert f'href="{url}" hx-get="{url}"' in html
    assert html.index('id="tab-video_prompt"') < html.index('id="tab-extra"') < html.index('id="tab-comments"')
    assert 'id="tab-extra"' not in client_for(viewer).get(post_url("post_detail", post)).content.decode()
    partial = client_for(editor).get(url, **HX).content.decode()
    assert "<html" not in partial and '<a id="tab-extra" href="' in partial and 'aria-current="true">Extra' in partial
    page = client_for(editor).get(url).content.decode()
    assert "<html" in page and 'aria-current="true">Extra</a>' in page and 'id="post-actions"' in page


def test_a_tab_save_answers_with_the_changed_parts(client_for, editor, post):
    data = {"version": post.version, "tab": "content", "hook": "Ein frischer Hook", "format": post.format,
            "caption": post.caption, "hashtags": "#kaffee #espresso"}  # fmt: skip
    response = client_for(editor).post(post_url("post_edit", post), data, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<form method="post"') and 'id="post-editor"' in html
    assert 'name="version" value="2"' in html and 'name="scene-0-voiceover"' not in html
    assert html.count('hx-swap-oob="true"') == 4  # action bar (with "Saved."), state, preview, card
    assert 'id="post-feedback"' in html and "Saved." in html
    assert '<input type="hidden" name="version" value="2">' in html  # the approve form names the new version
    assert 'data-preview-slot="hook" lang="de">Ein frischer Hook' in html
    assert 'id="post-tabs"' not in html and 'id="improve"' not in html  # the rest of the panel stays
    assert 'class="panel-head"' not in html and 'name="date"' not in html and 'name="instruction"' not in html
    assert json.loads(response["HX-Trigger"])["postChanged"]["id"] == str(post.id)
    post.refresh_from_db()
    assert post.hook == "Ein frischer Hook" and post.script["scenes"][0]["voiceover"].startswith("Hook 01")


def test_a_script_tab_save_keeps_the_other_fields(client_for, editor, post):
    full = editor_data(post, **{"scene-0-on_screen_text": "Neu"})
    data = {key: value for key, value in full.items() if key.startswith("scene-") or key in ("version", "cta")}
    response = client_for(editor).post(post_url("post_edit", post), data | {"tab": "script"}, **HX)
    assert response.status_code == 200
    post.refresh_from_db()
    assert post.script["scenes"][0]["on_screen_text"] == "Neu" and post.hook == "Hook 01 #1"
    assert post.caption == "Hook 01 #1. Probier es aus!" and post.storyboard[0]["camera"] == "Makro"


def test_a_bad_tab_save_is_400_with_the_form_and_its_errors(client_for, editor, post):
    before = snapshot(post.project)
    data = {"version": post.version, "tab": "content", "hook": "", "format": post.format}
    response = client_for(editor).post(post_url("post_edit", post), data, **HX)
    assert response.status_code == 400
    html = response.content.decode()
    assert html.lstrip().startswith('<form method="post"') and "This field is required." in html
    assert "Please correct the errors below." in html  # beside Save, in the action bar (out-of-band)
    assert snapshot(post.project) == before


def test_approve_answers_with_the_action_bar_and_card(client_for, editor, post):
    response = client_for(editor).post(post_url("post_approve", post), {"version": post.version}, **HX)
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<div id="post-actions"')
    assert "Withdraw approval" in html and "Approved." in html and f'id="card-{post.id}"' in html
    post.refresh_from_db()
    assert post.status == PostStatus.APPROVED
    stale = client_for(editor).post(post_url("post_approve", post), {"version": 99}, **HX)
    assert stale.status_code == 409 and "Someone else saved this post first" in stale.content.decode()


def _renders(client, method: str, url: str, data=None) -> tuple[int, int]:
    """(template renders, response bytes) of one HTMX request."""
    from django.test.signals import template_rendered

    seen = []

    def count(sender, **kwargs):
        seen.append(kwargs["template"].name)

    template_rendered.connect(count)
    try:
        response = getattr(client, method)(url, data or {}, **HX)
    finally:
        template_rendered.disconnect(count)
    assert response.status_code == 200
    return len(seen), len(response.content)


def test_opening_and_saving_render_few_templates(client_for, editor, post):
    client = client_for(editor)
    opened, opened_bytes = _renders(client, "get", post_url("post_detail", post))
    data = {"version": post.version, "tab": "content", "hook": "Neu", "format": post.format, "caption": post.caption}
    saved, saved_bytes = _renders(client, "post", post_url("post_edit", post), data)
    print("template renders: open", opened, "save", saved, "bytes", opened_bytes, saved_bytes)
    assert opened <= 60, opened  # was 657 with every scene and prompt row's widgets on one page
    assert saved <= 45 and saved_bytes < opened_bytes, (saved, saved_bytes, opened_bytes)


def test_opening_and_saving_the_editor_ask_the_same_few_queries_for_9_and_90_posts(client_for, org, editor):
    """bench.calendar times these two requests; a query more per opening or save shows here first."""
    client = client_for(editor)
    counts = {}
    for size in (9, 90, 9, 90):  # the first save compiles the rule sets (cached after that): compare the second round
        project = make_project(org, slug=f"p{size}", name=f"P{size}", approval_rule=ApprovalRule.EDITOR)
        post = make_plan(project, posts=size).posts.get(date=MONTH, slot=2)
        detail, edit = post_url("post_detail", post), post_url("post_edit", post)
        data = {"version": post.version, "tab": "content", "hook": f"Neu {size}", "format": post.format,
                "caption": post.caption, "hashtags": "#kaffee"}  # fmt: skip
        with CaptureQueriesContext(connection) as opened:
            assert client.get(detail, **HX).status_code == 200
        with CaptureQueriesContext(connection) as saved:
            assert client.post(edit, data, **HX).status_code == 200
        counts[size] = (len(opened), len(saved))
        project.delete()
    # Opening: session, user, membership, the post with its project, the plan's order (previous/next). Saving: the
    # same first four, the locked row, the rule sets, "any AI key?" (apps.compliance.second_opinion), the update,
    # and the transaction's savepoint and its release.
    assert counts[9] == counts[90] == (5, 10), counts
