"""The post editor: validation, optimistic locking, locks, approvals reset by edits, the policy engine."""

import json

import pytest

from apps.compliance.policy import evaluate
from apps.core.reasons import render
from apps.posts.models import Approval, PostStatus
from apps.projects.models import ApprovalRule
from tests.support.posts import HX, MONTH, editor_data, make_plan, make_post, make_project, post_url, snapshot


@pytest.fixture
def project(org):
    return make_project(org, approval_rule=ApprovalRule.EDITOR, language="de")


@pytest.fixture
def post(project):
    return make_post(make_plan(project), MONTH, 1)


def save(client, post, htmx=False, **changes):
    return client.post(post_url("post_edit", post), editor_data(post, **changes), **(HX if htmx else {}))


# --- happy path ---------------------------------------------------------------------------------


def test_save_changes_fields_and_raises_the_version(client_for, editor, post):
    response = save(
        client_for(editor),
        post,
        hook="Der perfekte Espresso in 30 Sekunden",
        caption="Neue Caption",
        hashtags="#kaffee barista, #Kaffee",
        **{"scene-1-voiceover": "Neuer Sprechertext", "scene-2-DELETE": "on", "board-0-camera": "Totale"},
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.version == 2
    assert post.hook == "Der perfekte Espresso in 30 Sekunden"
    assert post.caption == "Neue Caption"
    assert post.hashtags == ["#kaffee", "#barista"]
    scenes = post.script["scenes"]
    assert [s["index"] for s in scenes] == [1, 2]
    assert scenes[1]["voiceover"] == "Neuer Sprechertext"
    assert scenes[1]["visual"] == "Nahaufnahme 2"  # a key the editor does not show survives
    assert post.script["total_duration_seconds"] == 3 + 8
    assert post.script["title"] == "Hook 01 #1"
    assert post.storyboard[0]["camera"] == "Totale"
    assert post.video_prompt["prompts"][0]["camera"] == "macro"  # untouched


def test_new_rows_are_added(client_for, editor, post):
    save(
        client_for(editor),
        post,
        **{"scene-3-voiceover": "Zum Schluss", "scene-3-on_screen_text": "Ende", "scene-3-duration_seconds": "2"},
    )
    post.refresh_from_db()
    assert post.script["scenes"][3] == {
        "index": 4,
        "voiceover": "Zum Schluss",
        "on_screen_text": "Ende",
        "duration_seconds": 2,
    }


def test_video_prompt_fields(client_for, editor, post):
    save(client_for(editor), post, aspect_ratio="1:1", prompt_style="Pastell", **{"vprompt-0-prompt": "Latte art"})
    post.refresh_from_db()
    assert post.video_prompt["aspect_ratio"] == "1:1"
    assert post.video_prompt["style"] == "Pastell"
    assert post.video_prompt["prompts"][0]["prompt"] == "Latte art"
    assert post.video_prompt["prompts"][0]["scene_index"] == 1


def test_htmx_save_returns_panel_card_and_event(client_for, editor, post):
    response = save(client_for(editor), post, htmx=True, hook="Ganz neuer Hook")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert f'id="card-{post.id}"' in html and 'hx-swap-oob="true"' in html
    assert "Ganz neuer Hook" in html
    assert json.loads(response["HX-Trigger"]) == {"postChanged": {"id": str(post.id), "moved": False}}
    assert "Saved." in html  # the message, out-of-band


def test_unchanged_save_changes_nothing(client_for, editor, post):
    post.status = PostStatus.APPROVED
    post.save()
    before = snapshot(post.project)
    response = save(client_for(editor), post)
    assert response.status_code == 302
    assert snapshot(post.project) == before


# --- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"hook": ""}, "This field is required."),
        ({"hook": "x" * 151}, "at most 150 characters"),
        ({"hashtags": "#kaffee #bad-tag"}, "is not a hashtag"),
        ({"hashtags": " ".join(f"#t{i}" for i in range(11))}, "Enter at most 10 hashtags."),
        ({"scene-0-duration_seconds": "0"}, "greater than or equal to 1"),
        ({"scene-0-duration_seconds": "31"}, "less than or equal to 30"),
        ({"scene-0-duration_seconds": "drei"}, "Enter a whole number."),
        (
            {"scene-0-duration_seconds": "30", "scene-1-duration_seconds": "30", "scene-2-duration_seconds": "30"}
            | {f"scene-{i}-{k}": v for i in range(3, 10) for k, v in (("voiceover", "x"), ("duration_seconds", "30"))}
            | {"scene-TOTAL_FORMS": "10"},
            "at most 180 seconds",
        ),
        ({"scene-1-voiceover": ""}, "This field is required."),
        ({"board-0-visual": "x" * 301}, "at most 300 characters"),
        ({"aspect_ratio": "4:3"}, "Select a valid choice."),
        ({"caption": "x" * 2201}, "at most 2200 characters"),
    ],
)
def test_invalid_input_is_400_and_changes_nothing(client_for, editor, post, changes, message):
    before = snapshot(post.project)
    response = save(client_for(editor), post, htmx=True, **changes)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot(post.project) == before


# --- optimistic locking -------------------------------------------------------------------------


def test_stale_version_is_409_keeps_input_and_changes_nothing(client_for, editor, admin_user, post):
    mine = editor_data(post, hook="Mein Hook, den ich nicht verlieren will", caption="Meine lange Caption")
    theirs = editor_data(post, hook="Der Hook der Kollegin")
    assert client_for(admin_user).post(post_url("post_edit", post), theirs).status_code == 302
    post.refresh_from_db()
    assert post.version == 2
    before = snapshot(post.project)

    response = client_for(editor).post(post_url("post_edit", post), mine, **HX)

    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this post first" in html
    assert "your text is kept below" in html
    assert "Mein Hook, den ich nicht verlieren will" in html
    assert "Meine lange Caption" in html
    assert snapshot(post.project) == before
    post.refresh_from_db()
    assert post.hook == "Der Hook der Kollegin"


def test_stale_version_without_htmx_is_409_page(client_for, editor, post):
    data = editor_data(post, hook="Neu", version="1")
    post.version = 5
    post.save()
    response = client_for(editor).post(post_url("post_edit", post), data)
    assert response.status_code == 409
    assert "<html" in response.content.decode()


def test_locked_post_cannot_be_edited(client_for, editor, post):
    data = editor_data(post, hook="Trotzdem ändern")
    post.locked = True
    post.save()
    before = snapshot(post.project)
    response = client_for(editor).post(post_url("post_edit", post), data, **HX)
    assert response.status_code == 409
    html = response.content.decode()
    assert "This post is locked" in html
    assert "Trotzdem ändern" in html  # the input is kept
    assert snapshot(post.project) == before


def test_locked_post_shows_no_editor(client_for, editor, post):
    post.locked = True
    post.save()
    html = client_for(editor).get(post_url("post_detail", post)).content.decode()
    assert 'id="post-editor"' not in html
    assert ">Unlock</button>" in html


# --- status after edits -------------------------------------------------------------------------


def test_editing_an_approved_post_sends_it_back_to_needs_approval(client_for, editor, owner, post):
    client = client_for(owner)
    client.post(post_url("post_approve", post), {"version": 1})
    post.refresh_from_db()
    assert post.status == PostStatus.APPROVED
    client = client_for(editor)
    response = save(client, post, caption="Nach der Freigabe geändert")
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == PostStatus.NEEDS_APPROVAL
    assert post.approved_by is None and post.approved_at is None
    reset = Approval.objects.for_org(post.organization).filter(post=post).first()
    assert reset.action == Approval.Action.RESET_BY_EDIT
    assert reset.actor == editor
    assert reset.post_version == 2


def test_without_approval_step_an_edited_approved_post_becomes_draft(client_for, editor, post):
    post.project.approval_rule = ApprovalRule.NONE
    post.project.save()
    post.status = PostStatus.APPROVED
    post.save()
    save(client_for(editor), post, hook="Geändert")
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT


def test_policy_finding_sets_needs_review_with_reason(client_for, editor, post, org):
    text = "Dieser Kaffee heilt Krebs und Diabetes."
    assert evaluate(text, org=org, language="de").outcome == "hard_block"
    response = save(client_for(editor), post, htmx=True, caption=text)
    assert response.status_code == 200
    post.refresh_from_db()
    assert post.status == PostStatus.NEEDS_REVIEW
    assert post.review_reason
    assert post.policy["outcome"] == "hard_block"
    assert post.policy["matches"]
    html = response.content.decode()
    assert "policy check asks for a review" in html
    assert post.review_reason[0]["code"] == "policy.medical_cure"
    assert render(post.review_reason[0])[:30] in html  # on the card and in the panel


def test_script_text_is_checked_too(client_for, editor, post):
    save(client_for(editor), post, **{"scene-0-voiceover": "Unser Kaffee heilt Krebs."})
    post.refresh_from_db()
    assert post.status == PostStatus.NEEDS_REVIEW


def test_fixing_the_text_clears_the_review(client_for, editor, post):
    save(client_for(editor), post, caption="Dieser Kaffee heilt Krebs.")
    post.refresh_from_db()
    assert post.status == PostStatus.NEEDS_REVIEW
    save(client_for(editor), post, caption="Dieser Kaffee schmeckt nach Nuss und Schokolade.")
    post.refresh_from_db()
    assert post.status == PostStatus.NEEDS_APPROVAL
    assert post.review_reason == []
    assert post.policy["outcome"] == "pass"


def test_approved_post_with_policy_finding_goes_to_review(client_for, editor, owner, post):
    client_for(owner).post(post_url("post_approve", post), {"version": 1})
    save(client_for(editor), post, caption="Dieser Kaffee heilt Krebs.")
    post.refresh_from_db()
    assert post.status == PostStatus.NEEDS_REVIEW
    assert Approval.objects.for_org(post.organization).filter(action="reset_by_edit").count() == 1


def test_format_only_edit_does_not_rerun_policy(client_for, editor, post):
    post.status = PostStatus.NEEDS_REVIEW
    post.review_reason = [{"code": "posts.note", "params": {"text": "QA: hook too weak"}}]
    post.save()
    save(client_for(editor), post, format="Storytime")
    post.refresh_from_db()
    assert post.status == PostStatus.NEEDS_REVIEW
    assert post.review_reason == [{"code": "posts.note", "params": {"text": "QA: hook too weak"}}]
    assert post.format == "Storytime"
