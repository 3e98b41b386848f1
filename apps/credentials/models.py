import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.fields import user_reference
from apps.orgs.models import Organization
from apps.orgs.tenancy import TenantModel


class Provider(models.TextChoices):
    OPENROUTER = "openrouter", "OpenRouter"
    VEO = "veo", "Google Veo"
    KLING = "kling", "Kling"
    ELEVENLABS = "elevenlabs", "ElevenLabs"
    TIKTOK = "tiktok", _("TikTok app (client key and secret)")
    S3 = "s3", _("S3 storage")
    SMTP = "smtp", _("SMTP mail server")


class Mode(models.TextChoices):
    BYOK = "byok", _("Own key (BYOK)")
    MANAGED = "managed", _("Managed by ViralForge")


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    REVOKED = "revoked", _("Revoked")


@dataclass(frozen=True)
class ProviderSpec:
    """What a credential of one provider consists of.

    The payload always holds `secret` (the main secret: API key, client secret, password) and,
    where the provider needs one, `identifier` (client key, access key id, user name).
    """

    identifier_label: str | None = None  # None: the provider has no identifier
    managed: bool = False  # the platform can lend its own key (settings.VF_MANAGED_KEYS)
    testable: bool = False  # "test connection" is implemented


PROVIDER_SPECS: dict[str, ProviderSpec] = {
    Provider.OPENROUTER: ProviderSpec(managed=True, testable=True),
    Provider.VEO: ProviderSpec(managed=True),
    Provider.KLING: ProviderSpec(identifier_label=_("Access key"), managed=True),
    Provider.ELEVENLABS: ProviderSpec(managed=True),
    Provider.TIKTOK: ProviderSpec(identifier_label=_("Client key")),
    Provider.S3: ProviderSpec(identifier_label=_("Access key ID")),
    Provider.SMTP: ProviderSpec(identifier_label=_("User name")),
}


def mask_secret(secret: str) -> str:
    """The only thing derived from a plaintext that is ever stored or shown: its last four characters."""
    return "…" + secret[-4:] if len(secret) >= 12 else "…"


class ProviderCredential(TenantModel):
    """A provider key of an organization (or of one of its projects), stored encrypted.

    `payload` is a Fernet token (apps.credentials.crypto) of {"secret": ..., "identifier": ...};
    it is never shown, logged, serialised or put in a form. Use `reveal()` to decrypt.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="credentials", verbose_name=_("organization")
    )
    project = models.ForeignKey(
        "projects.Project",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="credentials",
        verbose_name=_("project"),
        help_text=_("Empty: the credential applies to the whole organization."),
    )
    provider = models.CharField(_("provider"), max_length=20, choices=Provider.choices)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.BYOK)
    label = models.CharField(_("label"), max_length=120, blank=True)
    # Ciphertext only; excluded from forms (editable=False) and from serializers (serialize=False).
    payload = models.TextField(_("encrypted payload"), blank=True, editable=False, serialize=False)
    key_id = models.CharField(_("encryption key id"), max_length=16, blank=True, editable=False)
    secret_version = models.PositiveIntegerField(_("secret version"), default=1, editable=False)
    mask = models.CharField(_("mask"), max_length=8, blank=True, editable=False)
    created_by = user_reference(_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    replaced_at = models.DateTimeField(_("secret set at"), default=timezone.now, editable=False)
    rotated_at = models.DateTimeField(_("re-encrypted at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_test_at = models.DateTimeField(_("last tested at"), null=True, blank=True, editable=False)
    last_test_ok = models.BooleanField(_("last test passed"), null=True, blank=True, editable=False)
    last_test_message = models.CharField(_("last test result"), max_length=500, blank=True, editable=False)

    class Meta:
        verbose_name = _("provider credential")
        verbose_name_plural = _("provider credentials")
        ordering = ["provider", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "project", "provider"],
                condition=Q(status="active"),
                nulls_distinct=False,
                name="unique_active_credential_per_scope",
            ),
            models.CheckConstraint(
                condition=Q(mode="managed", payload="") | Q(mode="byok"), name="managed_credential_has_no_payload"
            ),
        ]
        indexes = [models.Index(fields=["key_id"], name="credential_key_id_idx")]

    def __str__(self) -> str:
        scope = self.project.name if self.project_id and self.project else _("organization")
        return f"{self.get_provider_display()} ({scope})" + (f" · {self.label}" if self.label else "")

    def __repr__(self) -> str:
        return (
            f"<ProviderCredential {self.id} {self.provider} {self.mode} {self.status} "
            f"v{self.secret_version} key={self.key_id or '-'}>"
        )

    @property
    def spec(self) -> ProviderSpec:
        return PROVIDER_SPECS[self.provider]

    @property
    def is_active(self) -> bool:
        return self.status == Status.ACTIVE

    @property
    def is_managed(self) -> bool:
        return self.mode == Mode.MANAGED

    def reveal(self) -> dict:
        """Decrypt the payload. Deliberately named: every caller of this handles a plaintext secret."""
        from apps.credentials.crypto import decrypt_payload

        if not self.payload:
            raise ValueError("This credential has no stored secret (managed or revoked).")
        return decrypt_payload(self.payload)


def default_max_age_days() -> int:
    return settings.VF_CREDENTIAL_MAX_AGE_DAYS


class CredentialPolicy(TenantModel):
    """The organization's rotation policy: own keys older than `max_age_days` are flagged for rotation."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="credential_policy", verbose_name=_("organization")
    )
    max_age_days = models.PositiveIntegerField(
        _("maximum key age (days)"),
        default=default_max_age_days,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = user_reference(_("updated by"))

    class Meta:
        verbose_name = _("credential rotation policy")
        verbose_name_plural = _("credential rotation policies")

    def __str__(self) -> str:
        return f"{self.organization}: {self.max_age_days}"

    @classmethod
    def current(cls, organization: Organization) -> "CredentialPolicy":
        """The organization's policy, or an unsaved one with the default maximum age."""
        policy = cls.objects.for_org(organization).first()
        return policy or cls(organization=organization, max_age_days=default_max_age_days())

    def stale_before(self, now=None):
        return (now or timezone.now()) - timedelta(days=self.max_age_days)

    def is_stale(self, credential: ProviderCredential, now=None) -> bool:
        """An active own key whose secret was set longer ago than the policy allows."""
        if not credential.is_active or credential.is_managed:
            return False
        return credential.replaced_at < self.stale_before(now)
