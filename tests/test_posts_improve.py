"""'AI improve': one field rewritten through the orchestrator (offline provider), shown as a diff, accept or reject."""

import re

import pytest

from apps.ai.models import AIDecision
from apps.posts.models import PostStatus
from apps.posts.views import diff_segments
from tests.support.posts import HX, MONTH, make_plan, make_post, make_project, post_url, snapshot
from tests.support.projects import purl

TOKEN = re.compile(r'name="token" value="([^"]+)"')


@pytest.fixture
def project(org):
    return make_project(org, language="de", audience="Kaffeeliebhaber", cta="Jetzt probieren")


@pytest.fixture
def post(project):
    return make_post(make_plan(project), MONTH, 1, hook="Drei Fehler beim Espresso")


def improve(client, post, field, instruction="Kürzer und frecher", htmx=True):
    return client.post(
        post_url("post_improve", post), {"field": field, "instruction": instruction}, **(HX if htmx else {})
    )


def token_of(response) -> str:
    return TOKEN.search(response.content.decode()).group(1)


@pytest.mark.parametrize("field", ["hook", "caption", "hashtags", "script", "storyboard", "video_prompt"])
def test_improve_shows_a_diff_and_changes_nothing(client_for, editor, post, field):
    before = snapshot(post.project)
    response = improve(client_for(editor), post, field)
    assert response.status_code == 200, response.content.decode()[:2000]
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="improve"')
    assert "<ins>" in html or "<del>" in html
    assert ">Accept</button>" in html and ">Reject</a>" in html
    assert "offline draft" in html
    assert snapshot(post.project) == before
    decision = AIDecision.objects.for_org(post.organization).get()
    assert decision.offline and decision.outcome in ("ok", "repaired")


def test_accept_saves_through_the_optimistic_lock(client_for, editor, post):
    client = client_for(editor)
    token = token_of(improve(client, post, "hook"))
    response = client.post(post_url("post_improve_accept", post), {"token": token}, **HX)
    assert response.status_code == 200
    post.refresh_from_db()
    assert post.hook != "Drei Fehler beim Espresso"
    assert post.version == 2
    html = response.content.decode()
    assert "Suggestion applied." in html
    assert f'id="card-{post.id}"' in html


def test_accept_of_a_structured_field(client_for, editor, post):
    client = client_for(editor)
    token = token_of(improve(client, post, "script", "kürzer"))
    assert client.post(post_url("post_improve_accept", post), {"token": token}).status_code == 302
    post.refresh_from_db()
    assert post.version == 2
    scenes = post.script["scenes"]
    assert scenes and all(1 <= scene["duration_seconds"] <= 30 for scene in scenes)
    assert post.script["total_duration_seconds"] == sum(scene["duration_seconds"] for scene in scenes)


def test_accept_after_someone_else_saved_is_409(client_for, editor, post):
    client = client_for(editor)
    token = token_of(improve(client, post, "caption"))
    post.caption = "Inzwischen von der Kollegin geändert"
    post.version = 2
    post.save()
    before = snapshot(post.project)
    response = client.post(post_url("post_improve_accept", post), {"token": token}, **HX)
    assert response.status_code == 409
    assert "Someone else saved this post first" in response.content.decode()
    assert snapshot(post.project) == before


def test_accept_of_an_approved_post_sends_it_back(client_for, editor, post):
    post.status = PostStatus.APPROVED
    post.save()
    client = client_for(editor)
    token = token_of(improve(client, post, "hook"))
    client.post(post_url("post_improve_accept", post), {"token": token})
    post.refresh_from_db()
    assert post.status == PostStatus.NEEDS_APPROVAL


def test_reject_changes_nothing(client_for, editor, post):
    client = client_for(editor)
    response = improve(client, post, "hook")
    improve_url = post_url("post_improve", post)
    assert f'href="{improve_url}" hx-get="{improve_url}" hx-target="#improve"' in response.content.decode()
    before = snapshot(post.project)
    reject = client.get(improve_url, **HX)  # what the Reject button does: the empty form again
    assert reject.status_code == 200
    assert 'id="improve-result"' not in reject.content.decode() and 'name="instruction"' in reject.content.decode()
    assert snapshot(post.project) == before


@pytest.mark.parametrize("token", ["", "garbage", "a:b:c"])
def test_forged_or_missing_token_is_400(client_for, editor, post, token):
    before = snapshot(post.project)
    response = client_for(editor).post(post_url("post_improve_accept", post), {"token": token}, **HX)
    assert response.status_code == 400
    assert snapshot(post.project) == before


def test_token_of_another_post_is_refused(client_for, editor, post):
    client = client_for(editor)
    token = token_of(improve(client, post, "hook"))
    other = make_post(post.plan, MONTH, 2)
    before = snapshot(post.project)
    assert client.post(post_url("post_improve_accept", other), {"token": token}).status_code == 400
    assert snapshot(post.project) == before


def test_budget_refusal_shows_the_reason(client_for, editor, post):
    project = post.project
    project.monthly_token_budget = 1
    project.save()
    before = snapshot(project)
    response = improve(client_for(editor), post, "hook")
    assert response.status_code == 409
    decision = AIDecision.objects.for_org(post.organization).get()
    assert decision.outcome == "budget_refused"
    html = response.content.decode()
    assert 'role="alert"' in html
    assert str(decision.error) in html.replace("&#x27;", "'")
    assert ">Accept</button>" not in html
    assert snapshot(project) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"field": "hook", "instruction": ""}, "This field is required."),
        ({"field": "rationale", "instruction": "x"}, "valid choice"),
    ],
)
def test_invalid_improve_request_is_400(client_for, editor, post, data, message):
    response = client_for(editor).post(post_url("post_improve", post), data, **HX)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AIDecision.objects.for_org(post.organization).exists()


def test_improve_without_htmx_renders_the_page(client_for, editor, post):
    response = improve(client_for(editor), post, "caption", htmx=False)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and 'id="improve-result"' in html


def test_word_diff():
    assert diff_segments("Drei Fehler beim Espresso", "Zwei Fehler beim Kaffee") == [
        ("delete", "Drei"),
        ("insert", "Zwei"),
        ("equal", " Fehler beim "),
        ("delete", "Espresso"),
        ("insert", "Kaffee"),
    ]


def test_accepting_a_new_hook_updates_scene_one(client_for, editor, post):
    old = post.hook
    post.script["scenes"][0].update(voiceover=f"{old} – Teil 1.", on_screen_text=old)  # scene 1 quotes the hook
    post.save()
    client = client_for(editor)
    response = improve(client, post, "hook", "als Frage")
    assert response.status_code == 200
    client.post(post_url("post_improve_accept", post), {"token": token_of(response)}, **HX)
    post.refresh_from_db()
    assert post.hook == "Drei Fehler beim Espresso – schon gewusst?"
    first = post.script["scenes"][0]
    assert first["voiceover"] == f"{post.hook} – Teil 1." and first["on_screen_text"] == post.hook
    assert post.script["scenes"][1]["voiceover"] == f"{old} – Teil 2."  # only what quoted the hook
    assert post.caption == "Drei Fehler beim Espresso – schon gewusst? Probier es aus!"
    assert post.version == 2


def test_shorter_on_the_editor_really_shortens(client_for, editor, post):
    response = improve(client_for(editor), post, "caption", "kürzer")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<del>Drei</del>" in html and "<ins>3</ins>" in html


def test_an_instruction_the_offline_writer_does_not_know_says_so(client_for, editor, post):
    before = snapshot(post.project)
    response = improve(client_for(editor), post, "hook", "erwähne die neue Sorte")
    assert response.status_code == 409
    html = response.content.decode()
    assert "cannot follow" in html and "shorter" in html
    assert ">Accept</button>" not in html
    assert snapshot(post.project) == before


def test_the_instruction_placeholder_uses_the_projects_topics(client_for, editor, post):
    post.project.topics = ["Latte Art"]
    post.project.save()
    html = client_for(editor).get(post_url("post_improve", post), **HX).content.decode()
    assert "mention Latte Art" in html and "new blend" not in html


def test_hashtag_help_texts_use_the_projects_own_topics(client_for, editor, owner, post):
    project = post.project
    project.topics, project.hashtags = ["Nachhaltiger Anbau", "E-Bikes im Alltag"], []
    project.save()
    html = client_for(editor).get(post_url("post_detail", post), **HX).content.decode()
    assert "e.g. #nachhaltigeranbau #ebikesimalltag" in html and "#coffee" not in html
    url = purl("project_settings", project.organization, project) + "?tab=brand"
    html = client_for(owner).get(url).content.decode()
    assert "For example: #nachhaltigeranbau #ebikesimalltag" in html


def test_what_the_offline_writer_cannot_apply_is_named(client_for, editor, post):
    post.hook = "Espresso"
    post.save()
    response = improve(client_for(editor), post, "hook", "kürzer")  # one word cannot get shorter
    assert response.status_code == 409
    assert "could not apply “kürzer”" in response.content.decode().replace("&#x27;", "'")
