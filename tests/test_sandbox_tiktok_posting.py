"""Contract tests of the sandbox TikTok's Content Posting and Display API: chunk rules, status
progression on the core clock, webhooks, rate limits, caps, unaudited mode, faults, counters."""

import hashlib
import hmac
import json
from datetime import timedelta

import httpx
import pytest

from apps.core import clock
from apps.sandbox.faults import clear_faults, set_faults
from apps.sandbox.tiktok import publishing, state
from apps.sandbox.tiktok.views import check_chunk
from apps.social.tiktok.chunks import MB, ChunkRuleError, check_plan, chunk_plan
from apps.social.tiktok.client import TikTokAPIError
from tests.tiktok_support import (
    BANNED,
    CAPPED,
    CLIENT_SECRET,
    PRIVATE,
    PUBLIC,
    UNAUDITED_KEY,
    UNAUDITED_SECRET,
    api_client,
    sandbox_services,
    tokens_for,
)

sandbox = pytest.fixture(sandbox_services)

PUBLIC_POST = {"privacy_level": "PUBLIC_TO_EVERYONE", "title": "Espresso #kaffee", "disable_comment": False}
PRIVATE_POST = {"privacy_level": "SELF_ONLY", "title": "Nur für mich"}


@pytest.fixture
def fast():
    """Short processing and moderation so a test walks the whole lifecycle on a frozen clock."""
    state.configure(processing_seconds=10, moderation_seconds=60, download_seconds=4)
    with clock.freeze():
        yield


def upload_file(client, upload_url: str, size: int, chunk_size: int | None = None) -> list[int]:
    plan = chunk_plan(size, chunk_size) if chunk_size else chunk_plan(size)
    statuses = []
    for first, last in plan.ranges:
        statuses.append(client.upload_chunk(upload_url, b"\0" * (last - first + 1), first=first, total=size))
    return statuses


# --- chunk arithmetic ---------------------------------------------------------------------------


def test_a_file_under_5_mb_is_one_chunk():
    size = int(4.9 * MB)
    plan = chunk_plan(size)
    assert (plan.chunk_size, plan.total_chunk_count, plan.ranges) == (size, 1, [(0, size - 1)])
    with pytest.raises(ChunkRuleError):
        check_plan(size, 1 * MB, 4)


def test_135_mb_in_10_mb_chunks_is_13_chunks_the_last_15_mb():
    size = 135 * MB
    plan = chunk_plan(size, 10 * MB)
    assert plan.total_chunk_count == 13
    first, last = plan.ranges[-1]
    assert (first, last) == (120 * MB, size - 1) and last - first + 1 == 15 * MB
    assert all(b - a + 1 == 10 * MB for a, b in plan.ranges[:-1])
    assert plan.source_info() == {
        "source": "FILE_UPLOAD", "video_size": size, "chunk_size": 10 * MB, "total_chunk_count": 13,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("size", "chunk", "count"),
    [
        (135 * MB, 10 * MB, 14),  # not floor(size / chunk)
        (135 * MB, 4 * MB, 33),  # chunks below 5 MB
        (200 * MB, 65 * MB, 3),  # chunks above 64 MB
        (130 * MB, 130 * MB, 1),  # one chunk may not exceed 128 MB
        (5 * 1024 * MB, 64 * MB, 80),  # over 4 GB
    ],
)
def test_chunk_rules_refuse_bad_numbers(size, chunk, count):
    with pytest.raises(ChunkRuleError):
        check_plan(size, chunk, count)


def test_the_last_chunk_takes_the_remainder_up_to_128_mb():
    plan = check_plan(300 * MB, 64 * MB, 4)
    assert plan.range_of(3) == (192 * MB, 300 * MB - 1)  # 108 MB
    assert check_plan(100 * MB, 100 * MB, 1).ranges == [(0, 100 * MB - 1)]


def test_put_rules_for_a_135_mb_upload_without_135_mb():
    record = {"video_size": 135 * MB, "chunk_size": 10 * MB, "total_chunk_count": 13, "received_bytes": 0}
    first_chunk = f"bytes 0-{10 * MB - 1}/{135 * MB}"
    assert check_chunk(record, "video/mp4", first_chunk, str(10 * MB)) == (0, "")
    assert check_chunk(record, "video/mp4", f"bytes {10 * MB}-{20 * MB - 1}/{135 * MB}", str(10 * MB))[0] == 416
    assert check_chunk(record, "video/avi", first_chunk, str(10 * MB))[0] == 400
    assert check_chunk(record, "video/mp4", "bytes 0-99/100", "100")[0] == 400  # TOTAL is not video_size
    assert check_chunk(record, "video/mp4", f"bytes 0-{5 * MB - 1}/{135 * MB}", str(5 * MB))[0] == 400  # short chunk
    assert check_chunk(record, "video/mp4", first_chunk, "12")[0] == 400  # Content-Length
    record["received_bytes"] = 120 * MB  # twelve chunks in: the last takes the 15 MB remainder
    last = f"bytes {120 * MB}-{135 * MB - 1}/{135 * MB}"
    assert check_chunk(record, "video/quicktime", last, str(15 * MB)) == (0, "")
    assert check_chunk(record, "video/mp4", f"bytes {120 * MB}-{130 * MB - 1}/{135 * MB}", str(10 * MB))[0] == 400


# --- uploads over HTTP --------------------------------------------------------------------------


def test_direct_post_of_4_9_mb_is_one_put_then_201(sandbox, fast):
    tokens = tokens_for(sandbox)
    size = int(4.9 * MB)
    with api_client(sandbox) as client:
        data = client.init_direct_post(tokens.access_token, PUBLIC_POST, chunk_plan(size).source_info())
        assert data["publish_id"].startswith("v_pub_file~v2-1.") and len(data["publish_id"]) <= 64
        assert client.fetch_status(tokens.access_token, data["publish_id"])["status"] == "PROCESSING_UPLOAD"
        assert upload_file(client, data["upload_url"], size) == [201]
    assert state.counts()["upload:201"] == 1


def test_multi_chunk_upload_206_then_201_and_the_rules(sandbox, fast):
    tokens = tokens_for(sandbox)
    size = 12 * MB  # 5 MB chunks: two chunks, the last one 7 MB
    with api_client(sandbox) as client:
        source = check_plan(size, 5 * MB, 2).source_info()
        url = client.init_direct_post(tokens.access_token, PUBLIC_POST, source)["upload_url"]
        put = lambda body, rng, ctype="video/mp4": httpx.put(  # noqa: E731
            url, content=body, headers={"Content-Type": ctype, "Content-Range": rng}
        )
        assert put(b"\0" * 10, f"bytes {5 * MB}-{5 * MB + 9}/{size}").status_code == 416  # out of order
        assert put(b"\0" * 10, f"bytes 0-9/{size}").status_code == 400  # a chunk must be 5 MB
        assert put(b"\0" * 10, "0-9").status_code == 400
        assert put(b"\0" * (5 * MB), f"bytes 0-{5 * MB - 1}/{size}", "text/plain").status_code == 400
        assert put(b"\0" * (5 * MB), f"bytes 0-{5 * MB - 1}/{size}").status_code == 206
        assert put(b"\0" * (5 * MB), f"bytes 0-{5 * MB - 1}/{size}").status_code == 416  # sent twice
        assert put(b"\0" * (7 * MB), f"bytes {5 * MB}-{size - 1}/{size}").status_code == 201
        assert put(b"\0" * 10, f"bytes 0-9/{size}").status_code == 416  # nothing more expected
    assert httpx.put(url.replace("/upload/", "/upload/x"), content=b"1").status_code == 404


def test_upload_faults_expired_url_and_5xx(sandbox, fast):
    tokens = tokens_for(sandbox)
    size = 1 * MB
    headers = {"Content-Type": "video/mp4", "Content-Range": f"bytes 0-{size - 1}/{size}"}
    with api_client(sandbox) as client:
        source = chunk_plan(size).source_info()
        set_faults("tiktok", rates={"upload_url_expired": 1})
        dead = client.init_direct_post(tokens.access_token, PUBLIC_POST, source)["upload_url"]
        set_faults("tiktok", rates={"503": 1})
        with pytest.raises(TikTokAPIError) as unavailable:
            client.init_direct_post(tokens.access_token, PUBLIC_POST, source)
        assert (unavailable.value.code, unavailable.value.status) == ("internal_error", 503)
        clear_faults("tiktok")
        assert httpx.put(dead, content=b"\0" * size, headers=headers).status_code == 403  # dead on arrival
        url = client.init_direct_post(tokens.access_token, PUBLIC_POST, source)["upload_url"]
        headers = {"Content-Type": "video/mp4", "Content-Range": f"bytes 0-{size - 1}/{size}", "X-Sandbox-Fault": "500"}
        assert httpx.put(url, content=b"\0" * size, headers=headers).status_code == 500
        headers["X-Sandbox-Fault"] = "upload_url_expired"
        assert httpx.put(url, content=b"\0" * size, headers=headers).status_code == 403
        assert upload_file(client, url, size) == [201]  # retrying the chunk works
    # An hour later the upload URL is dead.
    with api_client(sandbox) as client:
        url = client.init_inbox(tokens.access_token, chunk_plan(size).source_info())["upload_url"]
        clock.advance(timedelta(hours=1, seconds=1))
        with pytest.raises(TikTokAPIError) as expired:
            upload_file(client, url, size)
    assert expired.value.status == 403


# --- status progression and webhooks ----------------------------------------------------------------


def test_public_post_completes_then_gets_a_post_id_after_moderation(sandbox, fast):
    state.configure(webhook_url=f"{sandbox}/social/tiktok/webhook/")
    tokens = tokens_for(sandbox)
    with api_client(sandbox) as client:
        data = client.init_direct_post(tokens.access_token, PUBLIC_POST, chunk_plan(MB).source_info())
        status = lambda: client.fetch_status(tokens.access_token, data["publish_id"])  # noqa: E731
        assert status() == {"status": "PROCESSING_UPLOAD", "uploaded_bytes": 0}
        upload_file(client, data["upload_url"], MB)
        assert status()["status"] == "PROCESSING_UPLOAD" and status()["uploaded_bytes"] == MB
        clock.advance(10)
        done = status()
        assert done["status"] == "PUBLISH_COMPLETE" and "publicaly_available_post_id" not in done
        clock.advance(59)
        assert "publicaly_available_post_id" not in status()
        clock.advance(1)
        (post_id,) = status()["publicaly_available_post_id"]
        assert isinstance(post_id, int)
        videos = client.video_list(tokens.access_token)["videos"]
        assert str(post_id) in [v["id"] for v in videos]
    events = [json.loads(w["body"])["event"] for w in state.sent_webhooks()]
    assert events == ["post.publish.complete", "post.publish.publicly_available"]
    assert all(w["status"] == 200 for w in state.sent_webhooks())  # our receiver accepted them
    # A SELF_ONLY post never gets one.
    with api_client(sandbox) as client:
        data = client.init_direct_post(tokens.access_token, PRIVATE_POST, chunk_plan(MB).source_info())
        upload_file(client, data["upload_url"], MB)
        clock.advance(timedelta(hours=23))
        final = client.fetch_status(tokens.access_token, data["publish_id"])
    assert final["status"] == "PUBLISH_COMPLETE" and "publicaly_available_post_id" not in final


def test_inbox_upload_lands_in_the_inbox_and_pull_from_url_downloads(sandbox, fast):
    tokens = tokens_for(sandbox)
    with api_client(sandbox) as client:
        data = client.init_inbox(tokens.access_token, {"source": "PULL_FROM_URL",
                                 "video_url": "https://media.viralforge.test/v/1.mp4"})  # fmt: skip
        assert data["publish_id"].startswith("v_inbox_url~") and "upload_url" not in data
        first = client.fetch_status(tokens.access_token, data["publish_id"])
        assert first["status"] == "PROCESSING_DOWNLOAD" and first["downloaded_bytes"] == 0
        clock.advance(2)
        assert client.fetch_status(tokens.access_token, data["publish_id"])["downloaded_bytes"] > 0
        clock.advance(12)
        assert client.fetch_status(tokens.access_token, data["publish_id"])["status"] == "SEND_TO_USER_INBOX"
        with pytest.raises(TikTokAPIError) as unverified:
            client.init_inbox(tokens.access_token, {"source": "PULL_FROM_URL", "video_url": "https://cdn.other.example/a.mp4"})
        assert (unverified.value.code, unverified.value.status) == ("url_ownership_unverified", 403)
        with pytest.raises(TikTokAPIError) as not_https:
            client.init_inbox(tokens.access_token, {"source": "PULL_FROM_URL", "video_url": "http://media.viralforge.test/a.mp4"})
        assert not_https.value.code == "invalid_param"
        # A direct post from a URL: downloaded, processed, published.
        source = {"source": "PULL_FROM_URL", "video_url": "https://media.viralforge.test/v/2.mp4"}
        direct = client.init_direct_post(tokens.access_token, PRIVATE_POST, source)
        assert direct["publish_id"].startswith("v_pub_url~") and "upload_url" not in direct
        clock.advance(14)
        assert client.fetch_status(tokens.access_token, direct["publish_id"])["status"] == "PUBLISH_COMPLETE"


def test_failed_with_fail_reason(sandbox, fast):
    state.configure(webhook_url=f"{sandbox}/social/tiktok/webhook/")
    tokens = tokens_for(sandbox)
    with api_client(sandbox) as client:
        for reason in ("internal", "duration_check_failed"):
            set_faults("tiktok", rates={reason: 1})
            data = client.init_direct_post(tokens.access_token, PUBLIC_POST, chunk_plan(MB).source_info())
            clear_faults("tiktok")
            upload_file(client, data["upload_url"], MB)
            clock.advance(10)
            final = client.fetch_status(tokens.access_token, data["publish_id"])
            assert final["status"] == "FAILED" and final["fail_reason"] == reason
    reasons = [json.loads(json.loads(w["body"])["content"])["reason"] for w in state.sent_webhooks()]
    assert reasons == ["internal", "duration_check_failed"]


def test_cancel(sandbox, fast):
    tokens = tokens_for(sandbox)
    with api_client(sandbox) as client:
        data = client.init_direct_post(tokens.access_token, PUBLIC_POST, chunk_plan(MB).source_info())
        client.cancel(tokens.access_token, data["publish_id"])
        final = client.fetch_status(tokens.access_token, data["publish_id"])
        assert (final["status"], final["fail_reason"]) == ("FAILED", "publish_cancelled")
        with pytest.raises(TikTokAPIError) as again:
            client.cancel(tokens.access_token, data["publish_id"])
        assert again.value.code == "invalid_param"
        other = tokens_for(sandbox, PRIVATE)
        with pytest.raises(TikTokAPIError) as not_yours:
            client.fetch_status(other.access_token, data["publish_id"])
        assert not_yours.value.code == "invalid_param"


def test_webhook_signature_is_hmac_of_timestamp_and_body_with_the_client_secret(sandbox, fast):
    tokens = tokens_for(sandbox)
    with api_client(sandbox) as client:
        data = client.init_direct_post(tokens.access_token, PRIVATE_POST, chunk_plan(MB).source_info())
        upload_file(client, data["upload_url"], MB)
    clock.advance(10)
    publishing.advance_all()  # no one polls: the sandbox still sends the webhook
    (webhook,) = state.sent_webhooks()
    parts = dict(p.split("=", 1) for p in webhook["signature"].split(","))
    expected = hmac.new(CLIENT_SECRET.encode(), f"{parts['t']}.{webhook['body']}".encode(), hashlib.sha256)
    assert hmac.compare_digest(parts["s"], expected.hexdigest())
    assert int(parts["t"]) == int(clock.timestamp())
    body = json.loads(webhook["body"])
    assert body["event"] == "post.publish.complete" and body["user_openid"] == PUBLIC
    assert json.loads(body["content"])["publish_id"] == data["publish_id"]


# --- creator info, limits, caps, unaudited mode ------------------------------------------------------


def test_creator_info_options_and_posting_refusals(sandbox):
    with api_client(sandbox) as client:
        public = client.creator_info(tokens_for(sandbox, PUBLIC).access_token)
        private = client.creator_info(tokens_for(sandbox, PRIVATE).access_token)
    assert public["privacy_level_options"] == ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]
    assert private["privacy_level_options"] == ["FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]
    assert (public["max_video_post_duration_sec"], public["stitch_disabled"]) == (600, True)
    assert (private["comment_disabled"], private["duet_disabled"], private["creator_nickname"]) == (
        True, True, "Quiet Brewer",
    )  # fmt: skip
    assert httpx.get(public["creator_avatar_url"]).headers["content-type"] == "image/svg+xml"
    tokens = tokens_for(sandbox, PRIVATE)
    with api_client(sandbox) as client, pytest.raises(TikTokAPIError) as mismatch:
        client.init_direct_post(tokens.access_token, PUBLIC_POST, chunk_plan(MB).source_info())
    assert (mismatch.value.code, mismatch.value.status) == ("privacy_level_option_mismatch", 403)
    tokens = tokens_for(sandbox, BANNED)
    with api_client(sandbox) as client, pytest.raises(TikTokAPIError) as banned:
        client.init_direct_post(tokens.access_token, PUBLIC_POST, chunk_plan(MB).source_info())
    assert (banned.value.code, banned.value.status) == ("spam_risk_user_banned_from_posting", 403)


def test_invalid_post_info_is_invalid_param(sandbox):
    tokens = tokens_for(sandbox)
    cases = [
        {"title": "no privacy"},
        {"privacy_level": "SELF_ONLY", "title": "x" * 2201},
        {"privacy_level": "SELF_ONLY", "title": "😀" * 1101},  # 2202 UTF-16 code units
        {"privacy_level": "SELF_ONLY", "brand_content_toggle": True},
        {"privacy_level": "SELF_ONLY", "is_aigc": "yes"},
    ]
    with api_client(sandbox) as client:
        for post_info in cases:
            with pytest.raises(TikTokAPIError) as bad:
                client.init_direct_post(tokens.access_token, post_info, chunk_plan(MB).source_info())
            assert (bad.value.code, bad.value.status) == ("invalid_param", 400), post_info
        ok = {"privacy_level": "SELF_ONLY", "title": "😀" * 1100, "is_aigc": True}  # 2200 units: fits
        assert client.init_direct_post(tokens.access_token, ok, chunk_plan(MB).source_info())["publish_id"]


def test_daily_cap_per_creator(sandbox):
    state.configure(access_expires_in=3 * 86400)
    tokens = tokens_for(sandbox, CAPPED)  # cap of 2 a day
    with api_client(sandbox) as client:
        for _ in range(2):
            client.init_direct_post(tokens.access_token, PUBLIC_POST, chunk_plan(MB).source_info())
        with pytest.raises(TikTokAPIError) as capped:
            client.init_direct_post(tokens.access_token, PUBLIC_POST, chunk_plan(MB).source_info())
        assert (capped.value.code, capped.value.status) == ("spam_risk_too_many_posts", 403)
        # creator_info says so with HTTP 200
        with pytest.raises(TikTokAPIError) as info:
            client.creator_info(tokens.access_token)
        assert (info.value.code, info.value.status) == ("spam_risk_too_many_posts", 200)
        clock.advance(timedelta(days=1))
        clock.advance(timedelta(minutes=1))
        assert client.creator_info(tokens.access_token)["creator_username"] == "busy.poster"


def test_unaudited_client_posts_self_only_to_private_accounts_only(sandbox):
    public = tokens_for(sandbox, PUBLIC, client_key=UNAUDITED_KEY, client_secret=UNAUDITED_SECRET)
    private = tokens_for(sandbox, PRIVATE, client_key=UNAUDITED_KEY, client_secret=UNAUDITED_SECRET)
    source = chunk_plan(MB).source_info()
    with api_client(sandbox, UNAUDITED_KEY, UNAUDITED_SECRET) as client:
        followers_only = {"privacy_level": "FOLLOWER_OF_CREATOR"}
        for token, post in ((public.access_token, PRIVATE_POST), (private.access_token, followers_only)):
            with pytest.raises(TikTokAPIError) as refused:
                client.init_direct_post(token, post, source)
            assert (refused.value.code, refused.value.status) == (
                "unaudited_client_can_only_post_to_private_accounts", 403,
            )  # fmt: skip
        assert client.init_direct_post(private.access_token, PRIVATE_POST, source)["publish_id"]
        # At most 5 posting creators a day: four more private creators post, the sixth is refused.
        for n in range(2, 6):
            creator = f"sbx-open-private-{n}"
            other = tokens_for(sandbox, creator, client_key=UNAUDITED_KEY, client_secret=UNAUDITED_SECRET)
            assert client.init_direct_post(other.access_token, PRIVATE_POST, source)["publish_id"]
        # (the public creator's refused attempt above did not count as posting)
        assert client.init_direct_post(private.access_token, PRIVATE_POST, source)  # already active: fine
    sixth = tokens_for(sandbox, PUBLIC, client_key=UNAUDITED_KEY, client_secret=UNAUDITED_SECRET)
    with api_client(sandbox, UNAUDITED_KEY, UNAUDITED_SECRET) as client:
        with pytest.raises(TikTokAPIError) as capped:
            client.creator_info(sixth.access_token)
        assert (capped.value.code, capped.value.status) == ("reached_active_user_cap", 200)
    # An audited client can be switched to unaudited mode.
    tokens = tokens_for(sandbox, PUBLIC)
    state.set_audited("sbx-client-viralforge", False)
    with api_client(sandbox) as client, pytest.raises(TikTokAPIError) as refused:
        client.init_direct_post(tokens.access_token, PUBLIC_POST, chunk_plan(MB).source_info())
    assert refused.value.code == "unaudited_client_can_only_post_to_private_accounts"
    state.set_audited("sbx-client-viralforge", True)
    with api_client(sandbox) as client:
        assert client.init_direct_post(tokens.access_token, PUBLIC_POST, chunk_plan(MB).source_info())


# --- rate limits and faults ---------------------------------------------------------------------


def test_video_init_is_limited_to_6_per_minute_per_token(sandbox):
    tokens = tokens_for(sandbox)
    other = tokens_for(sandbox, PRIVATE)
    with clock.freeze(), api_client(sandbox) as client:
        post = lambda token: client.init_direct_post(token, PRIVATE_POST, chunk_plan(MB).source_info())  # noqa: E731
        for _ in range(6):
            post(tokens.access_token)
        with pytest.raises(TikTokAPIError) as limited:
            post(tokens.access_token)
        assert (limited.value.code, limited.value.status) == ("rate_limit_exceeded", 429)
        assert float(limited.value.retry_after) > 0
        post(other.access_token)  # another token has its own window
        clock.advance(61)
        post(tokens.access_token)
    assert state.counts()["video_init:429"] == 1 and state.counts()["video_init:200"] == 8


def test_at_most_5_pending_inbox_shares_a_day(sandbox):
    tokens = tokens_for(sandbox)
    with api_client(sandbox) as client:
        for _ in range(5):
            client.init_inbox(tokens.access_token, chunk_plan(MB).source_info())
        with pytest.raises(TikTokAPIError) as pending:
            client.init_inbox(tokens.access_token, chunk_plan(MB).source_info())
    assert (pending.value.code, pending.value.status) == ("spam_risk_too_many_pending_share", 403)


def test_creator_info_20_per_minute_and_status_30(sandbox):
    tokens = tokens_for(sandbox)
    with clock.freeze(), api_client(sandbox) as client:
        for _ in range(20):
            client.creator_info(tokens.access_token)
        with pytest.raises(TikTokAPIError) as limited:
            client.creator_info(tokens.access_token)
        assert limited.value.code == "rate_limit_exceeded"
        client.user_info(tokens.access_token)  # another endpoint, another window
        source = chunk_plan(MB).source_info()
        publish_id = client.init_direct_post(tokens.access_token, PUBLIC_POST, source)["publish_id"]
        for _ in range(30):
            client.fetch_status(tokens.access_token, publish_id)
        with pytest.raises(TikTokAPIError):
            client.fetch_status(tokens.access_token, publish_id)


def test_switchable_faults_on_video_init(sandbox):
    tokens = tokens_for(sandbox)
    cases = [
        ("429", "rate_limit_exceeded", 429),
        ("500", "internal_error", 500),
        ("access_token_invalid", "access_token_invalid", 401),
        ("spam_risk_too_many_posts", "spam_risk_too_many_posts", 403),
        ("spam_risk_user_banned_from_posting", "spam_risk_user_banned_from_posting", 403),
        ("reached_active_user_cap", "reached_active_user_cap", 403),
    ]
    with api_client(sandbox) as client:
        for kind, code, status in cases:
            set_faults("tiktok", rates={kind: 1})
            with pytest.raises(TikTokAPIError) as failed:
                client.init_direct_post(tokens.access_token, PUBLIC_POST, chunk_plan(MB).source_info())
            assert (failed.value.code, failed.value.status) == (code, status)
        set_faults("tiktok", rates={"spam_risk_too_many_posts": 1})
        with pytest.raises(TikTokAPIError) as on_info:
            client.creator_info(tokens.access_token)
        assert (on_info.value.code, on_info.value.status) == ("spam_risk_too_many_posts", 200)
    assert "video_init:200" not in state.counts()


def test_counters_prove_exactly_one_publish(sandbox):
    tokens = tokens_for(sandbox)
    with api_client(sandbox) as client:
        client.init_direct_post(tokens.access_token, PUBLIC_POST, chunk_plan(MB).source_info())
        with pytest.raises(TikTokAPIError):
            client.init_direct_post(tokens.access_token, {"privacy_level": "NOPE"}, chunk_plan(MB).source_info())
    counts = state.counts()
    assert counts["video_init"] == 2 and counts["video_init:200"] == 1 and counts["video_init:403"] == 1
    assert len(state.all_publishes()) == 1


# --- Display API ----------------------------------------------------------------------------------


def test_display_api_user_info_video_list_and_query(sandbox):
    tokens = tokens_for(sandbox)
    with api_client(sandbox) as client:
        user = client.user_info(tokens.access_token)
        assert (user["open_id"], user["display_name"], user["follower_count"]) == (PUBLIC, "Alpenglow Coffee", 12840)
        assert user["video_count"] == 3
        basic = tokens_for(sandbox, scopes=("user.info.basic",))
        with pytest.raises(TikTokAPIError) as no_stats:
            client.user_info(basic.access_token)
        assert (no_stats.value.code, no_stats.value.status) == ("scope_not_authorized", 401)
        with pytest.raises(TikTokAPIError) as no_publish:
            client.creator_info(basic.access_token)
        assert no_publish.value.code == "scope_not_authorized"
        with pytest.raises(TikTokAPIError) as bad_field:
            client.user_info(tokens.access_token, fields="open_id,shoe_size")
        assert (bad_field.value.code, bad_field.value.status) == ("invalid_params", 400)


    with clock.freeze(), api_client(sandbox) as client:
        listed = client.video_list(tokens.access_token, max_count=2)
        assert len(listed["videos"]) == 2 and listed["has_more"] is True
        assert [v["create_time"] for v in listed["videos"]] == sorted(
            (v["create_time"] for v in listed["videos"]), reverse=True
        )
        rest = client.video_list(tokens.access_token, cursor=listed["cursor"], max_count=2)
        assert len(rest["videos"]) == 1 and rest["has_more"] is False
        ids = [v["id"] for v in listed["videos"]]
        before = {v["id"]: v["view_count"] for v in client.video_query(tokens.access_token, ids)}
        clock.advance(timedelta(hours=2))
        after = {v["id"]: v for v in client.video_query(tokens.access_token, ids)}
        assert all(after[i]["view_count"] > before[i] for i in ids)
        assert all(after[i]["like_count"] <= after[i]["view_count"] for i in ids)
        with pytest.raises(TikTokAPIError) as too_many:
            client.video_query(tokens.access_token, [str(n) for n in range(21)])
        assert too_many.value.code == "invalid_params"


def test_a_compressed_clock_runs_the_whole_lifecycle_in_real_milliseconds(sandbox):
    """What benches do with VF_CLOCK_SCALE: the sandbox lives on the core clock, so minutes of
    processing and moderation pass in a fraction of a real second."""
    import time

    state.configure(processing_seconds=30, moderation_seconds=120)
    tokens = tokens_for(sandbox)
    with api_client(sandbox) as client:
        data = client.init_direct_post(tokens.access_token, PUBLIC_POST, chunk_plan(MB).source_info())
        upload_file(client, data["upload_url"], MB)
        clock.set_scale(2000)  # 2000 clock seconds per real second
        started = time.monotonic()
        status = {}
        while "publicaly_available_post_id" not in status and time.monotonic() - started < 5:
            time.sleep(0.02)
            status = client.fetch_status(tokens.access_token, data["publish_id"])
    assert status["status"] == "PUBLISH_COMPLETE" and status["publicaly_available_post_id"]
    assert time.monotonic() - started < 2  # 150 clock seconds
