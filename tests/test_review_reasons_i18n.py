"""Issue 16, item 2: a post's review reasons are stored as codes and read in the viewer's language —
the similarity guard's note and the policy rules' reasons, several of them without a doubled period."""

import pytest
from django.utils import translation

from apps.compliance.post_check import check_post, review_reasons
from apps.core.reasons import render_all
from apps.planning.reasons import HOOK_TOO_CLOSE
from apps.posts.models import PostStatus
from tests.support.posts import MONTH, cal_url, make_plan, make_post, make_project, post_url

pytestmark = pytest.mark.django_db


def test_stored_reasons_render_in_the_viewers_language(client_for, org, editor):
    project = make_project(org)
    plan = make_plan(project)
    verdict = check_post(
        org.id, hook="Kaffee", caption="Tee heilt Krebs. Garantierte Rendite!", hashtags=[], script={}, language="de"
    )
    policy = review_reasons(verdict)
    assert len(policy) >= 2 and all(set(reason) == {"code", "params"} for reason in policy)
    guard = HOOK_TOO_CLOSE.reason(nearest="Drei Fehler beim Espresso", similarity=93).as_dict()
    post = make_post(plan, MONTH, 1, status=PostStatus.NEEDS_REVIEW, review_reason=[*policy, guard])
    client = client_for(editor)

    editor.language = "de"
    editor.save(update_fields=["language"])
    german = client.get(post_url("post_detail", post)).content.decode()
    card = client.get(cal_url(org, project)).content.decode()
    assert "zu ähnlich" in german and "too close" not in german and "too close" not in card
    with translation.override("de"):
        text = render_all(post.review_reason)
    assert text in german.replace("&quot;", '"') or text[:60] in german
    assert ".;" not in text and ". ;" not in text

    editor.language = "en"
    editor.save(update_fields=["language"])
    english = client.get(post_url("post_detail", post)).content.decode()
    assert "too close to an existing hook" in english and "zu ähnlich" not in english
