import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core import clock
from apps.core.fields import user_reference
from apps.orgs.roles import Role, role_at_least
from apps.orgs.tenancy import SubqueryGuardQuerySet, TenantModel


class Organization(models.Model):
    """An agency: members, projects and everything they make belong to one."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = models.Manager.from_queryset(SubqueryGuardQuerySet)()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def optional_organization(related_name: str, **options) -> models.ForeignKey:
    """The owner of a row that may also be global (empty: a default that applies to every organization)."""
    return models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name=related_name,
        verbose_name=_("organization"),
        **options,
    )


class TenantBase(TenantModel):
    """The abstract base of tenant models: a UUID id, the owning organization, when it was made."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        abstract = True


class Membership(TenantModel):
    tenant_scope_fields = ("organization", "user")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organization")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="unique_membership")]
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"

    def has_role(self, minimum: str) -> bool:
        return role_at_least(self.role, minimum)


def new_invitation_token() -> str:
    return secrets.token_urlsafe(32)


_new_token = new_invitation_token  # migration 0001 names the token default by this path


class InvitationBase(TenantBase):
    """An e-mail invitation with a secret token: who was invited, by whom, until when, and who accepted.
    Team invitations (here) and guest-reviewer invitations (apps.posts) share it."""

    email = models.EmailField(_("email address"))
    token = models.CharField(max_length=64, unique=True, default=new_invitation_token, editable=False)
    invited_by = user_reference(_("invited by"), blank=False)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = user_reference(_("accepted by"))

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.expires_at > clock.now()

    @property
    def is_expired(self) -> bool:
        return self.accepted_at is None and self.expires_at <= clock.now()


class Invitation(InvitationBase):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("organization")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.EDITOR)

    class Meta(InvitationBase.Meta):
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.organization}"

    def __repr__(self) -> str:
        return f"<Invitation {self.id} {self.email}>"
