"""Writes for provider credentials: add, replace, revoke, test, rotation policy, key rotation.

Plaintext secrets pass through here and go straight into `encrypt_payload`; they are never
logged, and `sensitive_variables()` (all variables, also those of the frames below) keeps them
out of Django's error reports.
"""

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from apps.credentials.crypto import DecryptionFailed, encrypt_payload, primary_key_id, rotate_token
from apps.credentials.models import (
    PROVIDER_SPECS,
    CredentialPolicy,
    Mode,
    Provider,
    ProviderCredential,
    Status,
    mask_secret,
)
from apps.credentials.services import CredentialUnavailable, managed_key, provider_label, secret_of

logger = logging.getLogger("viralforge.credentials")

MAX_SECRET_LENGTH = 4096
MAX_IDENTIFIER_LENGTH = 512


class CredentialError(Exception):
    """A request that breaks a credential rule; the translated message is shown to the user."""


def _clean_secret(provider: str, secret: str, identifier: str) -> tuple[str, str]:
    secret, identifier = (secret or "").strip(), (identifier or "").strip()
    if not secret:
        raise CredentialError(_("Please enter the secret."))
    if len(secret) > MAX_SECRET_LENGTH:
        raise CredentialError(_("The secret is too long."))
    if len(identifier) > MAX_IDENTIFIER_LENGTH:
        raise CredentialError(_("The identifier is too long."))
    label = PROVIDER_SPECS[provider].identifier_label
    if label and not identifier:
        raise CredentialError(_("Please also enter the “%(field)s”.") % {"field": label})
    return secret, identifier if label else ""


@sensitive_variables()
def _encrypted(secret: str, identifier: str) -> dict:
    payload = {"secret": secret}
    if identifier:
        payload["identifier"] = identifier
    token, key_id = encrypt_payload(payload)
    return {"payload": token, "key_id": key_id, "mask": mask_secret(secret)}


@sensitive_variables()
@transaction.atomic
def do_add_credential(
    org,
    *,
    provider: str,
    mode: str = Mode.BYOK,
    secret: str = "",
    identifier: str = "",
    label: str = "",
    project=None,
    actor=None,
) -> ProviderCredential:
    if provider not in Provider.values:
        raise CredentialError(_("Unknown provider."))
    if mode not in Mode.values:
        raise CredentialError(_("Unknown mode."))
    if project is not None and project.organization_id != org.id:
        raise CredentialError(_("Unknown project."))
    label = (label or "").strip()
    if len(label) > 120:
        raise CredentialError(_("The label is too long."))
    if mode == Mode.MANAGED:
        if not PROVIDER_SPECS[provider].managed:
            raise CredentialError(_("ViralForge offers no managed key for %(provider)s.") % {
                "provider": provider_label(provider)
            })  # fmt: skip
        try:
            managed_key(org, provider)
        except CredentialUnavailable as exc:
            raise CredentialError(str(exc)) from None
        fields = {"payload": "", "key_id": "", "mask": ""}
    else:
        fields = _encrypted(*_clean_secret(provider, secret, identifier))
    exists = ProviderCredential.objects.for_org(org).filter(provider=provider, project=project, status=Status.ACTIVE)
    if exists.exists():
        raise CredentialError(
            _("There is already an active %(provider)s key for this scope. Replace or revoke it first.")
            % {"provider": provider_label(provider)}
        )
    try:
        with transaction.atomic():  # a concurrent add for the same scope loses on the unique constraint
            credential = ProviderCredential.objects.create(
                organization=org,
                project=project,
                provider=provider,
                mode=mode,
                label=label,
                created_by=actor,
                replaced_at=timezone.now(),
                **fields,
            )
    except IntegrityError:
        raise CredentialError(
            _("There is already an active %(provider)s key for this scope. Replace or revoke it first.")
            % {"provider": provider_label(provider)}
        ) from None
    logger.info(
        "Credential added.",
        extra={"credential_id": str(credential.id), "provider": provider, "mode": mode, "org": org.slug},
    )
    return credential


def _lock(credential: ProviderCredential) -> ProviderCredential:
    return ProviderCredential.objects.for_org(credential.organization_id).select_for_update().get(id=credential.id)


@sensitive_variables()
@transaction.atomic
def do_replace_credential(credential: ProviderCredential, *, secret: str, identifier: str = "", actor=None):
    """Set a new secret: version + 1, the rotation clock restarts, the last test no longer applies."""
    credential = _lock(credential)
    if not credential.is_active:
        raise CredentialError(_("A revoked key cannot be replaced. Add a new one."))
    if credential.is_managed:
        raise CredentialError(_("A managed key has no secret of yours to replace."))
    fields = _encrypted(*_clean_secret(credential.provider, secret, identifier))
    for name, value in fields.items():
        setattr(credential, name, value)
    credential.secret_version += 1
    credential.replaced_at = timezone.now()
    credential.last_test_at, credential.last_test_ok, credential.last_test_message = None, None, ""
    credential.save(
        update_fields=[
            *fields,
            "secret_version",
            "replaced_at",
            "last_test_at",
            "last_test_ok",
            "last_test_message",
        ]
    )
    logger.info(
        "Credential replaced.",
        extra={"credential_id": str(credential.id), "secret_version": credential.secret_version, "actor": str(actor)},
    )
    return credential


@transaction.atomic
def do_revoke_credential(credential: ProviderCredential, actor=None) -> ProviderCredential:
    """Stop using the key. Its ciphertext is wiped; the row stays for the record."""
    credential = _lock(credential)
    if not credential.is_active:
        raise CredentialError(_("This key is already revoked."))
    credential.status = Status.REVOKED
    credential.revoked_at = timezone.now()
    credential.payload = ""
    credential.save(update_fields=["status", "revoked_at", "payload"])
    logger.info("Credential revoked.", extra={"credential_id": str(credential.id), "actor": str(actor)})
    return credential


@dataclass(frozen=True)
class TestOutcome:
    ok: bool | None  # None: the test could not run (not supported)
    message: str


# provider → check(secret) -> TestOutcome; apps that talk to a provider add theirs (apps.ai: OpenRouter).
CHECKS: dict = {}


def add_connection_check(provider: str, check) -> None:
    CHECKS[provider] = check


def do_test_credential(credential: ProviderCredential) -> TestOutcome:
    """Ask the provider whether the key works and record the answer on the credential.

    No transaction around it: the network call must not hold a row lock.
    """
    credential = (
        ProviderCredential.objects.for_org(credential.organization_id)
        .select_related("organization")
        .get(id=credential.id)
    )
    if not credential.is_active:
        raise CredentialError(_("A revoked key cannot be tested."))
    check = CHECKS.get(credential.provider)
    if check is None:
        return TestOutcome(
            None,
            _("Testing %(provider)s keys is not supported yet.") % {"provider": provider_label(credential.provider)},
        )
    try:
        resolved = secret_of(credential)
    except CredentialUnavailable as exc:
        outcome = TestOutcome(False, str(exc))
    else:
        outcome = check(resolved.secret)
    # Only if the secret did not change meanwhile: a result belongs to the version it tested.
    ProviderCredential.objects.for_org(credential.organization_id).filter(
        id=credential.id, secret_version=credential.secret_version
    ).update(last_test_at=timezone.now(), last_test_ok=outcome.ok, last_test_message=outcome.message[:500])
    logger.info(
        "Credential tested.",
        extra={"credential_id": str(credential.id), "provider": credential.provider, "ok": outcome.ok},
    )
    return outcome


@transaction.atomic
def do_set_rotation_policy(org, max_age_days, actor=None) -> CredentialPolicy:
    try:
        days = int(max_age_days)
    except (TypeError, ValueError):
        raise CredentialError(_("Enter the maximum key age as a whole number of days.")) from None
    if not 1 <= days <= 3650:
        raise CredentialError(_("The maximum key age must be between 1 and 3650 days."))
    policy, _created = (
        CredentialPolicy.objects.for_org(org)
        .select_for_update()
        .get_or_create(organization=org, defaults={"max_age_days": days, "updated_by": actor})
    )
    if not _created:
        policy.max_age_days, policy.updated_by = days, actor
        policy.save(update_fields=["max_age_days", "updated_by", "updated_at"])
    return policy


@dataclass
class RotationReport:
    key_id: str
    rotated: int = 0
    failed: int = 0  # cannot be decrypted with any key of the ring
    skipped: int = 0  # locked by a concurrent run, or already done by it
    remaining: int = 0  # still encrypted with an older key after this run


# Every model whose rows hold a Fernet token in `payload` and the id of its key in `key_id`
# (with a `rotated_at` timestamp). Higher apps register theirs in their AppConfig.ready(), e.g.
# apps.social (OAuth tokens), so one rotation covers every stored secret without credentials
# importing them.
_ENCRYPTED_MODELS: list = [ProviderCredential]


def register_encrypted_model(model) -> None:
    """Let `rotate_credentials` and the nightly job re-encrypt this model's `payload` too."""
    if model not in _ENCRYPTED_MODELS:
        _ENCRYPTED_MODELS.append(model)


def encrypted_models() -> list:
    return list(_ENCRYPTED_MODELS)


def do_rotate_credentials(batch_size: int = 100, limit: int | None = None) -> RotationReport:
    """Re-encrypt every stored secret whose key is not the primary key of the ring.

    Covers provider credentials and every model registered with `register_encrypted_model`.
    One row per transaction (`select_for_update(skip_locked=True)`): safe next to a concurrent run,
    resumable after an interruption, and a second run finds nothing to do. `limit` stops after that
    many rows (a partial run, e.g. to spread the work).
    """
    batch_size = max(1, int(batch_size))
    primary = primary_key_id()
    report = RotationReport(key_id=primary)
    for model in encrypted_models():
        # Crossing organizations is the point of this job.
        pending = model.objects.unscoped().exclude(key_id=primary).exclude(payload="")
        seen: set = set()
        while limit is None or report.rotated < limit:
            ids = list(
                pending.exclude(id__in=seen).order_by("created_at", "id").values_list("id", flat=True)[:batch_size]
            )
            if not ids:
                break
            for row_id in ids:
                if limit is not None and report.rotated >= limit:
                    break
                seen.add(row_id)
                _rotate_one(model, row_id, primary, report)
        report.remaining += pending.count()
    logger.info(
        "Credential rotation finished.",
        extra={
            "key_id": primary,
            "rotated": report.rotated,
            "failed": report.failed,
            "skipped": report.skipped,
            "remaining": report.remaining,
        },
    )
    return report


def _rotate_one(model, row_id, primary: str, report: RotationReport) -> None:
    with transaction.atomic():
        row = (
            model.objects.unscoped()
            .select_for_update(skip_locked=True)
            .filter(id=row_id)
            .exclude(key_id=primary)
            .exclude(payload="")
            .only("id", "payload", "key_id")
            .first()
        )
        if row is None:
            report.skipped += 1
            return
        try:
            row.payload, row.key_id = rotate_token(row.payload)
        except DecryptionFailed:
            logger.error(
                "%s %s cannot be decrypted with any key of VF_FERNET_KEYS.", model._meta.label, row_id
            )
            report.failed += 1
            return
        row.rotated_at = timezone.now()
        row.save(update_fields=["payload", "key_id", "rotated_at"])
        report.rotated += 1
