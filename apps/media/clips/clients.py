"""A provider client for an organization (or project): the key through apps.credentials, never logged."""

from __future__ import annotations

from django.conf import settings
from django.views.decorators.debug import sensitive_variables

from apps.credentials.models import Provider
from apps.credentials.services import CredentialUnavailable, resolve_credential
from apps.media.clips.kling import KlingClient
from apps.media.clips.models import VideoSource
from apps.media.clips.veo import VeoClient

__all__ = ["CredentialUnavailable", "client_for"]


@sensitive_variables()
def client_for(provider: str, org, project=None) -> VeoClient | KlingClient:
    """Raises CredentialUnavailable (translated message) when no usable key is set up.

    Kling needs an access key and a secret: BYOK stores the access key as the credential's
    identifier; a managed Kling key is configured as "ACCESS_KEY:SECRET".
    """
    timeout = settings.VF_CLIP_TIMEOUT_SECONDS
    if provider == VideoSource.VEO:
        resolved = resolve_credential(org, Provider.VEO, project=project)
        return VeoClient(api_key=resolved.secret, base_url=settings.VF_VEO_BASE_URL, timeout=timeout)
    if provider == VideoSource.KLING:
        resolved = resolve_credential(org, Provider.KLING, project=project)
        access, secret = resolved.identifier, resolved.secret
        if not access and ":" in secret:
            access, secret = secret.split(":", 1)
        return KlingClient(access_key=access, secret_key=secret, base_url=settings.VF_KLING_BASE_URL, timeout=timeout)
    raise ValueError(f"not a video provider: {provider!r}")
