"""Each gate before upload stops the publication with its reason and makes no call to TikTok
(the sandbox's counters stay empty); the creator_info gates stop before `init`."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import translation

from apps.core import clock
from apps.core.reasons import render
from apps.media import actions as media_actions
from apps.media.models import AssetKind, Render
from apps.media.usage import licence_today
from apps.posts.models import PostItem, PostStatus
from apps.sandbox.tiktok import state
from apps.social.models import AccountStatus, OAuthToken, Publication, PublishState
from apps.social.publish import pipeline
from apps.social.publish.actions import do_save_composer
from tests.support.publish import choices, mp4, rendered_post, sandbox_account
from tests.tiktok_support import BANNED, sandbox_services

pytest_plugins = ["tests.media_fixtures"]
sandbox = pytest.fixture(sandbox_services)
PUBLISHING = ("creator_info", "video_init", "inbox_init", "upload", "status_fetch", "cancel")


@pytest.fixture
def clip(tmp_path_factory):
    return mp4(tmp_path_factory.mktemp("gates") / "clip.mp4")


@pytest.fixture
def ready(org, owner, sandbox, clip, media):
    """A publication that would go out (every gate open), queued by the owner."""
    post = rendered_post(org, video=clip)
    account = sandbox_account(org, sandbox, project=post.project)
    return do_save_composer(post, account, choices(), actor=owner, publish_now=True)


def publishing_calls() -> dict:
    return {name: n for name, n in state.counts().items() if name.split(":")[0] in PUBLISHING}


def blocked(publication, code: str, **params) -> str:
    """Run the pipeline; it must stop BLOCKED with `code` and no publishing call; → the German text."""
    before = publishing_calls()  # connecting the account asked creator_info once
    assert pipeline.run(publication.id) == PublishState.BLOCKED
    publication = Publication.objects.for_org(publication.organization_id).get(id=publication.id)
    assert publication.failure["code"] == code, publication.failure
    for name, value in params.items():
        assert publication.failure["params"][name] == value
    assert code in [g["code"] for g in publication.last_status["gates"]]
    assert publishing_calls() == before
    assert not publication.publish_id
    with translation.override("de"):
        return render(publication.failure)


def test_all_gates_open_publishes(ready):
    state.configure(processing_seconds=0, moderation_seconds=0)
    outcome = pipeline.run(ready.id)
    ready.refresh_from_db()
    assert outcome == PublishState.PUBLISHED, ready.failure
    assert state.counts()["video_init:200"] == 1


def test_policy_hard_block(ready):
    call_command("ensure_defaults", verbosity=0)  # the default rule set (a transactional test before may flush it)
    PostItem.objects.for_org(ready.organization_id).filter(id=ready.post_id).update(
        caption="Unser Kurkuma-Tee heilt Krebs – ganz ohne Chemo!")  # fmt: skip
    assert "heilt Krebs" in blocked(ready, "publish.gate.policy")


def test_not_approved(ready):
    PostItem.objects.for_org(ready.organization_id).filter(id=ready.post_id).update(status=PostStatus.NEEDS_APPROVAL)
    assert "nicht freigegeben" in blocked(ready, "publish.gate.not_approved")


def test_no_rendered_video(ready):
    Render.objects.for_org(ready.organization_id).filter(post_id=ready.post_id).delete()
    blocked(ready, "publish.gate.no_video")


def test_video_failed_its_qa(ready):
    Render.objects.for_org(ready.organization_id).filter(post_id=ready.post_id).update(qa_passed=False)
    blocked(ready, "publish.gate.qa_failed")


def test_expired_asset_licence(ready, samples, org):
    asset = media_actions.do_add_asset_file(org, samples["png"], filename="sunrise.png", kind=AssetKind.IMAGE)
    media_actions.do_update_asset(asset, name=asset.name, project=asset.project, tags=asset.tags,
                                  licence_type="stock", licensed_until=licence_today() - timedelta(days=1))  # fmt: skip
    media_actions.record_render_assets(ready.post, [asset])
    blocked(ready, "publish.gate.media")


def test_account_needs_reconnect(ready):
    ready.account.status = AccountStatus.NEEDS_RECONNECT
    ready.account.save(update_fields=["status"])
    blocked(ready, "publish.gate.account")


def test_account_without_the_posting_scope(ready):
    ready.account.scopes = ["user.info.basic"]
    ready.account.save(update_fields=["scopes"])
    blocked(ready, "publish.gate.scopes", scopes="video.publish")


def test_expired_sign_in(ready):
    OAuthToken.objects.for_org(ready.organization_id).filter(account=ready.account).update(
        refresh_expires_at=clock.now() - timedelta(minutes=1))  # fmt: skip
    blocked(ready, "publish.gate.token")


def test_title_over_2200_utf16_units(ready):
    Publication.objects.for_org(ready.organization_id).filter(id=ready.id).update(title="☕" + "🎬" * 1100)
    blocked(ready, "publish.gate.caption", length=2201, limit=2200)  # an emoji is two UTF-16 units


def test_video_longer_than_the_creator_may_post(ready):
    Render.objects.for_org(ready.organization_id).filter(post_id=ready.post_id).update(duration_s=601)
    blocked(ready, "publish.gate.duration", limit=600)


def test_creator_daily_cap(ready, settings):
    settings.VF_TIKTOK_DAILY_POST_CAP = 1
    other = rendered_post(ready.organization, video=ready.post.renders.first() and _clip(ready), slot=2)
    Publication.objects.create(
        organization_id=ready.organization_id, project=ready.project, post=other, account=ready.account,
        mode="direct", state=PublishState.PUBLISHED, scheduled_for=clock.now(), started_at=clock.now(), inits=1,
    )  # fmt: skip
    blocked(ready, "publish.gate.daily_cap", limit=1)


def _clip(publication):
    from pathlib import Path

    from django.conf import settings

    return Path(settings.MEDIA_ROOT) / Render.objects.for_org(publication.organization_id).get(
        post_id=publication.post_id).video_key  # fmt: skip


def test_no_consent(ready):
    Publication.objects.for_org(ready.organization_id).filter(id=ready.id).update(consent_at=None)
    blocked(ready, "publish.gate.no_consent")


def test_banned_creator_stops_after_creator_info_before_init(org, owner, sandbox, clip, media):
    post = rendered_post(org, video=clip)
    account = sandbox_account(org, sandbox, creator=BANNED, project=post.project)
    publication = do_save_composer(post, account, choices(), actor=owner, publish_now=True)
    assert pipeline.run(publication.id) == PublishState.BLOCKED
    publication.refresh_from_db()
    assert publication.failure["code"] == "publish.gate.creator_blocked"
    assert publication.failure["params"]["error"] == "spam_risk_user_banned_from_posting"
    assert state.counts().get("creator_info") == 2 and "video_init" not in state.counts()  # connect + gate
