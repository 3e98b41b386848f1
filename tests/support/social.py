"""A connected TikTok account without the OAuth dance."""

from apps.social.actions import do_connect_account
from apps.social.platforms import AccountInfo, Tokens


def connect_account(org, open_id: str = "open-1"):
    """A connected account of `org` with health, limits and the posting scopes."""
    info = AccountInfo(
        open_id=open_id,
        display_name="Alpenglow Coffee",
        username="alpenglow.coffee",
        avatar_url="http://127.0.0.1/sandbox/tiktok/avatar/x.svg",
        stats={"follower_count": 12840},
        creator_info={
            "privacy_level_options": ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"],
            "max_video_post_duration_sec": 600,
            "stitch_disabled": True,
        },
    )
    tokens = Tokens(open_id, ("user.info.basic", "video.publish"), 86400, 31536000, "act.a" * 4, "rft.r" * 4)
    return do_connect_account(org, "tiktok", tokens, info)
