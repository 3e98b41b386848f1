"""TikTok webhook signatures: `TikTok-Signature: t=<unix seconds>,s=<hex>` where
s = HMAC-SHA256(client_secret, "<t>.<raw body>") (../shared/contracts/tiktok.md)."""

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from apps.core import clock

# A signature older (or newer) than this is refused, so a captured webhook cannot be replayed later.
TOLERANCE = timedelta(minutes=5)


class SignatureError(ValueError):
    pass


def signature(secret: str, timestamp: int, raw: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + raw, hashlib.sha256).hexdigest()


def signature_header(secret: str, raw: bytes, timestamp: int | None = None) -> str:
    timestamp = int(clock.timestamp()) if timestamp is None else timestamp
    return f"t={timestamp},s={signature(secret, timestamp, raw)}"


def verify_signature(raw: bytes, header: str, secret: str) -> datetime:
    """The moment the webhook was signed, or SignatureError."""
    parts = dict(part.strip().split("=", 1) for part in (header or "").split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
        given = parts["s"]
    except (KeyError, ValueError):
        raise SignatureError("missing or malformed TikTok-Signature header") from None
    if not hmac.compare_digest(signature(secret, timestamp, raw), given):
        raise SignatureError("signature mismatch")
    sent_at = datetime.fromtimestamp(timestamp, UTC)
    if abs(clock.now() - sent_at) > TOLERANCE:
        raise SignatureError("signature timestamp outside the tolerance")
    return sent_at
