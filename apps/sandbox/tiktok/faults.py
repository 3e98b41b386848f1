"""The sandbox TikTok's fault kinds (switched on with apps.sandbox.faults, service "tiktok").

    set_faults("tiktok", rates={"429": 0.2})                  # a fifth of all calls: rate_limit_exceeded
    set_faults("tiktok", rates={"invalid_grant": 1})          # every refresh is rejected
    X-Sandbox-Fault: spam_risk_too_many_posts                 # one request

Each endpoint applies only the kinds that make sense there and ignores the others:
  token endpoint: "server_error", "temporarily_unavailable", "invalid_grant", "500", "503"
  revoke: "server_error", "temporarily_unavailable", "500", "503"
  every API call: "429" (rate_limit_exceeded), "500"/"503" (internal_error), "access_token_invalid"
  creator_info (HTTP 200) and video init (403): "spam_risk_too_many_posts",
      "spam_risk_user_banned_from_posting", "reached_active_user_cap"
  video init: "upload_url_expired" (the upload URL is dead on arrival), and any fail reason below:
      the publish ends FAILED with it ("internal" is the retryable one)
  chunk PUT: "upload_url_expired" (403), "500"/"503" (retry that chunk)
"""

from apps.sandbox.faults import register_kinds

FAIL_REASONS = (
    "file_format_check_failed",
    "duration_check_failed",
    "frame_rate_check_failed",
    "picture_size_check_failed",
    "internal",
    "video_pull_failed",
    "auth_removed",
    "spam_risk_text",
    "spam_risk",
)
POSTING_BLOCKS = ("spam_risk_too_many_posts", "spam_risk_user_banned_from_posting", "reached_active_user_cap")
OAUTH_FAULTS = ("server_error", "temporarily_unavailable", "invalid_grant")
KINDS = (
    "429", "500", "503", "access_token_invalid", "upload_url_expired", *POSTING_BLOCKS, *OAUTH_FAULTS, *FAIL_REASONS,
)  # fmt: skip

register_kinds("tiktok", KINDS)
