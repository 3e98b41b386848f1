"""Every post endpoint × every role: happy path, 405, 403, outsider 404, foreign objects 404."""

from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.urls import reverse

from apps.posts.models import PostStatus
from apps.projects.access import grant_project_reviewer
from apps.projects.models import ApprovalRule
from tests.support.posts import HX, MONTH, make_plan, make_post, make_project, post_url, snapshot


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    editor_only: bool  # viewers get 403
    ok_status: int  # what an allowed member gets for an empty POST (or the GET)

    def __str__(self) -> str:
        return self.name


ENDPOINTS = [
    Endpoint("post_detail", "get", False, 200),
    Endpoint("post_edit", "post", True, 400),
    Endpoint("post_approve", "post", True, 302),  # viewers without the review grant: 403
    Endpoint("post_unapprove", "post", True, 409),  # the post is not approved
    Endpoint("post_lock", "post", True, 302),
    Endpoint("post_unlock", "post", True, 302),
    Endpoint("post_move", "post", True, 400),
    Endpoint("post_improve", "post", True, 400),
    Endpoint("post_improve_accept", "post", True, 400),
]
WRITES = [e for e in ENDPOINTS if e.method == "post"]


@pytest.fixture
def project(org):
    return make_project(org, approval_rule=ApprovalRule.EDITOR)


@pytest.fixture
def post(project):
    return make_post(make_plan(project), MONTH, 1)


@pytest.mark.parametrize("role", ["owner", "admin", "editor", "viewer", "outsider", "anonymous"])
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_role_matrix(client, org, owner, admin_user, editor, viewer, outsider, project, post, endpoint, role):
    users = {"owner": owner, "admin": admin_user, "editor": editor, "viewer": viewer, "outsider": outsider}
    if role != "anonymous":
        client.force_login(users[role])
    target = post_url(endpoint.name, post)
    before = snapshot(project)
    response = getattr(client, endpoint.method)(target)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={quote(target)}"
    elif role == "outsider":
        assert response.status_code == 404
    elif role == "viewer" and endpoint.editor_only:
        assert response.status_code == 403
    else:
        assert response.status_code == endpoint.ok_status
        return
    assert snapshot(project) == before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_wrong_method_is_405(client_for, owner, project, post, endpoint):
    client = client_for(owner)
    before = snapshot(project)
    target = post_url(endpoint.name, post)
    wrong = "post" if endpoint.method == "get" else "get"
    assert getattr(client, wrong)(target).status_code == 405
    assert client.put(target).status_code == 405
    assert client.delete(target).status_code == 405
    assert snapshot(project) == before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_another_orgs_post_is_404_through_own_org(client_for, other_org, outsider, project, post, endpoint):
    before = snapshot(project)
    response = getattr(client_for(outsider), endpoint.method)(post_url(endpoint.name, post, org=other_org))
    assert response.status_code == 404
    assert snapshot(project) == before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_another_projects_post_id_is_404(client_for, org, owner, project, post, endpoint):
    other = make_project(org, slug="other", name="Other")
    before = snapshot(project)
    response = getattr(client_for(owner), endpoint.method)(post_url(endpoint.name, post, project=other))
    assert response.status_code == 404
    assert snapshot(project) == before


def test_missing_post_is_404(client_for, org, owner, project):
    url = reverse("post_detail", args=[org.slug, project.slug, "00000000-0000-0000-0000-000000000001"])
    assert client_for(owner).get(url).status_code == 404


@pytest.mark.parametrize("endpoint", WRITES, ids=str)
def test_client_reviewer_may_approve_but_nothing_else(client_for, org, viewer, post, endpoint):
    project = post.project
    project.approval_rule = ApprovalRule.CLIENT_REVIEWER
    project.save()
    grant_project_reviewer(viewer, project)
    before = snapshot(project)
    response = client_for(viewer).post(post_url(endpoint.name, post), {"version": post.version})
    if endpoint.name == "post_approve":
        assert response.status_code == 302
        post.refresh_from_db()
        assert post.status == PostStatus.APPROVED
    elif endpoint.name == "post_unapprove":
        assert response.status_code == 409  # allowed, but the post is not approved
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
    html = client_for(viewer).get(post_url("post_detail", post)).content.decode()
    assert post.hook in html
    assert 'id="post-editor"' not in html
    assert "Approve" not in html
    assert "Lock" not in html
    assert "Schritt 1" in html  # the script is shown
    assert "Bohnen fallen in die Mühle" in html


def test_editor_sees_editor_and_actions(client_for, editor, post):
    html = client_for(editor).get(post_url("post_detail", post)).content.decode()
    assert 'id="post-editor"' in html
    assert 'name="scene-0-voiceover"' in html
    assert 'name="board-1-visual"' in html
    assert 'name="vprompt-0-prompt"' in html
    assert 'name="scene-TOTAL_FORMS" value="4"' in html  # three scenes and one empty row
    assert ">Approve</button>" in html
    assert ">Lock</button>" in html
    assert 'id="improve"' in html
    assert 'name="date"' in html and 'min="2026-03-01"' in html and 'max="2026-03-31"' in html


def test_no_approval_step_hides_the_approve_button(client_for, editor, post):
    project = post.project
    project.approval_rule = ApprovalRule.NONE
    project.save()
    html = client_for(editor).get(post_url("post_detail", post)).content.decode()
    assert ">Approve</button>" not in html
    assert "This project has no approval step." in html
