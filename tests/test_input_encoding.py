"""Text that arrives as invalid UTF-8 is refused with a translated message and stores nothing."""

from urllib.parse import urlencode

import pytest
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from apps.ai.models import KnowledgeDoc
from apps.projects.models import ApprovalRule
from tests.support.posts import HX, MONTH, editor_data, make_plan, make_post, make_project, post_url, snapshot

BROKEN = b"Kaffee \xff\xfe mit Milch \xc3("  # bytes that no UTF-8 decoder accepts


def urlencoded_with(data: dict, field: str) -> bytes:
    """A urlencoded body of `data` whose `field` carries the broken bytes, percent-encoded as a browser would."""
    body = urlencode({k: v for k, v in data.items() if k != field})
    return (body + "&" + urlencode({field: BROKEN})).encode("ascii")


def multipart_with(data: dict, field: str) -> bytes:
    """A multipart body of `data` whose `field` part carries the raw broken bytes."""
    body = encode_multipart(BOUNDARY, {k: v for k, v in data.items() if k != field})
    part = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"\r\n\r\n'.encode() + BROKEN + b"\r\n"
    )
    return part + body


@pytest.fixture
def post(org):
    project = make_project(org, approval_rule=ApprovalRule.EDITOR, language="de")
    return make_post(make_plan(project), MONTH, 1)


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
@pytest.mark.parametrize("htmx", [True, False])
def test_caption_with_invalid_utf8_is_refused_and_nothing_changes(client_for, editor, post, encoding, htmx):
    client = client_for(editor)
    before = snapshot(post.project)
    data = editor_data(post, caption="new caption")
    if encoding == "urlencoded":
        body, content_type = urlencoded_with(data, "caption"), "application/x-www-form-urlencoded"
    else:
        body, content_type = multipart_with(data, "caption"), MULTIPART_CONTENT
    response = client.generic("POST", post_url("post_edit", post), body, content_type, **(HX if htmx else {}))
    assert response.status_code == 400
    assert "not valid UTF-8" in response.content.decode()
    if htmx:
        # Nothing but the message is swapped: the editor keeps what was typed.
        assert response["HX-Reswap"] == "none"
        assert 'id="messages"' in response.content.decode()
    assert snapshot(post.project) == before


def test_the_same_caption_as_valid_utf8_is_saved(client_for, editor, post):
    client = client_for(editor)
    data = editor_data(post, caption="Kaffee ÿþ mit Milch")
    body = urlencode(data).encode("ascii")
    response = client.generic("POST", post_url("post_edit", post), body, "application/x-www-form-urlencoded", **HX)
    assert response.status_code == 200
    post.refresh_from_db()
    assert post.caption == "Kaffee ÿþ mit Milch"


def test_multipart_declared_as_latin1_is_refused_not_turned_into_mojibake(client_for, editor, post):
    data = editor_data(post)
    body = encode_multipart(BOUNDARY, {k: v for k, v in data.items() if k != "caption"})
    body = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="caption"\r\n\r\nM'.encode() + b"\xfcsli\r\n" + body
    before = snapshot(post.project)
    response = client_for(editor).generic(
        "POST", post_url("post_edit", post), body, MULTIPART_CONTENT + "; charset=iso-8859-1"
    )
    assert response.status_code == 400
    assert snapshot(post.project) == before


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_knowledge_text_with_invalid_utf8_is_refused_and_nothing_is_stored(client_for, org, editor, encoding):
    data = {"kind": "brand_constraint", "title": "Tone"}
    url = reverse("knowledge_add", args=[org.slug])
    if encoding == "urlencoded":
        body, content_type = urlencoded_with(data, "text"), "application/x-www-form-urlencoded"
    else:
        body, content_type = multipart_with(data, "text"), MULTIPART_CONTENT
    response = client_for(editor).generic("POST", url, body, content_type, **HX)
    assert response.status_code == 400
    assert "not valid UTF-8" in response.content.decode()
    assert not KnowledgeDoc.objects.for_org(org).exists()


def test_refusal_is_in_german_for_a_german_user(client_for, org, editor):
    editor.language = "de"
    editor.save(update_fields=["language"])
    body = urlencoded_with({"kind": "brand_constraint", "title": "Ton"}, "text")
    response = client_for(editor).generic(
        "POST", reverse("knowledge_add", args=[org.slug]), body, "application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "kein gültiges UTF-8" in response.content.decode()
