"""produce_post end to end on the real worker, Redis, Postgres, espeak-ng and ffmpeg (270×480 renders)."""

import re
from datetime import timedelta

import av
import numpy as np
import pytest

from apps.jobs.models import JobStatus
from apps.media import actions
from apps.media.clips.actions import do_set_scene_source
from apps.media.clips.models import VideoSource
from apps.media.models import AssetKind, AssetSource, RenderStatus
from apps.media.render.ffmpeg import run
from apps.media.renders import latest_publishable_render
from apps.media.usage import licence_today
from apps.posts.models import VideoState
from tests.support.clips import add_keys, point_at_sandbox, prompts
from tests.support.media import make_post_in
from tests.support.renders import H, W, on_plan, reload, small_renders, three_scene_script, wait_for_render

pytest_plugins = ["tests.media_fixtures"]
BACKGROUND = "#1E3A5F"


@pytest.fixture
def post(org, media_root, settings, tmp_path):
    small_renders(settings, tmp_path)
    on_plan(org)
    post = make_post_in(org)
    post.hook = "Warum dein Kaffee flach schmeckt"
    post.script = three_scene_script()
    post.save(update_fields=["hook", "script"])
    return post


@pytest.fixture
def still(org, samples):
    asset = actions.do_add_asset_file(org, samples["png"], filename="muehle.png", kind=AssetKind.IMAGE)
    return actions.do_update_asset(
        asset, name="Mühle", project=None, tags=["bohnen", "mühle"], licence_type="stock", licensed_until=None
    )


def integrated_lufs(path: str) -> float:
    result = run(["-i", path, "-map", "0:a:0", "-af", "ebur128", "-f", "null", "-"])
    return float(re.findall(r"I:\s*(-?[\d.]+) LUFS", result.stderr.decode())[-1])


def file_of(render) -> str:
    return render.video.file.path


def test_a_three_scene_post_is_produced_stored_and_checked(post, still, worker, owner):
    render = actions.do_request_render(post, actor=owner)
    assert reload(post).video_state == VideoState.QUEUED
    assert actions.do_request_render(post, actor=owner).id == render.id  # one at a time per post
    render = wait_for_render(render.id, RenderStatus.DONE, RenderStatus.FAILED)
    assert render.status == RenderStatus.DONE, render.failure
    with av.open(file_of(render)) as container:
        video, sound = container.streams.video[0], container.streams.audio[0]
        assert (video.codec_context.name, sound.codec_context.name) == ("h264", "aac")
        assert (video.codec_context.width, video.codec_context.height) == (W, H) == (render.width, render.height)
        assert float(video.average_rate) == 30 == render.fps
        duration = container.duration / av.time_base
    voice_end = render.qa_report["probe"]["duration"]
    assert abs(duration - voice_end) <= 0.2 and duration > 4
    assert abs(integrated_lufs(file_of(render)) - (-14)) <= 1
    assert render.qa_passed and render.qa_report["failed"] == []
    assert render.reencoded_scenes == [0, 1, 2] and len(render.segment_digests) == 4
    # The library still tagged "mühle" illustrates the first scene; the others are brand cards.
    assert [s["source"] for s in render.scene_sources] == ["library", "card", "card"]
    assert render.scene_sources[0]["asset"] == str(still.id)
    assert render.video.kind == AssetKind.RENDER and render.video.source == AssetSource.RENDER
    assert render.video_key == render.video.file.name and render.cover_key == render.video.preview.name
    assert render.video_key.startswith(f"org_{post.organization_id}/project_{post.project_id}/posts/{post.id}/")
    # The cover (the asset's preview) is the title card with the hook, the frame at video_cover_timestamp_ms.
    assert render.video_cover_timestamp_ms == 250
    cover = next(av.open(render.video.preview.path).decode(video=0)).to_ndarray(format="rgb24").astype(int)
    background = np.array([int(BACKGROUND[i : i + 2], 16) for i in (1, 3, 5)])
    assert np.abs(cover[:20, :20].reshape(-1, 3) - background).max() < 24
    assert (cover[int(H * 0.35) : int(H * 0.65)].mean(axis=2) > 200).sum() > 800
    assert render.synthetic_voice and not render.contains_generated_media
    assert render.job_run.status == JobStatus.SUCCEEDED and render.job_run.progress == 100
    assert reload(post).video_state == VideoState.READY
    assert latest_publishable_render(post) == render


def test_a_changed_scene_re_encodes_only_its_segment(post, worker, owner):
    first = wait_for_render(actions.do_request_render(post, actor=owner).id, RenderStatus.DONE)
    same = wait_for_render(actions.do_request_render(post, actor=owner).id, RenderStatus.DONE)
    assert same.reused and same.reencoded_scenes == [] and same.video_id == first.video_id

    post.script["scenes"][1]["on_screen_text"] = "Jeden Tag frisch"
    post.save(update_fields=["script"])
    changed = wait_for_render(actions.do_request_render(post, actor=owner).id, RenderStatus.DONE)
    assert changed.reencoded_scenes == [1] and not changed.reused
    kept = [0, 1, 3]  # the title card, scenes 1 and 3
    assert [changed.segment_digests[i] for i in kept] == [first.segment_digests[i] for i in kept]
    assert changed.segment_digests[2] != first.segment_digests[2]
    assert changed.qa_passed, changed.qa_report["failed"]
    assert changed.video_id != first.video_id
    assert latest_publishable_render(post) == changed


def test_an_expired_licence_stops_the_render_with_its_reason(post, still, worker, owner, client_for):
    actions.do_update_asset(
        still, name="Mühle", project=None, tags=still.tags, licence_type="stock",
        licensed_until=licence_today() - timedelta(days=1),
    )  # fmt: skip
    actions.do_record_render_assets(post, [still])  # chosen for this post: it must go through the gate
    render = wait_for_render(actions.do_request_render(post, actor=owner).id, RenderStatus.FAILED, RenderStatus.DONE)
    assert render.status == RenderStatus.FAILED
    expired = (licence_today() - timedelta(days=1)).isoformat()
    assert render.failure == [{"code": "media.asset_expired", "params": {"asset": "Mühle", "date": expired}}]
    assert render.video is None and reload(post).video_state == VideoState.FAILED
    assert latest_publishable_render(post) is None


def test_a_scene_routed_to_veo_waits_for_its_clip_and_labels_the_video(post, owner, settings, live_server, worker):
    point_at_sandbox(settings, live_server)
    settings.VF_RENDER_CLIP_WAIT_SECONDS = 0.3
    add_keys(post.organization)
    post.video_prompt = prompts("", "Ein Röster bei der Arbeit, Zeitlupe")
    post.save(update_fields=["video_prompt"])
    do_set_scene_source(post, 2, VideoSource.VEO)
    render = wait_for_render(actions.do_request_render(post, actor=owner).id, RenderStatus.DONE, RenderStatus.FAILED)
    assert render.status == RenderStatus.DONE, render.failure
    assert render.job_run.attempts >= 2  # it came back while the clip was generating
    veo = render.scene_sources[1]
    assert (veo["source"], veo["provider"], veo["status"]) == ("veo", "veo", "done") and veo["asset"]
    assert [s["source"] for s in render.scene_sources][::2] == ["card", "card"]
    assert render.contains_generated_media and render.qa_passed
