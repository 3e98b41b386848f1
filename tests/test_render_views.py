"""The Video panel and the month's production page: what members see and do (access per role: endpoint matrix)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from apps.jobs.models import JobRun
from apps.media import actions
from apps.media.models import Render, RenderStatus
from apps.media.reasons import ASSET_EXPIRED
from apps.posts.models import PostStatus, VideoState
from tests.support.posts import HX, MONTH, make_plan, make_post, make_project
from tests.support.renders import finished_render, reload

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(org):
    return make_project(org)


@pytest.fixture
def plan(project):
    return make_plan(project)


@pytest.fixture
def post(plan):
    return make_post(plan, MONTH, 1)


def video_url(post, name="post_video", **extra):
    return reverse(name, args=[post.organization.slug, post.project.slug, post.id, *extra.values()])


def month_url(project):
    return reverse("month_videos", args=[project.organization.slug, project.slug, "2026-03"])


def test_render_button_queues_one_render_and_the_panel_polls_until_it_ends(post, editor, client_for):
    client = client_for(editor)
    page = client.get(video_url(post)).content.decode()
    assert "This post has no video yet." in page and 'action="' + video_url(post, "post_video_render") in page

    response = client.post(video_url(post, "post_video_render"), **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="video-panel"' in html and 'hx-trigger="every 2s"' in html and 'role="progressbar"' in html
    assert "<html" not in html  # the panel partial, swapped in place
    render = Render.objects.for_org(post.organization).get(post=post)
    assert (render.status, render.requested_by) == (RenderStatus.QUEUED, editor)
    job = JobRun.objects.for_org(post.organization).get(id=render.job_run_id)
    assert (job.queue_name, job.payload["render_id"]) == ("media", str(render.id))
    assert reload(post).video_state == VideoState.QUEUED

    client.post(video_url(post, "post_video_render"), **HX)  # while it is queued: the same render
    assert Render.objects.for_org(post.organization).filter(post=post).count() == 1


def test_viewers_see_the_video_but_no_buttons(post, viewer, client_for, media):
    finished_render(post, qa_passed=False)
    html = client_for(viewer).get(video_url(post)).content.decode()
    assert "Loudness" in html and "The sound is -19.5 LUFS loud" in html and 'src="/o/' in html
    assert "post_video_render" not in html and "Render again" not in html and 'name="reason"' not in html


def test_a_failed_check_is_explained_and_accepting_it_needs_a_reason(post, editor, client_for, media):
    render = finished_render(post, qa_passed=False)
    editor.language = "de"
    editor.save(update_fields=["language"])
    client = client_for(editor)
    accept = reverse("post_video_accept", args=[post.organization.slug, post.project.slug, post.id, render.id])

    refused = client.post(accept, {"reason": "  "}, **HX)
    assert refused.status_code == 400
    assert "Bitte begründen Sie" in refused.content.decode()
    render.refresh_from_db()
    assert render.qa_override_reason == "" and not render.is_publishable

    done = client.post(accept, {"reason": "Der leise Ton ist gewollt."}, **HX)
    assert done.status_code == 200
    render.refresh_from_db()
    assert render.is_publishable and render.qa_overridden_by == editor and render.qa_overridden_at
    assert reload(post).video_state == VideoState.READY


def test_the_panel_shows_the_failure_reason_in_the_viewers_language(post, editor, client_for):
    render = Render.objects.create(
        organization=post.organization, project=post.project, post=post, status=RenderStatus.FAILED,
        failure=[ASSET_EXPIRED.reason(asset="Mühle", date="2026-03-01").as_dict()],
    )  # fmt: skip
    assert render.failure[0]["code"] == "media.asset_expired"
    editor.language = "de"
    editor.save(update_fields=["language"])
    html = client_for(editor).get(video_url(post)).content.decode()
    assert "Die Lizenz von „Mühle“ ist am 2026-03-01 abgelaufen." in html
    assert "Der letzte Render ist fehlgeschlagen." in html


def test_produce_all_approved_posts_of_the_month(plan, project, owner, editor, client_for):
    approved = [make_post(plan, MONTH + timedelta(days=day), 1, status=PostStatus.APPROVED) for day in (0, 1)]
    make_post(plan, MONTH + timedelta(days=2), 1)  # a draft: not produced
    client = client_for(editor)
    assert "Produce all approved posts of this month" in client.get(month_url(project)).content.decode()

    response = client.post(month_url(project), **HX)
    html = response.content.decode()
    assert response.status_code == 200 and "2 approved posts are being produced." in html
    assert 'hx-trigger="every 2s"' in html
    renders = Render.objects.for_org(project.organization).filter(post__plan=plan)
    assert sorted(r.post_id for r in renders) == sorted(p.id for p in approved)
    client.post(month_url(project), **HX)  # again while they are queued: nothing new
    assert renders.count() == 2


def test_calendar_cards_show_the_video_state(post, plan, project, editor, client_for):
    calendar = reverse("project_calendar", args=[project.organization.slug, project.slug, "2026-03"])
    client = client_for(editor)
    assert "video-badge" not in client.get(calendar).content.decode()
    actions.do_request_render(post, actor=editor)
    html = client.get(calendar).content.decode()  # the cached card is not reused: its state changed
    assert 'class="badge video-badge video-queued"' in html and "Video queued" in html
