"""The hard-block gate, the commercial-content setting and the AI label, through the editor and the actions."""

import pytest

from apps.posts import actions
from apps.posts.models import Approval, PostItem, PostStatus
from apps.projects.models import ApprovalRule
from tests.support.policy_corpus import default_rule_set
from tests.support.posts import MONTH, editor_data, make_plan, make_post, make_project, post_url, snapshot

BLOCKED_CAPTION = "Unser Kurkuma-Tee heilt Krebs – ganz ohne Chemo!"


@pytest.fixture(autouse=True)
def defaults(db):
    return default_rule_set()


@pytest.fixture
def project(org):
    return make_project(org, approval_rule=ApprovalRule.EDITOR)


@pytest.fixture
def post(project):
    return make_post(make_plan(project), MONTH, 1, status=PostStatus.NEEDS_APPROVAL)


def edit(client, post, **changes):
    return client.post(post_url("post_edit", post), editor_data(post, **changes))


def approve(client, post):
    return client.post(post_url("post_approve", post), {"version": post.version})


def test_a_blocked_caption_saved_in_the_editor_cannot_be_approved(client_for, editor, post):
    client = client_for(editor)
    assert edit(client, post, caption=BLOCKED_CAPTION).status_code == 302
    post.refresh_from_db()
    assert post.status == PostStatus.NEEDS_REVIEW
    assert post.policy["outcome"] == "hard_block"
    blocks = [m for m in post.policy["matches"] if m["outcome"] == "hard_block"]
    # The cure claim (and "ohne Chemo": going without the treatment).
    assert {m["reason"]["code"] for m in blocks} == {"policy.medical_cure", "policy.medical_stop_treatment"}
    (match,) = [m for m in blocks if m["reason"]["code"] == "policy.medical_cure"]
    assert BLOCKED_CAPTION[match["span"][0] : match["span"][1]] == match["text"] == "heilt Krebs"
    before = snapshot(post.project)
    response = approve(client, post)
    assert response.status_code == 409
    assert "policy check blocks this post" in response.content.decode()
    assert snapshot(post.project) == before
    # Fixing the text clears the way.
    post.refresh_from_db()
    assert edit(client, post, caption="Unser Kurkuma-Tee schmeckt nach Herbst.").status_code == 302
    post.refresh_from_db()
    assert approve(client, post).status_code == 302
    post.refresh_from_db()
    assert post.status == PostStatus.APPROVED


def test_the_action_rechecks_the_text_not_only_the_stored_verdict(post, editor):
    # A verdict stored before the rules changed says pass; the text is blocked now.
    PostItem.objects.for_org(post.organization).filter(pk=post.pk).update(
        caption=BLOCKED_CAPTION, policy={"outcome": "pass", "matches": []}
    )
    post.refresh_from_db()
    with pytest.raises(actions.PostError, match="Claims to cure"):
        actions.do_approve_post(post, actor=editor, version=post.version)
    post.refresh_from_db()
    assert post.status == PostStatus.NEEDS_APPROVAL
    assert not Approval.objects.for_org(post.organization).filter(post=post).exists()
    with pytest.raises(actions.PostError):
        actions.check_publishable(post, post.project)


def test_publishing_checks_the_target_platforms_rules_too(post):
    """The publish helper calls `check_publishable(post, project, [platform])` before each upload."""
    PostItem.objects.for_org(post.organization).filter(pk=post.pk).update(hook="Kaffee " * 20)  # 140 characters
    post.refresh_from_db()
    actions.check_publishable(post, post.project)  # no platform: the title may be long
    actions.check_publishable(post, post.project, ["tiktok"])
    with pytest.raises(actions.PostError, match="100"):
        actions.check_publishable(post, post.project, ["youtube_shorts"])
    assert actions.blocking_verdict(post, post.project, ["youtube_shorts"]).matches[0].limit == 100


def test_a_review_verdict_does_not_block(post, editor):
    PostItem.objects.for_org(post.organization).filter(pk=post.pk).update(
        caption="Bitcoin jetzt kaufen, bevor er explodiert!"
    )
    post.refresh_from_db()
    assert actions.blocking_verdict(post, post.project) is None
    assert actions.do_approve_post(post, actor=editor, version=post.version).status == PostStatus.APPROVED


def test_the_editor_sets_commercial_content_and_the_label_rules_follow(client_for, editor, post):
    client = client_for(editor)
    response = edit(client, post, caption="Mein Lieblingskaffee ☕", commercial_content="paid_partnership")
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.commercial_content == "paid_partnership"
    assert post.policy["outcome"] == "hard_block"
    assert {m["code"] for m in post.policy["matches"]} == {"disclosure-paid-partnership"}
    edit(client, post, caption="Mein Lieblingskaffee ☕ #anzeige", commercial_content="paid_partnership")
    post.refresh_from_db()
    assert post.policy["outcome"] == "pass"
    # The caption mentions a sponsor while the setting says none: a review.
    edit(client, post, caption="Gesponsert von der Rösterei Bohnenglanz ☕", commercial_content="none")
    post.refresh_from_db()
    assert (post.commercial_content, post.policy["outcome"]) == ("none", "needs_review")
    assert {m["code"] for m in post.policy["matches"]} == {"disclosure-paid-mention"}


def test_ai_generated_media_need_a_label(client_for, editor, post):
    client = client_for(editor)
    edit(client, post, caption="Unser Maskottchen tanzt", commercial_content="own_brand", ai_generated="on")
    post.refresh_from_db()
    assert post.ai_generated is True
    assert {m["code"] for m in post.policy["matches"]} == {"disclosure-ai-label"}
    edit(
        client, post, caption="Unser Maskottchen tanzt #KIgeneriert", commercial_content="own_brand", ai_generated="on"
    )
    post.refresh_from_db()
    assert post.policy["outcome"] == "pass"


def test_an_editor_without_the_disclosure_inputs_keeps_the_setting(client_for, editor, post):
    PostItem.objects.for_org(post.organization).filter(pk=post.pk).update(
        commercial_content="own_brand", ai_generated=True
    )
    post.refresh_from_db()
    data = editor_data(post, caption="Neue Caption #KI")
    data.pop("commercial_content", None)
    data.pop("ai_generated", None)
    assert client_for(editor).post(post_url("post_edit", post), data).status_code == 302
    post.refresh_from_db()
    assert (post.commercial_content, post.ai_generated) == ("own_brand", True)


def test_the_editor_shows_the_settings_and_the_reasons(client_for, editor, post):
    client = client_for(editor)
    html = client.get(post_url("post_detail", post)).content.decode()
    assert 'name="commercial_content"' in html and 'name="ai_generated"' in html
    edit(client, post, caption=BLOCKED_CAPTION)
    html = client.get(post_url("post_detail", post)).content.decode()
    assert '<mark class="outcome-hard_block">heilt Krebs</mark>' in html
    assert "Claims to cure, treat or prevent an illness" in html
    assert "medical-cure-claim-de, default v1" in html


def test_a_blocked_post_shows_the_blocked_state_with_its_rule_and_offers_no_approve(client_for, editor, post):
    """Issue 16 (6): the panel, the calendar's cards and list, and the bulk action show the blocked state
    with the matched rule in the viewer's language; nothing offers Approve; bulk approve refuses per post."""
    from django.urls import reverse

    from tests.support.posts import cal_url

    client = client_for(editor)
    assert edit(client, post, caption=BLOCKED_CAPTION).status_code == 302
    post.refresh_from_db()
    org, project = post.organization, post.project
    editor.language = "de"
    editor.save(update_fields=["language"])
    panel = client.get(post_url("post_detail", post), HTTP_HX_REQUEST="true").content.decode()
    assert "Gesperrt durch die Richtlinienprüfung:" in panel and "badge-status-blocked" in panel
    assert "Versprechen, eine Krankheit zu heilen" in panel  # the rule, in the viewer's language
    assert 'data-shortcut="a"' not in panel and post_url("post_approve", post) not in panel
    assert "Eine Freigabe ist nicht möglich" in panel
    month = client.get(cal_url(org, project)).content.decode()
    assert 'badge-status-blocked">Gesperrt<' in month and "badge-status-needs_review" not in month
    listing = client.get(cal_url(org, project, view="list")).content.decode()
    assert 'badge-status-blocked">Gesperrt<' in listing
    before = snapshot(project)
    url = reverse("calendar_bulk", args=[org.slug, project.slug])
    answer = client.post(url, {"action": "approve", "post": [f"{post.id}:{post.version}"]}, HTTP_HX_REQUEST="true")
    html = answer.content.decode()
    assert 'class="result-refused"' in html and "Versprechen, eine Krankheit zu heilen" in html, html
    assert snapshot(project) == before
