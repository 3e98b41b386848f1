"""Approvals: the project's rule decides who approves; approval records who and when, audited."""

import json

import pytest

from apps.orgs.roles import Role
from apps.posts.access import can_approve, is_cleared_for_publishing
from apps.posts.models import Approval, PostStatus
from apps.projects.access import grant_project_reviewer
from apps.projects.models import ApprovalRule
from tests.support.accounts import make_member
from tests.support.posts import HX, MONTH, make_plan, make_post, make_project, post_url, snapshot


@pytest.fixture
def project(org):
    return make_project(org, approval_rule=ApprovalRule.EDITOR)


@pytest.fixture
def post(project):
    return make_post(make_plan(project), MONTH, 1, status=PostStatus.NEEDS_APPROVAL)


def approve(client, post, version=None, htmx=False):
    data = {"version": post.version if version is None else version}
    return client.post(post_url("post_approve", post), data, **(HX if htmx else {}))


def set_rule(project, rule):
    project.approval_rule = rule
    project.save()


# --- who may approve ----------------------------------------------------------------------------

# (rule, role, review grant) → allowed?
CASES = [
    (ApprovalRule.EDITOR, Role.OWNER, False, True),
    (ApprovalRule.EDITOR, Role.ADMIN, False, True),
    (ApprovalRule.EDITOR, Role.EDITOR, False, True),
    (ApprovalRule.EDITOR, Role.VIEWER, False, False),
    (ApprovalRule.EDITOR, Role.VIEWER, True, True),
    (ApprovalRule.CLIENT_REVIEWER, Role.OWNER, False, True),
    (ApprovalRule.CLIENT_REVIEWER, Role.ADMIN, False, True),
    (ApprovalRule.CLIENT_REVIEWER, Role.EDITOR, False, False),
    (ApprovalRule.CLIENT_REVIEWER, Role.EDITOR, True, True),
    (ApprovalRule.CLIENT_REVIEWER, Role.VIEWER, False, False),
    (ApprovalRule.CLIENT_REVIEWER, Role.VIEWER, True, True),
]


@pytest.mark.parametrize(("rule", "role", "grant", "allowed"), CASES)
def test_who_may_approve(client, org, project, post, rule, role, grant, allowed):
    set_rule(project, rule)
    user = make_member(org, f"{role}-approver@alpha.test", role)
    if grant:
        grant_project_reviewer(user, project)
    client.force_login(user)
    before = snapshot(project)
    response = approve(client, post)
    if allowed:
        assert response.status_code == 302
        post.refresh_from_db()
        assert post.status == PostStatus.APPROVED
        assert post.approved_by == user
    else:
        assert response.status_code == 403
        assert snapshot(project) == before
    html = client.get(post_url("post_detail", post)).content.decode()
    assert (">Approve</button>" in html or ">Withdraw approval</button>" in html) == allowed


def test_grant_for_another_project_does_not_count(client, org, project, post):
    set_rule(project, ApprovalRule.CLIENT_REVIEWER)
    client_user = make_member(org, "client@alpha.test", Role.VIEWER)
    grant_project_reviewer(client_user, make_project(org, slug="other", name="Other"))
    client.force_login(client_user)
    assert approve(client, post).status_code == 403


@pytest.mark.parametrize(("role", "status"), [(Role.EDITOR, 409), (Role.OWNER, 409), (Role.VIEWER, 403)])
def test_no_approval_step(client, org, project, post, role, status):
    set_rule(project, ApprovalRule.NONE)
    client.force_login(make_member(org, f"{role}-none@alpha.test", role))
    before = snapshot(project)
    response = approve(client, post, htmx=True)
    assert response.status_code == status
    if status == 409:
        assert "This project has no approval step." in response.content.decode()
    assert snapshot(project) == before


def test_can_approve_helper_matches_the_rule(org, project, editor, viewer):
    from apps.orgs.models import Membership

    editor_membership = Membership.objects.for_org(org).get(user=editor)
    assert can_approve(editor_membership, project)
    set_rule(project, ApprovalRule.CLIENT_REVIEWER)
    assert not can_approve(editor_membership, project)
    set_rule(project, ApprovalRule.NONE)
    assert not can_approve(editor_membership, project)


# --- what approving records ---------------------------------------------------------------------


def test_approval_records_who_and_when_and_is_audited(client_for, editor, post):
    response = approve(client_for(editor), post, htmx=True)
    assert response.status_code == 200
    post.refresh_from_db()
    assert post.status == PostStatus.APPROVED
    assert post.approved_by == editor
    assert post.approved_at is not None
    assert post.version == 1  # approving is not an edit
    row = Approval.objects.for_org(post.organization).get(post=post)
    assert (row.action, row.actor, row.post_version) == (Approval.Action.APPROVED, editor, 1)
    html = response.content.decode()
    assert f"Approved by {editor.email}" in html
    history = client_for(editor).get(post_url("post_tab_comments", post), **HX).content.decode()
    assert "Approval history" in history and editor.email in history
    assert f'id="card-{post.id}"' in html and "badge-status-approved" in html
    assert json.loads(response["HX-Trigger"])["postChanged"]["id"] == str(post.id)


def test_unapprove(client_for, editor, post):
    client = client_for(editor)
    approve(client, post)
    response = client.post(post_url("post_unapprove", post), **HX)
    assert response.status_code == 200
    post.refresh_from_db()
    assert post.status == PostStatus.NEEDS_APPROVAL
    assert post.approved_by is None and post.approved_at is None
    actions = list(Approval.objects.for_org(post.organization).filter(post=post).values_list("action", flat=True))
    assert sorted(actions) == ["approved", "unapproved"]


def test_approving_a_stale_version_is_409(client_for, editor, post):
    post.version = 3
    post.save()
    before = snapshot(post.project)
    response = approve(client_for(editor), post, version=2, htmx=True)
    assert response.status_code == 409
    assert "Someone else saved this post first" in response.content.decode()
    assert snapshot(post.project) == before


def test_already_approved_is_409(client_for, editor, post):
    client = client_for(editor)
    approve(client, post)
    assert approve(client, post).status_code == 409
    assert Approval.objects.for_org(post.organization).count() == 1


def test_blocked_post_cannot_be_approved(client_for, editor, post):
    post.status = PostStatus.NEEDS_REVIEW
    post.policy = {"outcome": "hard_block", "matches": []}
    post.save()
    before = snapshot(post.project)
    response = approve(client_for(editor), post)
    assert response.status_code == 409
    assert "policy check blocks this post" in response.content.decode()
    assert snapshot(post.project) == before


def test_a_post_needing_review_may_be_approved_by_a_human(client_for, editor, post):
    post.status = PostStatus.NEEDS_REVIEW
    post.policy = {"outcome": "needs_review", "matches": []}
    post.save()
    assert approve(client_for(editor), post).status_code == 302
    post.refresh_from_db()
    assert post.status == PostStatus.APPROVED


def test_unapprove_of_a_post_that_is_not_approved_is_409(client_for, editor, post):
    before = snapshot(post.project)
    assert client_for(editor).post(post_url("post_unapprove", post)).status_code == 409
    assert snapshot(post.project) == before


def test_cleared_for_publishing(project, post):
    assert not is_cleared_for_publishing(post, project)
    post.status = PostStatus.APPROVED
    assert is_cleared_for_publishing(post, project)
    set_rule(project, ApprovalRule.NONE)
    post.status = PostStatus.DRAFT
    assert is_cleared_for_publishing(post, project)
    post.status = PostStatus.NEEDS_REVIEW
    assert not is_cleared_for_publishing(post, project)
