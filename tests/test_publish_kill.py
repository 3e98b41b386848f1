"""Exactly once: a real worker process is SIGKILLed after init, mid-upload and while polling; a new
worker resumes from the publication's row and the sandbox ends with exactly one post."""

import pytest

from apps.sandbox.faults import clear_faults, set_faults
from apps.sandbox.tiktok import state
from apps.social.models import Publication, PublishState
from apps.social.publish.actions import do_save_composer
from apps.social.publish.tasks import run_tick
from tests.support.publish import choices, mp4, rendered_post, sandbox_account
from tests.support.worker_process import kill, start_worker, wait_until
from tests.tiktok_support import sandbox_services

sandbox = pytest.fixture(sandbox_services)
pytestmark = pytest.mark.django_db(transaction=True)


def row(publication) -> Publication:
    return Publication.objects.for_org(publication.organization_id).get(id=publication.id)


@pytest.fixture
def workers(tmp_path):
    """`workers()` starts a worker process; every one of them is killed after the test."""
    started = []

    def start():
        log = open(tmp_path / f"worker{len(started)}.log", "ab")  # noqa: SIM115 (closed below)
        started.append((start_worker(VF_PUBLISH_CHUNK_MB=5, log=log), log))
        return started[-1][0]

    yield start
    for process, log in started:
        kill(process)
        log.close()


def finish(publication, workers) -> Publication:
    """A fresh worker, a tick that re-queues what the dead one left: wait for the end."""
    clear_faults("tiktok")
    workers()
    # The dead worker's database session (and its advisory lock) ends once Postgres notices.
    wait_until(lambda: run_tick(quiet_seconds=0)["resumed"] == 1, timeout=30, what="the tick to resume it")
    return wait_until(lambda: row(publication).state in (PublishState.PUBLISHED, PublishState.FAILED)
                      and row(publication), timeout=90, what="the publication to finish")  # fmt: skip


def assert_one_post(publication) -> None:
    assert publication.state == PublishState.PUBLISHED, publication.failure
    completed = [p for p in state.all_publishes() if p.get("status") == "PUBLISH_COMPLETE"]
    assert len(completed) == 1
    assert completed[0]["publish_id"] == publication.publish_id
    assert state.counts()["video_init:200"] == 1


def start(org, owner, sandbox, video, workers) -> tuple:
    post = rendered_post(org, video=video)
    account = sandbox_account(org, sandbox, project=post.project)
    set_faults("tiktok", latency_ms=1500)  # every call takes long enough to be killed inside
    worker = workers()
    publication = do_save_composer(post, account, choices(), actor=owner, publish_now=True)
    return publication, worker


def test_killed_after_init(org, owner, sandbox, media, tmp_path, workers):
    state.configure(processing_seconds=0, moderation_seconds=0)
    publication, worker = start(org, owner, sandbox, mp4(tmp_path / "clip.mp4"), workers)
    wait_until(lambda: row(publication).publish_id, timeout=90, what="init")
    kill(worker)  # the chunk PUT is in flight (or not sent): the worker never learns
    assert row(publication).state == PublishState.INITIALIZED
    assert_one_post(finish(publication, workers))


def test_killed_mid_upload(org, owner, sandbox, media, tmp_path, workers):
    state.configure(processing_seconds=0, moderation_seconds=0)
    big = mp4(tmp_path / "big.mp4", seconds=2, big=True)  # over 10 MB: two or more 5 MB chunks
    publication, worker = start(org, owner, sandbox, big, workers)
    wait_until(lambda: row(publication).state == PublishState.UPLOADING, timeout=90, what="the first chunk")
    kill(worker)
    stopped = row(publication)
    assert 0 < stopped.uploaded_bytes < stopped.video_size
    done = finish(publication, workers)
    assert_one_post(done)
    assert done.uploaded_bytes == done.video_size and done.total_chunk_count >= 2


def test_killed_while_polling(org, owner, sandbox, media, tmp_path, workers):
    state.configure(processing_seconds=10**6, moderation_seconds=0)  # TikTok "processes" until we say so
    publication, worker = start(org, owner, sandbox, mp4(tmp_path / "clip.mp4"), workers)
    wait_until(lambda: row(publication).state == PublishState.PROCESSING, timeout=90, what="processing")
    kill(worker)
    state.configure(processing_seconds=0)
    assert_one_post(finish(publication, workers))
