"""Licence gates: may a post's video use these assets, may it be published?

from apps.media.usage import blockers, assert_usable
reasons = blockers(post)          # [] or reason dicts ({"code", "params"}), rendered with apps.core.reasons
assert_usable(assets)             # the renderer: raises AssetNotUsable for an expired (or required but missing) licence
"""

from collections.abc import Iterable
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from apps.core import clock
from apps.core.reasons import Reason, render_all
from apps.media.models import Asset, AssetUse, MediaPolicy
from apps.media.reasons import ASSET_EXPIRED, ASSET_UNLICENSED
from apps.orgs.models import Organization
from apps.posts.models import PostItem


class AssetNotUsable(Exception):
    """`reasons` says why (codes with parameters); `str()` is the translated sentence."""

    def __init__(self, reasons: list[Reason]):
        super().__init__(render_all(reasons))
        self.reasons = reasons


def licence_today() -> date:
    """Licence dates are calendar days in the installation's time zone."""
    return clock.today(ZoneInfo(settings.TIME_ZONE))


def _asset_reasons(assets: Iterable[Asset], require_licence: bool, today: date) -> list[Reason]:
    reasons = []
    for asset in assets:
        if asset.licensed_until is not None and asset.licensed_until < today:
            reasons.append(ASSET_EXPIRED.reason(asset=asset.name, date=asset.licensed_until.isoformat()))
        elif require_licence and not asset.licence_type:
            reasons.append(ASSET_UNLICENSED.reason(asset=asset.name))
    return reasons


def assets_of(post: PostItem) -> list[Asset]:
    """Every asset recorded for the post's video (chosen for it or used by one of its renders), once each."""
    uses = AssetUse.objects.for_org(post.organization_id).filter(post=post).select_related("asset")
    unique = {use.asset_id: use.asset for use in uses.order_by("created_at")}
    return list(unique.values())


def blockers(post: PostItem) -> list[dict]:
    """Why the post's video may not be used or published, as reason dicts; [] when nothing blocks it."""
    require = MediaPolicy.current(post.organization).require_licence
    return [reason.as_dict() for reason in _asset_reasons(assets_of(post), require, licence_today())]


def assert_usable(assets: Iterable[Asset]) -> None:
    """Refuse (AssetNotUsable) assets whose licence has expired, or lacks where the organization requires one."""
    assets = list(assets)
    if not assets:
        return
    policies = {}
    reasons = []
    today = licence_today()
    for asset in assets:
        if asset.organization_id not in policies:
            policies[asset.organization_id] = MediaPolicy.current(asset.organization).require_licence
        reasons += _asset_reasons([asset], policies[asset.organization_id], today)
    if reasons:
        raise AssetNotUsable(reasons)


def expiring_assets(org: Organization, *, project=None, days: int | None = None):
    """Assets whose licence ends within `days` (default VF_MEDIA_EXPIRY_WARNING_DAYS) or has ended."""
    days = settings.VF_MEDIA_EXPIRY_WARNING_DAYS if days is None else days
    queryset = Asset.objects.for_org(org).filter(licensed_until__lte=licence_today() + timedelta(days=days))
    if project is not None:
        queryset = queryset.filter(project=project)
    return queryset.order_by("licensed_until", "name")
