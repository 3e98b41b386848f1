"""The video-source settings section and a post's scene-picture page: saving, bad input, what they show."""

from django.urls import reverse

from apps.media.clips.models import ProjectVideoSettings, SceneSource
from apps.media.clips.routing import sources
from tests.support.clips import make_clip_post
from tests.support.posts import HX


def url(post):
    return reverse("post_video_sources", args=[post.organization.slug, post.project.slug, post.id])


def test_admin_sets_the_project_default_source(org, admin_user, client_for):
    post = make_clip_post(org, "Beans", "Cup")
    target = reverse("project_settings_video", args=[org.slug, post.project.slug])
    data = {"default_source": "kling", "veo_model": "veo-3.0-generate-001", "kling_model": "kling-v2-master",
            "kling_mode": "pro"}  # fmt: skip
    response = client_for(admin_user).post(target, data, **HX)
    assert response.status_code == 200 and b'id="section-video"' in response.content
    saved = ProjectVideoSettings.objects.for_org(org).get(project=post.project)
    assert (saved.default_source, saved.veo_model, saved.kling_model, saved.kling_mode) == (
        "kling", "veo-3.0-generate-001", "kling-v2-master", "pro")  # fmt: skip
    assert sources(post) == {1: "kling", 2: "kling"}
    page = client_for(admin_user).get(reverse("project_settings", args=[org.slug, post.project.slug]) + "?tab=video")
    assert b"Video sources" in page.content and b'value="kling" selected' in page.content

    bad = client_for(admin_user).post(target, data | {"default_source": "sora"}, **HX)
    assert bad.status_code == 400 and b"errorlist" in bad.content
    assert ProjectVideoSettings.objects.for_org(org).get(project=post.project).default_source == "kling"


def test_editor_gives_one_scene_its_own_source(org, editor, client_for):
    post = make_clip_post(org, "Beans", "Cup")
    client = client_for(editor)
    response = client.post(url(post), {"scene_index": 2, "source": "veo"}, **HX)
    assert response.status_code == 200
    assert sources(post) == {1: "library", 2: "veo"}
    assert b'<option value="veo" selected' in response.content
    # Back to the project's default.
    client.post(url(post), {"scene_index": 2, "source": ""}, **HX)
    assert not SceneSource.objects.for_org(org).filter(post=post).exists()
    # A scene the post does not have, or an unknown source: 400 in place, nothing saved.
    for data in ({"scene_index": 7, "source": "veo"}, {"scene_index": 1, "source": "sora"}):
        bad = client.post(url(post), data, **HX)
        assert bad.status_code == 400 and b'id="scene-sources"' in bad.content
    assert not SceneSource.objects.for_org(org).filter(post=post).exists()


def test_german_viewer_sees_the_scenes_without_forms(org, viewer, client_for):
    post = make_clip_post(org, "Beans", "")
    viewer.language = "de"
    viewer.save(update_fields=["language"])
    SceneSource.objects.create(organization=org, post=post, scene_index=2, source="kling")
    page = client_for(viewer).get(url(post), HTTP_ACCEPT_LANGUAGE="de")
    text = page.content.decode()
    assert page.status_code == 200 and "Szenenbilder" in text and "scene-source-select" not in text
    assert "Kling" in text and "Kein Video-Prompt für diese Szene" in text


def test_storyboard_tab_has_a_source_select_per_scene(org, editor, client_for):
    post = make_clip_post(org, "Beans", "Cup")
    post.storyboard = [{"index": 1, "visual": "Bohnen", "camera": "", "duration_seconds": 2},
                       {"index": 2, "visual": "Tasse", "camera": "", "duration_seconds": 2}]  # fmt: skip
    post.save(update_fields=["storyboard"])
    client = client_for(editor)
    tab = client.get(reverse("post_tab_storyboard", args=[org.slug, post.project.slug, post.id]), **HX)
    text = tab.content.decode()
    assert tab.status_code == 200
    assert 'id="scene-source-inline-select-1"' in text and 'id="scene-source-inline-select-2"' in text
    answer = client.post(url(post), {"scene_index": 2, "source": "kling", "inline": "1"}, **HX)
    assert answer.status_code == 200 and b'<option value="kling" selected' in answer.content
    assert b'id="scene-source-inline-2"' in answer.content and b"<table" not in answer.content
    assert sources(post)[2] == "kling"
    bad = client.post(url(post), {"scene_index": 9, "source": "kling", "inline": "1"}, **HX)
    assert bad.status_code == 400 and b'role="alert"' in bad.content
