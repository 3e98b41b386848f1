"""The publishing pipeline against the sandbox TikTok over real HTTP: direct and inbox, chunked
uploads, transient faults, TikTok's retryable failure, exactly one post each time."""

import pytest

from apps.sandbox.faults import set_faults
from apps.sandbox.tiktok import state
from apps.social.models import PublishEvent, PublishMode, PublishSettings, PublishState
from apps.social.publish import pipeline
from apps.social.publish.actions import do_save_composer
from tests.support.publish import choices, mp4, rendered_post, sandbox_account
from tests.tiktok_support import PRIVATE, sandbox_services

sandbox = pytest.fixture(sandbox_services)


@pytest.fixture
def clip(tmp_path_factory):
    return mp4(tmp_path_factory.mktemp("publish") / "clip.mp4")


@pytest.fixture
def fast(sandbox):
    state.configure(processing_seconds=0, moderation_seconds=0)
    return sandbox


def published_posts() -> list[dict]:
    """What the sandbox made of our publishes: one entry per publish that completed."""
    return [p for p in state.all_publishes() if p.get("status") in ("PUBLISH_COMPLETE", "SEND_TO_USER_INBOX")]


def test_direct_post_goes_out_once_with_its_link(org, owner, fast, clip, media):
    post = rendered_post(org, video=clip)
    account = sandbox_account(org, fast, project=post.project)
    publication = do_save_composer(post, account, choices(allow_comment=True), actor=owner, publish_now=True)
    assert publication.state == PublishState.QUEUED
    assert pipeline.run(publication.id) == PublishState.PUBLISHED
    publication.refresh_from_db()
    assert publication.publish_id.startswith("v_pub_file~")
    assert publication.tiktok_post_id and publication.link.endswith(f"/video/{publication.tiktok_post_id}")
    assert publication.link.startswith("https://www.tiktok.com/@")
    assert publication.uploaded_bytes == publication.video_size == clip.stat().st_size
    counts = state.counts()
    assert counts["video_init:200"] == 1 and counts["upload:201"] == 1
    [record] = published_posts()
    assert record["post_info"]["disable_comment"] is False and record["post_info"]["disable_duet"] is True
    assert record["post_info"]["is_aigc"] is True  # the render has a synthetic voice
    assert record["total_chunk_count"] == 1 and record["chunk_size"] == clip.stat().st_size
    kinds = list(PublishEvent.objects.for_org(org).filter(publication=publication).values_list("kind", flat=True))
    assert kinds[0] == "consent" and "initialized" in kinds and kinds[-1] == PublishState.PUBLISHED
    # A second run (a redelivered message) changes nothing and calls nobody.
    assert pipeline.run(publication.id) == PublishState.PUBLISHED
    assert state.counts()["video_init"] == 1


def test_inbox_mode_sends_a_draft(org, owner, fast, clip, media):
    post = rendered_post(org, video=clip)
    PublishSettings.objects.create(organization=org, project=post.project, mode=PublishMode.INBOX)
    account = sandbox_account(org, fast, creator=PRIVATE, project=post.project)
    publication = do_save_composer(post, account, choices(privacy_level=""), actor=owner, publish_now=True)
    assert pipeline.run(publication.id) == PublishState.IN_INBOX
    assert state.counts()["inbox_init:200"] == 1 and "video_init" not in state.counts()
    publication.refresh_from_db()
    assert publication.publish_id.startswith("v_inbox_file~") and not publication.link


def test_a_file_over_10_mb_goes_in_chunks_by_the_rules(org, owner, fast, media, tmp_path):
    big = mp4(tmp_path / "big.mp4", seconds=2, big=True)
    size = big.stat().st_size
    assert size >= 10 * 1024 * 1024, size
    post = rendered_post(org, video=big, duration_s=2)
    account = sandbox_account(org, fast, project=post.project)
    publication = do_save_composer(post, account, choices(), actor=owner, publish_now=True)
    assert pipeline.run(publication.id) == PublishState.PUBLISHED
    [record] = published_posts()
    chunk = 10 * 1024 * 1024
    assert (record["video_size"], record["chunk_size"], record["total_chunk_count"]) == (size, chunk, size // chunk)
    counts = state.counts()
    assert counts["upload:201"] == 1 and counts.get("upload:206", 0) == size // chunk - 1


def test_transient_faults_are_retried_and_still_one_post(org, owner, fast, clip, media):
    post = rendered_post(org, video=clip)
    account = sandbox_account(org, fast, project=post.project)
    publication = do_save_composer(post, account, choices(), actor=owner, publish_now=True)
    set_faults("tiktok", rates={"429": 0.2, "500": 0.2}, retry_after=0, seed=11)
    assert pipeline.run(publication.id) == PublishState.PUBLISHED
    counts = state.counts()
    assert (
        counts.get("video_init:429", 0)
        + counts.get("video_init:500", 0)
        + counts.get("status_fetch:500", 0)
        + counts.get("status_fetch:429", 0)
        + counts.get("creator_info:429", 0)
        + counts.get("creator_info:500", 0)
        > 0
    )
    assert counts["video_init:200"] == 1
    assert len(published_posts()) == 1


def test_tiktoks_internal_failure_starts_new_publishes_up_to_the_limit(org, owner, fast, clip, media, settings):
    settings.VF_PUBLISH_MAX_ATTEMPTS = 2
    post = rendered_post(org, video=clip)
    account = sandbox_account(org, fast, project=post.project)
    publication = do_save_composer(post, account, choices(), actor=owner, publish_now=True)
    set_faults("tiktok", rates={"internal": 1})  # every publish ends FAILED "internal" (retryable)
    assert pipeline.run(publication.id) == PublishState.FAILED
    publication.refresh_from_db()
    assert publication.inits == 2 and publication.failure["code"] == "publish.gave_up"
    assert not published_posts()
    # Each new init came only after TikTok had reported the earlier publish FAILED.
    assert [p["status"] for p in state.all_publishes()] == ["FAILED", "FAILED"]


def test_a_token_refresh_that_fails_transiently_is_retried_not_failed(org, owner, fast, clip, media):
    from apps.core import clock
    from apps.sandbox.faults import clear_faults
    from apps.social.models import OAuthToken

    post = rendered_post(org, video=clip)
    account = sandbox_account(org, fast, project=post.project)
    publication = do_save_composer(post, account, choices(), actor=owner, publish_now=True)
    OAuthToken.objects.for_org(org).filter(account=account).update(access_expires_at=clock.now())  # refresh first
    asked = state.counts()["creator_info"]  # at the connection
    set_faults("tiktok", rates={"temporarily_unavailable": 1})  # the token endpoint is down for now
    with pytest.raises(pipeline.Transient):
        pipeline.run(publication.id)  # the job retries later; the post has not failed
    publication.refresh_from_db()
    assert publication.state == PublishState.QUEUED and not publication.failure
    assert state.counts()["token_refresh:503"] == pipeline.CALL_TRIES and state.counts()["creator_info"] == asked
    clear_faults("tiktok")
    assert pipeline.run(publication.id) == PublishState.PUBLISHED
    assert state.counts()["token_refresh:200"] == 1 and len(published_posts()) == 1
