"""Writes for organizations, memberships and invitations."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.orgs.extensions import seat_limit_error
from apps.orgs.models import Invitation, Membership, Organization
from apps.orgs.roles import Role


class OrgRuleError(Exception):
    """A request that breaks an organization rule; the message is shown to the user."""


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "org"
    slug, n = base, 2
    while Organization.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


@transaction.atomic
def do_create_organization(user, name: str) -> Organization:
    name = name.strip()
    if not name:
        raise OrgRuleError(_("Please enter a name for the organization."))
    for attempt in range(5):
        try:
            # A savepoint, so losing a race for the same slug to a concurrent request can be retried.
            with transaction.atomic():
                org = Organization.objects.create(name=name, slug=_unique_slug(name))
            break
        except IntegrityError:
            if attempt == 4:
                raise
    Membership.objects.create(organization=org, user=user, role=Role.OWNER)
    do_switch_organization(user, org)
    return org


def do_switch_organization(user, org: Organization) -> None:
    if user.last_organization_id != org.id:
        user.last_organization = org
        user.save(update_fields=["last_organization"])


@transaction.atomic
def do_rename_organization(org: Organization, name: str) -> Organization:
    name = name.strip()
    if not name:
        raise OrgRuleError(_("Please enter a name for the organization."))
    org.name = name
    org.save(update_fields=["name"])
    return org


@transaction.atomic
def do_delete_organization(org: Organization, confirmation: str) -> None:
    if confirmation.strip() != org.slug:
        raise OrgRuleError(_("Type the organization's slug to confirm deletion."))
    org.delete()


def _owner_count(org: Organization) -> int:
    return Membership.objects.for_org(org).filter(role=Role.OWNER).count()


def _lock_memberships(org: Organization) -> None:
    # Serialises concurrent role changes so two admins cannot demote the last two owners at once.
    list(Membership.objects.for_org(org).select_for_update().values_list("id", flat=True))


@transaction.atomic
def do_change_role(actor: Membership, member: Membership, role: str) -> Membership:
    if role not in Role.values:
        raise OrgRuleError(_("Unknown role."))
    _lock_memberships(actor.organization)
    member.refresh_from_db()
    touches_owner = member.role == Role.OWNER or role == Role.OWNER
    if touches_owner and actor.role != Role.OWNER:
        raise OrgRuleError(_("Only an owner can grant or take away ownership."))
    if member.role == Role.OWNER and role != Role.OWNER and _owner_count(actor.organization) <= 1:
        raise OrgRuleError(_("An organization must keep at least one owner. Transfer ownership first."))
    member.role = role
    member.save(update_fields=["role"])
    return member


@transaction.atomic
def do_remove_member(actor: Membership, member: Membership) -> None:
    _lock_memberships(actor.organization)
    member.refresh_from_db()
    if member.role == Role.OWNER:
        if actor.role != Role.OWNER:
            raise OrgRuleError(_("Only an owner can remove an owner."))
        if _owner_count(actor.organization) <= 1:
            raise OrgRuleError(_("An organization must keep at least one owner. Transfer ownership first."))
    _forget_last_organization(member)
    member.delete()


def _forget_last_organization(member: Membership) -> None:
    user = member.user
    if user.last_organization_id == member.organization_id:
        user.last_organization = None
        user.save(update_fields=["last_organization"])


@transaction.atomic
def do_leave_organization(membership: Membership) -> None:
    _lock_memberships(membership.organization)
    membership.refresh_from_db()
    if membership.role == Role.OWNER and _owner_count(membership.organization) <= 1:
        raise OrgRuleError(_("You are the only owner. Transfer ownership to another member before you leave."))
    _forget_last_organization(membership)
    membership.delete()


@transaction.atomic
def do_transfer_ownership(current_owner: Membership, new_owner: Membership) -> None:
    if new_owner.id == current_owner.id:
        raise OrgRuleError(_("Choose another member to transfer ownership to."))
    _lock_memberships(current_owner.organization)
    # Re-read under the lock: a concurrent change may have demoted the actor meanwhile.
    current_owner.refresh_from_db()
    new_owner.refresh_from_db()
    if current_owner.role != Role.OWNER:
        raise OrgRuleError(_("Only an owner can transfer ownership."))
    new_owner.role = Role.OWNER
    new_owner.save(update_fields=["role"])
    current_owner.role = Role.ADMIN
    current_owner.save(update_fields=["role"])


@transaction.atomic
def do_invite_member(actor: Membership, email: str, role: str) -> Invitation:
    org = actor.organization
    email = email.strip().lower()
    if role not in Role.values:
        raise OrgRuleError(_("Unknown role."))
    if role == Role.OWNER and actor.role != Role.OWNER:
        raise OrgRuleError(_("Only an owner can invite another owner."))
    if Membership.objects.for_org(org).filter(user__email__iexact=email).exists():
        raise OrgRuleError(_("%(email)s is already a member of this organization.") % {"email": email})
    expires_at = timezone.now() + timedelta(days=settings.VF_INVITATION_DAYS)
    invitation = Invitation.objects.for_org(org).filter(email__iexact=email, accepted_at__isnull=True).first()
    if invitation is None or not invitation.is_pending:
        # A new (or revived expired) invitation takes a seat: members + open invitations stay within the plan.
        seat_error = seat_limit_error(org)
        if seat_error:
            raise OrgRuleError(seat_error)
    if invitation is None:
        invitation = Invitation.objects.create(
            organization=org, email=email, role=role, invited_by=actor.user, expires_at=expires_at
        )
    else:
        invitation.role, invitation.expires_at, invitation.invited_by = role, expires_at, actor.user
        invitation.save(update_fields=["role", "expires_at", "invited_by"])
    invitation_id, language = invitation.id, translation.get_language()
    transaction.on_commit(lambda: send_invitation_email(invitation_id, language))
    return invitation


def send_invitation_email(invitation_id, language: str | None) -> None:
    invitation = Invitation.objects.unscoped().select_related("organization", "invited_by").get(id=invitation_id)
    link = settings.VF_BASE_URL.rstrip("/") + reverse("invitation_accept", args=[invitation.token])
    with translation.override(language):
        subject = _("You are invited to join %(org)s on ViralForge") % {"org": invitation.organization.name}
        body = render_to_string("orgs/email/invitation.txt", {"invitation": invitation, "link": link})
    send_mail(subject, body, None, [invitation.email])


@transaction.atomic
def do_revoke_invitation(invitation: Invitation) -> None:
    if invitation.accepted_at is not None:
        raise OrgRuleError(_("This invitation has already been accepted."))
    invitation.delete()


@transaction.atomic
def do_accept_invitation(invitation: Invitation, user) -> Membership:
    invitation = Invitation.objects.unscoped().select_for_update().get(id=invitation.id)
    if invitation.accepted_at is not None:
        raise OrgRuleError(_("This invitation has already been used."))
    if invitation.is_expired:
        raise OrgRuleError(_("This invitation has expired. Ask for a new one."))
    if user.email.lower() != invitation.email.lower():
        raise OrgRuleError(
            _("This invitation was sent to %(email)s. Sign in with that address to accept it.")
            % {"email": invitation.email}
        )
    membership, created = Membership.objects.get_or_create(
        organization=invitation.organization, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    do_switch_organization(user, invitation.organization)
    return membership


@transaction.atomic
def do_accept_invitation_as_new_user(invitation: Invitation, password: str, name: str = ""):
    """Accepting creates the account: the invitation link proves the address, so it is verified."""
    from allauth.account.models import EmailAddress

    if User.objects.filter(email__iexact=invitation.email).exists():
        raise OrgRuleError(_("An account with this address exists already. Sign in to accept the invitation."))
    user = User.objects.create_user(email=invitation.email, password=password, name=name.strip())
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    do_accept_invitation(invitation, user)
    return user
