"""Reading credentials: which key does an organization (or project) use for a provider?

    resolved = resolve_credential(org, Provider.OPENROUTER, project=project)
    client = OpenRouterClient(resolved.secret)

A project's own credential beats the organization-wide one; revoked credentials are ignored;
managed mode lends the platform key (settings.VF_MANAGED_KEYS) only where the plan allows it.
"""

import logging
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from apps.billing.services import plan_allows_managed_keys as billing_allows
from apps.credentials.crypto import DecryptionFailed
from apps.credentials.models import PROVIDER_SPECS, Mode, Provider, ProviderCredential, Status

logger = logging.getLogger("viralforge.credentials")

# last_used_at is written at most this often per credential, so hot paths do not write on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class CredentialUnavailable(Exception):
    """No usable credential; the message is translated and meant for the user.

    `code`: "missing", "managed_not_allowed", "managed_not_configured", "undecryptable".
    """

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ResolvedCredential:
    provider: str
    mode: str
    credential_id: uuid.UUID | None
    project_id: uuid.UUID | None
    secret: str = field(repr=False)
    identifier: str = field(default="", repr=False)

    def __str__(self) -> str:
        return f"{self.provider} ({self.mode})"


def plan_allows_managed_keys(org) -> bool:
    """Does the organization's plan include the platform's managed keys? (Owned by apps.billing.)"""
    return bool(billing_allows(org))


def provider_label(provider: str) -> str:
    return str(Provider(provider).label) if provider in Provider.values else provider


def managed_key(org, provider: str) -> str:
    """The platform key for `provider`, if the plan allows it; otherwise CredentialUnavailable."""
    name = provider_label(provider)
    if not PROVIDER_SPECS.get(provider) or not PROVIDER_SPECS[provider].managed:
        raise CredentialUnavailable(
            _("ViralForge offers no managed key for %(provider)s.") % {"provider": name}, "managed_not_configured"
        )
    if not plan_allows_managed_keys(org):
        raise CredentialUnavailable(
            _("Your plan does not include managed %(provider)s keys. Add your own key under Credentials.")
            % {"provider": name},
            "managed_not_allowed",
        )
    key = settings.VF_MANAGED_KEYS.get(provider, "")
    if not key:
        raise CredentialUnavailable(
            _("No managed %(provider)s key is configured on this platform. Add your own key under Credentials.")
            % {"provider": name},
            "managed_not_configured",
        )
    return key


def has_any_credential(org, provider: str) -> bool:
    """Has the organization an active key for `provider` at all (its own or one of its projects')? A cheap
    first check before `find_credential`/`resolve_credential` on hot paths: most organizations have none."""
    return ProviderCredential.objects.for_org(org).filter(provider=provider, status=Status.ACTIVE).exists()


def find_credential(org, provider: str, project=None) -> ProviderCredential | None:
    """The active credential that applies: the project's own first, then the organization-wide one."""
    if project is not None and project.organization_id != org.id:
        return None
    scope = Q(project__isnull=True) | Q(project=project) if project is not None else Q(project__isnull=True)
    return (
        ProviderCredential.objects.for_org(org)
        .filter(scope, provider=provider, status=Status.ACTIVE)
        .order_by(F("project").asc(nulls_last=True))  # the project's own key first
        .first()
    )


@sensitive_variables()
def secret_of(credential: ProviderCredential) -> ResolvedCredential:
    """Decrypt (BYOK) or borrow (managed) the secret of one credential."""
    if credential.mode == Mode.MANAGED:
        secret, identifier = managed_key(credential.organization, credential.provider), ""
    else:
        try:
            payload = credential.reveal()
        except (DecryptionFailed, ValueError):
            logger.error("Credential %s cannot be decrypted with the configured key ring.", credential.id)
            raise CredentialUnavailable(
                _("The stored %(provider)s key cannot be decrypted. An admin needs to replace it.")
                % {"provider": provider_label(credential.provider)},
                "undecryptable",
            ) from None
        secret, identifier = payload.get("secret", ""), payload.get("identifier", "")
    return ResolvedCredential(
        provider=credential.provider,
        mode=credential.mode,
        credential_id=credential.id,
        project_id=credential.project_id,
        secret=secret,
        identifier=identifier,
    )


def resolve_credential(org, provider: str, project=None) -> ResolvedCredential:
    credential = find_credential(org, provider, project)
    if credential is None:
        raise CredentialUnavailable(
            _("No %(provider)s key is set up for this organization. An admin can add one under Credentials.")
            % {"provider": provider_label(provider)},
            "missing",
        )
    credential.organization = org
    resolved = secret_of(credential)
    now = timezone.now()
    if credential.last_used_at is None or credential.last_used_at < now - LAST_USED_RESOLUTION:
        ProviderCredential.objects.for_org(org).filter(id=credential.id).update(last_used_at=now)
    return resolved
