"""Kill the worker (SIGKILL) while a Veo operation is pending: the clip resumes and polls the same operation."""

import os
import signal

import dramatiq
import pytest

from apps.billing.models import UsageKind, UsageLedger
from apps.media.clips.actions import do_request_scene_clips, do_save_video_settings
from apps.media.clips.models import ClipStatus, GeneratedClip
from apps.media.clips.tasks import resume_stalled_clips, start_clip_steps
from apps.sandbox import clipgen
from apps.sandbox.models import SandboxCall
from tests.support.clips import add_keys, make_clip_post, point_at_sandbox, wait_for_clips
from tests.support.posts import make_project
from tests.support.worker_process import start_media_worker, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_killed_worker_resumes_the_same_veo_operation(org, settings, live_server, media, broker):
    point_at_sandbox(settings, live_server, processing_seconds=600)  # pending until the test says so
    settings.VF_CLIP_TIMEOUT_SECONDS = 1
    add_keys(org)
    project = make_project(org)
    do_save_video_settings(project, default_source="veo", veo_model="veo-3.1-fast-generate-preview",
                           kling_model="kling-v1-6", kling_mode="std")  # fmt: skip
    post = make_clip_post(org, "Steam rising from a fresh espresso", project=project)

    process = start_media_worker(
        VF_VEO_BASE_URL=settings.VF_VEO_BASE_URL, VF_CLIP_POLL_SECONDS="0.1",
        VF_CLIP_POLL_MAX_SECONDS="0.2", VF_CLIP_TIMEOUT_SECONDS="1", MEDIA_ROOT=media,
    )  # fmt: skip
    try:
        requested = do_request_scene_clips(post)  # autocommit: the first step is sent at once
        start_clip_steps(requested.new)
        [clip_id] = requested.new
        polls = SandboxCall.objects.filter(service="veo", method="GET")

        def polling_between_steps():
            clip = GeneratedClip.objects.unscoped().get(id=clip_id)
            return clip.operation and clip.lease_until is None and polls.count() >= 3

        wait_until(polling_between_steps, timeout=30.0, what="the worker to poll the pending operation")
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL

    clip = GeneratedClip.objects.unscoped().get(id=clip_id)
    operation = clip.operation
    assert (clip.status, clip.creates, clipgen.creates("veo")) == (ClipStatus.RUNNING, 1, 1)
    polled_before = polls.count()

    # The provider finishes meanwhile; a new worker takes over. The killed worker's message is gone
    # with it (Redis hands it out again only after the broker's heartbeat timeout): the periodic
    # sweeper finds the overdue clip and sends its next step.
    clipgen.configure("veo", processing_seconds=0)
    worker = dramatiq.Worker(broker, queues={"media", "default"}, worker_threads=1, worker_timeout=50)
    worker.start()
    try:
        wait_until(lambda: resume_stalled_clips() >= 0 and GeneratedClip.objects.unscoped().get(id=clip_id).finished,
              timeout=30.0, what="the resumed clip")  # fmt: skip
        [clip] = wait_for_clips([clip_id])
    finally:
        worker.stop()

    assert clip.status == ClipStatus.DONE and clip.operation == operation
    assert clipgen.creates("veo") == 1 and clip.creates == 1
    assert SandboxCall.objects.filter(service="veo", method="POST").count() == 1
    after = polls.exclude(path__contains="/files/")
    assert after.count() > polled_before  # polled again after the kill, and only ever this operation
    assert {call.path for call in after} == {f"/sandbox/veo/v1beta/{operation}"}
    assert [e.quantity for e in UsageLedger.objects.for_org(org).filter(kind=UsageKind.VIDEO_SECONDS)] == [4]
