"""What happens to a publish in the sandbox TikTok, on the clock's time.

FILE_UPLOAD: PROCESSING_UPLOAD while chunks arrive, then `processing_seconds` more; PULL_FROM_URL:
PROCESSING_DOWNLOAD for `download_seconds`, then processing. After that a direct post is
PUBLISH_COMPLETE (a public one gets `publicaly_available_post_id` after `moderation_seconds`;
SELF_ONLY and friends-only posts never do), an inbox upload is SEND_TO_USER_INBOX, and a publish
with a fail reason (a fault, or a cancel) is FAILED. Each new state sends a signed webhook to
`config()["webhook_url"]`, if set.
"""

from __future__ import annotations

import json
import logging
import secrets
from datetime import UTC, datetime

import httpx

from apps.sandbox.tiktok import state
from apps.sandbox.tiktok.world import world
from apps.social.webhooks import signature_header

logger = logging.getLogger("viralforge.sandbox")

VIDEO_FIELDS = {
    "id", "create_time", "cover_image_url", "share_url", "video_description", "title", "duration", "height",
    "width", "embed_html", "embed_link", "like_count", "comment_count", "share_count", "view_count",
}  # fmt: skip
FINAL = ("PUBLISH_COMPLETE", "SEND_TO_USER_INBOX", "FAILED")


def today() -> str:
    return datetime.fromtimestamp(state.now(), UTC).date().isoformat()


def avatar_url(request, open_id: str) -> str:
    return request.build_absolute_uri(f"/sandbox/tiktok/avatar/{open_id}.svg")


def new_publish(call, *, kind: str, source: dict, post_info: dict, fail_reason: str, expired_url: bool) -> dict:
    digits = f"{int(state.now() * 1000)}{secrets.randbelow(10**6):06d}"
    prefix = ("v_inbox_" if kind == "inbox" else "v_pub_") + ("file" if source["source"] == "FILE_UPLOAD" else "url")
    publish_id = f"{prefix}~v2-1.{digits}"
    config = state.config()
    now = state.now()
    record = {
        "publish_id": publish_id,
        "kind": kind,
        "client_key": call.client.client_key,
        "open_id": call.creator.open_id,
        "created_at": now,
        "post_info": post_info,
        "privacy_level": post_info.get("privacy_level", ""),
        "fail_reason": fail_reason,
        "cancelled": False,
        "received_bytes": 0,
        "uploaded_at": None,
        "status": "",
        "post_id": None,
        **source,
    }
    if source["source"] == "FILE_UPLOAD":
        upload_id = secrets.token_urlsafe(18)
        record["upload_url"] = call.request.build_absolute_uri(f"/sandbox/tiktok/upload/{upload_id}/")
        record["upload_expires_at"] = now - 1 if expired_url else now + config["upload_url_expires_in"]
        state.link_upload(upload_id, publish_id)
    else:
        record["video_size"] = 8 * 1024 * 1024  # what the sandbox "downloads"
        record["uploaded_at"] = now + config["download_seconds"]
    state.save_publish(record)
    return record


def add_bytes(record: dict, count: int) -> dict:
    """Count a chunk (the caller holds the publish's lock)."""
    record["received_bytes"] += count
    if record["received_bytes"] >= record["video_size"]:
        record["uploaded_at"] = state.now()
    state.save_publish(record)
    return record


def _computed(record: dict, now: float) -> dict:
    """Status fields of the record at clock time `now`."""
    config = state.config()
    size = record["video_size"]
    result = {"status": "PROCESSING_UPLOAD", "uploaded_bytes": record["received_bytes"]}
    if record["source"] == "PULL_FROM_URL":
        started, done = record["created_at"], record["uploaded_at"]
        share = 1.0 if done <= started else min(1.0, max(0.0, (now - started) / (done - started)))
        result = {"status": "PROCESSING_DOWNLOAD", "downloaded_bytes": int(size * share)}
    if record["cancelled"]:
        return result | {"status": "FAILED", "fail_reason": "publish_cancelled"}
    uploaded_at = record["uploaded_at"]
    if uploaded_at is None or now < uploaded_at:
        return result
    if record["source"] == "FILE_UPLOAD":
        result["uploaded_bytes"] = size
    else:
        result = {"status": "PROCESSING_UPLOAD", "downloaded_bytes": size}
    ready_at = uploaded_at + config["processing_seconds"]
    if now < ready_at:
        return result
    if record["fail_reason"]:
        return result | {"status": "FAILED", "fail_reason": record["fail_reason"]}
    if record["kind"] == "inbox":
        return result | {"status": "SEND_TO_USER_INBOX"}
    result["status"] = "PUBLISH_COMPLETE"
    if record["privacy_level"] == "PUBLIC_TO_EVERYONE" and now >= ready_at + config["moderation_seconds"]:
        result["publicaly_available_post_id"] = [int(record["publish_id"].rsplit(".", 1)[1][-18:])]
        result["public_at"] = ready_at + config["moderation_seconds"]
    return result


def status_of(record: dict) -> dict:
    computed = dict(record["computed"])
    computed.pop("public_at", None)
    return computed


def advance(publish_id: str) -> dict:
    """Bring one publish up to the clock's now; send the webhooks of the states it reached."""
    with state.lock(f"publish:{publish_id}"):
        record = state.publish(publish_id)
        computed = _computed(record, state.now())
        events = []
        if computed["status"] != record["status"] and computed["status"] in FINAL:
            events.append(
                {
                    "PUBLISH_COMPLETE": "post.publish.complete",
                    "SEND_TO_USER_INBOX": "post.publish.inbox_delivered",
                    "FAILED": "post.publish.failed",
                }[computed["status"]]
            )
        post_ids = computed.get("publicaly_available_post_id")
        if post_ids and not record["post_id"]:
            record["post_id"] = post_ids[0]
            record["public_at"] = computed["public_at"]
            events.append("post.publish.publicly_available")
        record["status"] = computed["status"]
        record["computed"] = computed
        state.save_publish(record)
    for event in events:
        send_webhook(record, event, computed)
    return record


def advance_all() -> list[dict]:
    """Advance every publish that is not finished (tests and benches call it to get the webhooks)."""
    return [
        advance(p["publish_id"])
        for p in state.all_publishes()
        if p["status"] not in ("FAILED", "SEND_TO_USER_INBOX") and not p.get("post_id")
    ]


def cancel(publish_id: str) -> bool:
    with state.lock(f"publish:{publish_id}"):
        record = state.publish(publish_id)
        if _computed(record, state.now())["status"] in FINAL:
            return False
        record["cancelled"] = True
        state.save_publish(record)
    advance(publish_id)
    return True


def send_webhook(record: dict, event: str, computed: dict) -> None:
    url = state.config()["webhook_url"]
    client = world().client(record["client_key"])
    content = {"publish_id": record["publish_id"], "publish_type": "INBOX_SHARE" if record["kind"] == "inbox"
               else "DIRECT_PUBLISH"}  # fmt: skip
    if event == "post.publish.failed":
        content["reason"] = computed.get("fail_reason", "")
    if event == "post.publish.publicly_available":
        content["post_id"] = str(record["post_id"])
    payload = {
        "client_key": record["client_key"],
        "event": event,
        "create_time": int(state.now()),
        "user_openid": record["open_id"],
        "content": json.dumps(content),
    }
    raw = json.dumps(payload).encode()
    header = signature_header(client.client_secret, raw, int(state.now()))
    status = None
    if url:
        try:
            status = httpx.post(
                url, content=raw, headers={"Content-Type": "application/json", "TikTok-Signature": header}, timeout=5
            ).status_code
        except httpx.HTTPError:
            logger.warning("Sandbox TikTok could not deliver the webhook %s.", event)
    state.remember_webhook(raw, header, status)


# --- Display API ------------------------------------------------------------------------------------


def user_of(call) -> dict:
    creator = call.creator
    return {
        "open_id": creator.open_id,
        "union_id": "u-" + creator.open_id,
        "avatar_url": avatar_url(call.request, creator.open_id),
        "avatar_url_100": avatar_url(call.request, creator.open_id),
        "avatar_large_url": avatar_url(call.request, creator.open_id),
        "display_name": creator.nickname,
        "bio_description": "",
        "profile_deep_link": f"https://www.tiktok.com/@{creator.username}",
        "is_verified": False,
        "username": creator.username,
        "follower_count": creator.follower_count,
        "following_count": creator.following_count,
        "likes_count": creator.likes_count,
        "video_count": len(videos_of(call)),
    }


def _counts(views: int) -> dict:
    return {
        "view_count": views,
        "like_count": views * 8 // 100,
        "comment_count": views * 4 // 1000,
        "share_count": views // 100,
    }


def videos_of(call) -> list[dict]:
    """The creator's public videos, newest first, with counts that grow with the clock."""
    now = state.now()
    creator = call.creator
    videos = []
    for video in creator.videos:
        created = _seed_time(video.age_hours)
        age_hours = max(0.0, (now - created) / 3600)
        videos.append(_video(video.id, created, video.title, video.duration, int(video.views_per_hour * age_hours)))
    for record in state.all_publishes():
        if record["open_id"] != creator.open_id or not record.get("post_id"):
            continue
        if record["client_key"] != call.client.client_key:
            continue
        age_hours = max(0.0, (now - record["public_at"]) / 3600)
        title = record["post_info"].get("title", "")
        videos.append(_video(str(record["post_id"]), record["public_at"], title, 30, int(120 * age_hours)))
    return sorted(videos, key=lambda v: v["create_time"], reverse=True)


def _seed_time(age_hours: float) -> float:
    """Seeded videos were made `age_hours` before the sandbox first listed them (fixed from then on)."""
    first_seen = state.first_seen()
    return first_seen - age_hours * 3600


def _video(video_id: str, created: float, title: str, duration: int, views: int) -> dict:
    return {
        "id": video_id,
        "create_time": int(created),
        "cover_image_url": f"https://p16-sign.tiktokcdn.com/sandbox/{video_id}.jpeg",
        "share_url": f"https://www.tiktok.com/@sandbox/video/{video_id}",
        "video_description": title,
        "title": title,
        "duration": duration,
        "height": 1920,
        "width": 1080,
        "embed_html": "",
        "embed_link": f"https://www.tiktok.com/embed/v2/{video_id}",
        **_counts(views),
    }
