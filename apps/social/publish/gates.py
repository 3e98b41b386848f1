"""The gates a publication passes before any call to TikTok, each with its reason.

`local_gates` needs nothing from TikTok (consent, policy, approval, video and QA, asset
licences, the account and its token, the title's length, the stored duration limit, our count
of the creator's posts in 24 hours). `creator_gates` judges the fresh `creator_info` answer
(posting blocked, privacy options, the current maximum duration), which the pipeline asks for
right before `init`. A gate that fails stops everything: nothing is uploaded.
"""

from __future__ import annotations

from django.conf import settings

from apps.core import clock
from apps.core import platforms as platform_table
from apps.core.reasons import Reason, coerce
from apps.media.usage import blockers
from apps.posts.access import is_cleared_for_publishing
from apps.posts.actions import blocking_verdict
from apps.social import reasons
from apps.social.models import AccountStatus, OAuthToken, Publication, PublishMode, PublishState
from apps.social.publish.video import Video

DIRECT_SCOPE = "video.publish"
INBOX_SCOPE = "video.upload"


def title_length(text: str) -> int:
    return platform_table.count(text, "tiktok")


def _account_label(account) -> str:
    return account.display_name or account.username or account.open_id


def local_gates(publication: Publication, video: Video | None) -> list[Reason]:
    """Every reason that stops this publication, judged without TikTok (empty: it may go)."""
    post, project, account = publication.post, publication.project, publication.account
    found: list[Reason] = []
    if not publication.autopilot and not (publication.consent_at and publication.consent_by_id):
        found.append(reasons.GATE_NO_CONSENT.reason())
    verdict = blocking_verdict(post, project)
    if verdict is not None:
        texts = "; ".join(dict.fromkeys(m.reason_text for m in verdict.matches if m.outcome == "hard_block"))
        found.append(reasons.GATE_POLICY.reason(reasons=texts[:500]))
    if not is_cleared_for_publishing(post, project):
        found.append(reasons.GATE_NOT_APPROVED.reason(status=post.get_status_display()))
    if video is None:
        found.append(reasons.GATE_NO_VIDEO.reason())
    elif not video.qa_ok:
        found.append(reasons.GATE_QA_FAILED.reason())
    licence = [str(coerce(item)) for item in blockers(post)]
    if licence:
        found.append(reasons.GATE_MEDIA.reason(reasons="; ".join(licence)[:500]))
    found += account_gates(publication)
    limit = platform_table.platform("tiktok").caption_max
    length = title_length(publication.title)
    if length > limit:
        found.append(reasons.GATE_CAPTION.reason(length=length, limit=limit))
    max_duration = account.creator_info.get("max_video_post_duration_sec")
    if video is not None and isinstance(max_duration, int) and video.duration_s > max_duration:
        found.append(reasons.GATE_DURATION.reason(duration=round(video.duration_s, 1), limit=max_duration))
    options = account.creator_info.get("privacy_level_options")
    if publication.mode == PublishMode.DIRECT and options:  # unknown options: creator_info judges before init
        found += privacy_gates(publication, options)
    capped = daily_cap_reason(publication)
    if capped is not None:
        found.append(capped)
    return found


def account_gates(publication: Publication) -> list[Reason]:
    account = publication.account
    label = _account_label(account)
    if account.status != AccountStatus.CONNECTED:
        return [reasons.GATE_ACCOUNT.reason(account=label, status=account.get_status_display())]
    scope = DIRECT_SCOPE if publication.mode == PublishMode.DIRECT else INBOX_SCOPE
    if scope not in (account.scopes or []):
        return [reasons.GATE_SCOPES.reason(account=label, scopes=scope)]
    token = OAuthToken.objects.for_org(account.organization_id).filter(account=account).first()
    now = clock.now()
    if token is None or not token.payload or (token.refresh_expires_at and token.refresh_expires_at <= now):
        return [reasons.GATE_TOKEN.reason(account=label)]
    return []


def privacy_gates(publication: Publication, options: list[str]) -> list[Reason]:
    if publication.privacy_level not in options:
        return [reasons.GATE_PRIVACY.reason()]
    if publication.brand_content and publication.privacy_level == "SELF_ONLY":
        return [reasons.GATE_BRANDED_PRIVATE.reason()]
    return []


def daily_cap_reason(publication: Publication) -> Reason | None:
    """Our own count of the account's posts that reached TikTok today (init called), on the UTC
    calendar day as the sandbox counts them; TikTok itself answers spam_risk_too_many_posts beyond."""
    now = clock.now()
    since = now.replace(hour=0, minute=0, second=0, microsecond=0)
    sent = (
        Publication.objects.for_org(publication.organization_id)
        .filter(account=publication.account, started_at__gte=since, inits__gt=0)
        .exclude(id=publication.id)
        .exclude(state=PublishState.FAILED, publish_id="")
        .count()
    )
    limit = settings.VF_TIKTOK_DAILY_POST_CAP
    if sent >= limit:
        return reasons.GATE_DAILY_CAP.reason(account=_account_label(publication.account), limit=limit)
    return None


def creator_gates(publication: Publication, creator: dict, blocked: str, video: Video) -> list[Reason]:
    """Judge a fresh creator_info answer (`blocked`: its error code when posting is capped)."""
    found: list[Reason] = []
    if blocked:
        found.append(reasons.GATE_CREATOR_BLOCKED.reason(error=blocked))
    max_duration = creator.get("max_video_post_duration_sec")
    if isinstance(max_duration, int) and video.duration_s > max_duration:
        found.append(reasons.GATE_DURATION.reason(duration=round(video.duration_s, 1), limit=max_duration))
    if publication.mode == PublishMode.DIRECT:
        found += privacy_gates(publication, creator.get("privacy_level_options") or [])
    return found
