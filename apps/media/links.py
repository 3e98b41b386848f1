"""Signed, expiring links to asset files: the only way a file leaves the library.

A link names the asset, the member it was issued to, which file (the original or its preview),
inline or download, and when it expires. The file view (`views.asset_file`) checks membership
first (an outsider gets 404), then the signature and the expiry (a tampered or expired link
gets 403), then serves the bytes itself (local storage) or redirects to a short presigned S3 URL.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from apps.core import clock

SALT = "apps.media.links"
PARTS = ("file", "preview")
DISPOSITIONS = ("inline", "attachment")


class LinkRefused(Exception):
    pass


def signed_url(asset, user, *, part: str = "file", disposition: str = "inline", seconds: int | None = None) -> str:
    assert part in PARTS and disposition in DISPOSITIONS
    lifetime = seconds if seconds is not None else settings.VF_MEDIA_LINK_SECONDS
    payload = {
        "a": str(asset.id),
        "u": str(user.pk),
        "p": part,
        "d": disposition,
        "e": int(clock.timestamp()) + lifetime,
    }
    token = signing.dumps(payload, salt=SALT)
    return reverse("media_asset_file", args=[asset.organization.slug, asset.id, token])


def verify(token: str, asset, user) -> dict:
    """The link's payload when it was issued for this asset and user and has not expired."""
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise LinkRefused("bad signature") from None
    if payload.get("a") != str(asset.id) or payload.get("u") != str(user.pk):
        raise LinkRefused("issued for another asset or member")
    if payload.get("p") not in PARTS or payload.get("d") not in DISPOSITIONS:
        raise LinkRefused("malformed")
    if not isinstance(payload.get("e"), int) or payload["e"] < clock.timestamp():
        raise LinkRefused("expired")
    return payload
