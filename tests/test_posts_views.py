"""The post panel and what it shows to whom; a post of another project is 404, a client reviewer may only approve.

Roles, methods, outsiders and anonymous visitors: tests/test_endpoints_matrix.py.
"""


import pytest
from django.urls import reverse

from apps.posts.models import PostStatus
from apps.projects.access import grant_project_reviewer
from apps.projects.models import ApprovalRule
from tests.endpoints import Access, endpoints_with, url_kwarg_names
from tests.support.posts import HX, MONTH, make_plan, make_post, make_project, post_url, snapshot

# The team's post endpoints (guest and review-link pages have their own tests: tests/test_client_review.py)
# addressed by the post alone (one of a post's renders, e.g., has its own tests).
POST_CALLS = [
    (endpoint.name, method)
    for endpoint in endpoints_with("post_id")
    if endpoint.access == Access.MEMBER and set(url_kwarg_names(endpoint)) <= {"org_slug", "project_slug", "post_id"}
    for method in endpoint.calls
]
WRITES = [name for name, method in POST_CALLS if method == "post"]


@pytest.fixture
def project(org):
    return make_project(org, approval_rule=ApprovalRule.EDITOR)


@pytest.fixture
def post(project):
    return make_post(make_plan(project), MONTH, 1)


@pytest.mark.parametrize(("name", "method"), POST_CALLS)
def test_another_projects_post_id_is_404(client_for, org, owner, project, post, name, method):
    other = make_project(org, slug="other", name="Other")
    before = snapshot(project)
    response = getattr(client_for(owner), method)(post_url(name, post, project=other))
    assert response.status_code == 404
    assert snapshot(project) == before


def test_missing_post_is_404(client_for, org, owner, project):
    url = reverse("post_detail", args=[org.slug, project.slug, "00000000-0000-0000-0000-000000000001"])
    assert client_for(owner).get(url).status_code == 404


@pytest.mark.parametrize("name", WRITES)
def test_client_reviewer_may_approve_but_nothing_else(client_for, org, viewer, post, name):
    project = post.project
    project.approval_rule = ApprovalRule.CLIENT_REVIEWER
    project.save()
    grant_project_reviewer(viewer, project)
    before = snapshot(project)
    response = client_for(viewer).post(post_url(name, post), {"version": post.version})
    if name == "post_approve":
        assert response.status_code == 302
        post.refresh_from_db()
        assert post.status == PostStatus.APPROVED
    elif name == "post_unapprove":
        assert response.status_code == 409  # allowed, but the post is not approved
    elif name == "post_comment":
        assert response.status_code == 302  # reviewers (any member) may comment on the post's thread
    else:
        assert response.status_code == 403
        assert snapshot(project) == before


# --- the panel ----------------------------------------------------------------------------------


def test_panel_partial_for_htmx_and_page_without(client_for, editor, post):
    client = client_for(editor)
    partial = client.get(post_url("post_detail", post), **HX)
    assert partial.status_code == 200
    html = partial.content.decode()
    assert "<html" not in html
    assert 'id="post-editor"' in html
    assert "autofocus" in html
    page = client.get(post_url("post_detail", post)).content.decode()
    assert "<html" in page
    assert 'id="post-panel"' in page
    assert "Back to the calendar" in page


def test_viewer_sees_the_post_read_only(client_for, viewer, post):
    client = client_for(viewer)
    html = client.get(post_url("post_detail", post)).content.decode()
    assert post.hook in html
    assert 'id="post-editor"' not in html
    assert "Approve" not in html
    assert "Lock" not in html
    assert 'aria-current="true">Content &amp; caption</a>' in html
    script = client.get(post_url("post_tab_script", post), **HX).content.decode()
    assert "Schritt 1" in script and 'id="post-editor"' not in script
    assert "Bohnen fallen in die Mühle" in client.get(post_url("post_tab_storyboard", post), **HX).content.decode()


def test_editor_sees_editor_and_actions(client_for, editor, post):
    client = client_for(editor)
    html = client.get(post_url("post_detail", post)).content.decode()
    assert 'id="post-editor"' in html and 'name="hook"' in html and 'name="tab" value="content"' in html
    assert ">Approve</button>" in html
    assert ">Lock</button>" in html
    # Move and AI improve: links (real hrefs) that load their forms when asked for, not forms on every opening.
    move_url, improve_url = post_url("post_move", post), post_url("post_improve", post)
    assert f'href="{move_url}" hx-get="{move_url}"' in html and f'href="{improve_url}" hx-get="{improve_url}"' in html
    assert 'name="date"' not in html and 'name="instruction"' not in html and '<div id="improve"></div>' in html
    assert 'id="id_version"' not in html
    move_form = client.get(move_url, **HX).content.decode()
    assert move_form.lstrip().startswith('<details class="action-menu" id="move-menu" open>')
    assert 'name="date"' in move_form and 'min="2026-03-01"' in move_form and 'max="2026-03-31"' in move_form
    assert move_form.count('id="move-version"') == 1 and 'id="move-date"' in move_form and "autofocus" in move_form
    improve_form = client.get(improve_url, **HX).content.decode()
    assert improve_form.lstrip().startswith('<section id="improve"') and 'id="improve-field"' in improve_form
    for url in (move_url, improve_url):  # without JavaScript: the post's page with the form open
        page = client.get(url).content.decode()
        assert "<html" in page and 'id="post-editor"' in page and ('id="move-date"' in page) == (url == move_url)
        assert ('id="improve-field"' in page) == (url == improve_url)
    assert 'name="scene-0-voiceover"' not in html  # the other tabs load when chosen
    script = client.get(post_url("post_tab_script", post), **HX).content.decode()
    assert 'name="scene-0-voiceover"' in script and 'name="tab" value="script"' in script
    assert 'name="scene-TOTAL_FORMS" value="4"' in script  # three scenes and one empty row
    assert '<nav id="post-tabs"' in script and 'hx-swap-oob="true"' in script  # the tab bar, out-of-band
    assert 'name="board-1-visual"' in client.get(post_url("post_tab_storyboard", post), **HX).content.decode()
    assert 'name="vprompt-0-prompt"' in client.get(post_url("post_tab_video_prompt", post), **HX).content.decode()
    page = client.get(post_url("post_tab_script", post)).content.decode()  # the real href: the page, tab open
    assert "<html" in page and 'aria-current="true">Script</a>' in page and 'name="scene-0-voiceover"' in page


def test_no_approval_step_hides_the_approve_button(client_for, editor, post):
    project = post.project
    project.approval_rule = ApprovalRule.NONE
    project.save()
    html = client_for(editor).get(post_url("post_detail", post)).content.decode()
    assert ">Approve</button>" not in html
    assert "This project has no approval step." in html
