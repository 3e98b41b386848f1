"""OAuth tokens in and out of the credentials' key ring (apps.credentials.crypto)."""

from dataclasses import dataclass, field

from django.views.decorators.debug import sensitive_variables

from apps.credentials.crypto import decrypt_payload, encrypt_payload
from apps.social.models import OAuthToken


@dataclass(frozen=True)
class Secrets:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)


@sensitive_variables()
def seal(access_token: str, refresh_token: str) -> tuple[str, str]:
    """→ (Fernet token of both, id of the key that encrypted it)."""
    return encrypt_payload({"access_token": access_token, "refresh_token": refresh_token})


@sensitive_variables()
def unseal(token: OAuthToken) -> Secrets:
    """Decrypt a stored token row (raises DecryptionFailed / ValueError when it cannot)."""
    if not token.payload:
        raise ValueError("This account has no stored tokens (disconnected).")
    data = decrypt_payload(token.payload)
    return Secrets(access_token=data["access_token"], refresh_token=data["refresh_token"])
