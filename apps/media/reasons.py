"""Why a post's video may not be used or published (stored as codes, rendered per viewer)."""

from django.utils.translation import gettext_lazy as _

from apps.core.reasons import define

ASSET_EXPIRED = define("media.asset_expired", _("The licence of “%(asset)s” expired on %(date)s."))
ASSET_UNLICENSED = define(
    "media.asset_unlicensed", _("“%(asset)s” has no licence recorded, and this organization requires one.")
)
