"""Kill the media worker (SIGKILL) in the middle of a render: the job resumes from the post's engine cache
and ends with exactly one finished render; nothing half-written is visible in between."""

import os
import signal
from pathlib import Path

import dramatiq
import pytest

from apps.media import actions
from apps.media.models import Asset, AssetKind, Render, RenderStatus
from apps.media.production import workdir_of
from apps.media.tasks import produce_post
from apps.posts.models import VideoState
from tests.support.media import make_post_in
from tests.support.renders import H, W, on_plan, reload, three_scene_script, wait_for_render
from tests.support.worker_process import start_media_worker, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def finished_segments(folder: Path) -> list[Path]:
    """Segments the engine finished (renamed from their temporary name; a sidecar beside each)."""
    return [path for path in folder.glob("*.mp4") if path.with_suffix(".json").exists()]


def test_a_killed_render_resumes_from_its_cache_and_ends_once(org, owner, settings, media, broker, tmp_path_factory):
    settings.VF_RENDER_SIZE = (W, H)
    settings.VF_RENDER_WORKDIR = str(tmp_path_factory.mktemp("render-cache"))  # beside MEDIA_ROOT, not in it
    on_plan(org)
    post = make_post_in(org)
    post.hook, post.script = "Warum dein Kaffee flach schmeckt", three_scene_script()
    post.save(update_fields=["hook", "script"])
    segments = workdir_of(post) / "segments"

    process = start_media_worker(
        VF_RENDER_WIDTH=W, VF_RENDER_HEIGHT=H, VF_RENDER_WORKDIR=settings.VF_RENDER_WORKDIR, MEDIA_ROOT=media
    )
    try:
        render = actions.do_request_render(post, actor=owner)  # autocommit: the job is sent at once
        # The title card and the first scene are encoded; the worker is busy with the rest.
        wait_until(lambda: len(finished_segments(segments)) >= 2, timeout=90.0, what="the first scene's segment")
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL

    # Killed mid-way: the render is still "rendering", no video file or asset exists, the post shows no video.
    killed = Render.objects.unscoped().get(id=render.id)
    assert killed.status == RenderStatus.RENDERING and killed.video_id is None and not killed.video_key
    assert not Asset.objects.for_org(org).filter(post=post, kind=AssetKind.RENDER).exists()
    assert not list(Path(media).rglob("*.mp4"))
    assert reload(post).video_state == VideoState.RENDERING
    done_before = {path.name for path in finished_segments(segments)}
    assert 2 <= len(done_before) < 4, done_before

    # Redis hands the killed worker's message out again after its heartbeat timeout; the test sends it now.
    produce_post.send(str(post.id), str(render.id))
    worker = dramatiq.Worker(broker, queues={"media"}, worker_threads=1, worker_timeout=50)
    worker.start()
    try:
        render = wait_for_render(render.id, RenderStatus.DONE, RenderStatus.FAILED)
    finally:
        worker.stop()

    assert render.status == RenderStatus.DONE, render.failure
    assert render.qa_passed, render.qa_report["failed"]
    # Resumed: the title card and the first scene came from the cache, only the rest was encoded now.
    assert 0 not in render.reencoded_scenes and render.reencoded_scenes
    assert set(render.segment_digests[:2]) <= {name.removesuffix(".mp4") for name in done_before}
    assert Render.objects.for_org(org).filter(post=post).count() == 1
    assert Asset.objects.for_org(org).filter(post=post, kind=AssetKind.RENDER).count() == 1
    assert render.video.file.storage.exists(render.video_key)
    assert reload(post).video_state == VideoState.READY
