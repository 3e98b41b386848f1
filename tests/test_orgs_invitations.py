"""Invitations: send (with e-mail), refuse duplicates, accept (new or existing account), expire, revoke."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apps.orgs.models import Invitation, Membership
from apps.orgs.roles import Role
from tests.support.accounts import PASSWORD, make_user

HX = {"HTTP_HX_REQUEST": "true"}
NEW_PASSWORD = "a-fresh-long-passphrase-42"


def invite_url(org):
    return reverse("member_invite", args=[org.slug])


def accept_url(invitation):
    return reverse("invitation_accept", args=[invitation.token])


def invitations(org):
    return Invitation.objects.for_org(org)


def make_invitation(org, inviter, email="new@person.test", role=Role.EDITOR, days=3):
    return Invitation.objects.create(
        organization=org,
        email=email,
        role=role,
        invited_by=inviter,
        expires_at=timezone.now() + timedelta(days=days),
    )


# --- sending -------------------------------------------------------------------------------


def test_invite_sends_email_with_accept_link(client_for, org, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(invite_url(org), {"email": "New@Person.test", "role": Role.EDITOR})
    assert response.status_code == 302
    assert response["Location"] == reverse("org_members", args=[org.slug])
    invitation = invitations(org).get()
    assert invitation.email == "new@person.test"
    assert invitation.role == Role.EDITOR
    assert invitation.invited_by == admin_user
    assert invitation.expires_at > timezone.now() + timedelta(days=settings.VF_INVITATION_DAYS - 1)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new@person.test"]
    assert "Alpha Agency" in message.subject
    assert settings.VF_BASE_URL.rstrip("/") + accept_url(invitation) in message.body
    assert "valid until" in message.body and ".." not in message.body  # not "9:24 a.m.."


def test_invite_via_htmx_returns_invitations_partial(client_for, org, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(owner).post(invite_url(org), {"email": "x@person.test", "role": Role.VIEWER}, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="invitations"')
    assert "<html" not in html
    assert "x@person.test" in html
    assert len(mail.outbox) == 1


def test_no_email_when_the_transaction_does_not_commit(client_for, org, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client_for(owner).post(invite_url(org), {"email": "x@person.test", "role": Role.VIEWER})
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_reinviting_refreshes_the_open_invitation(client_for, org, owner, django_capture_on_commit_callbacks):
    first = make_invitation(org, owner, email="again@person.test", role=Role.VIEWER, days=1)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(owner).post(invite_url(org), {"email": "again@person.test", "role": Role.ADMIN})
    invitation = invitations(org).get()
    assert invitation.id == first.id
    assert invitation.role == Role.ADMIN
    assert invitation.expires_at > first.expires_at
    assert len(mail.outbox) == 1


def test_duplicate_member_is_refused_and_nothing_changes(
    client_for, org, owner, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(owner).post(invite_url(org), {"email": "EDITOR@alpha.test", "role": Role.VIEWER})
    assert response.status_code == 400
    assert "editor@alpha.test is already a member of this organization." in response.content.decode()
    assert not invitations(org).exists()
    assert mail.outbox == []
    assert Membership.objects.for_org(org).get(user=editor).role == Role.EDITOR


def test_invalid_email_is_refused(client_for, org, owner):
    response = client_for(owner).post(invite_url(org), {"email": "not-an-email", "role": Role.VIEWER}, **HX)
    assert response.status_code == 400
    assert 'id="invitations"' in response.content.decode()
    assert not invitations(org).exists()


def test_admin_cannot_invite_an_owner(client_for, org, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(invite_url(org), {"email": "boss@person.test", "role": Role.OWNER})
    assert response.status_code == 400
    assert "Only an owner can invite another owner." in response.content.decode()
    assert not invitations(org).exists()
    assert mail.outbox == []


# --- accepting -----------------------------------------------------------------------------


def test_anonymous_invitee_sees_the_password_form(client, org, owner):
    invitation = make_invitation(org, owner)
    response = client.get(accept_url(invitation))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Join Alpha Agency" in html
    assert 'name="password1"' in html


def test_accept_as_new_user_creates_verified_account_membership_and_login(client, org, owner):
    invitation = make_invitation(org, owner, role=Role.EDITOR)
    response = client.post(
        accept_url(invitation), {"name": "Nina New", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("org_dashboard", args=[org.slug])
    user = get_user_model().objects.get(email="new@person.test")
    assert user.name == "Nina New"
    assert user.check_password(NEW_PASSWORD)
    assert user.last_organization_id == org.id
    assert EmailAddress.objects.get(user=user).verified
    assert Membership.objects.for_org(org).get(user=user).role == Role.EDITOR
    invitation.refresh_from_db()
    assert invitation.accepted_by == user and invitation.accepted_at is not None
    # signed in: the dashboard opens without a login
    assert client.get(reverse("org_dashboard", args=[org.slug])).status_code == 200


def test_accept_as_new_user_with_mismatched_passwords_changes_nothing(client, org, owner):
    invitation = make_invitation(org, owner)
    response = client.post(accept_url(invitation), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"})
    assert response.status_code == 400
    assert "The two passwords do not match." in response.content.decode()
    assert not get_user_model().objects.filter(email="new@person.test").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_accept_as_new_user_with_weak_password_is_refused(client, org, owner):
    invitation = make_invitation(org, owner)
    response = client.post(accept_url(invitation), {"password1": "12345", "password2": "12345"})
    assert response.status_code == 400
    assert not get_user_model().objects.filter(email="new@person.test").exists()


def test_accept_while_logged_in_as_the_invited_email(client_for, org, owner, outsider):
    invitation = make_invitation(org, owner, email="OWNER@beta.test", role=Role.VIEWER)
    client = client_for(outsider)
    assert client.get(accept_url(invitation)).status_code == 200
    response = client.post(accept_url(invitation))
    assert response.status_code == 302
    assert response["Location"] == reverse("org_dashboard", args=[org.slug])
    assert Membership.objects.for_org(org).get(user=outsider).role == Role.VIEWER
    outsider.refresh_from_db()
    assert outsider.last_organization_id == org.id
    invitation.refresh_from_db()
    assert invitation.accepted_by == outsider


def test_accept_with_wrong_email_is_refused(client_for, org, owner):
    invitation = make_invitation(org, owner, email="someone@else.test")
    stranger = make_user("stranger@else.test")
    response = client_for(stranger).post(accept_url(invitation))
    assert response.status_code == 400
    assert "This invitation was sent to someone@else.test" in response.content.decode()
    assert not Membership.objects.for_org(org).filter(user=stranger).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_existing_account_must_sign_in_first(client, org, owner):
    make_user("known@person.test")
    invitation = make_invitation(org, owner, email="known@person.test")
    page = client.get(accept_url(invitation))
    assert page.status_code == 200
    assert 'name="password1"' not in page.content.decode()
    assert f"{reverse('account_login')}?next=" in page.content.decode()
    response = client.post(accept_url(invitation), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 400
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert get_user_model().objects.get(email="known@person.test").check_password(PASSWORD)


@pytest.mark.parametrize("method", ["get", "post"])
def test_expired_invitation_is_410(client, org, owner, method):
    invitation = make_invitation(org, owner, days=-1)
    response = getattr(client, method)(
        accept_url(invitation), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD} if method == "post" else None
    )
    assert response.status_code == 410
    assert "no longer valid" in response.content.decode()
    assert not get_user_model().objects.filter(email="new@person.test").exists()


def test_used_invitation_is_410(client_for, org, owner, outsider):
    invitation = make_invitation(org, owner, email="owner@beta.test")
    client = client_for(outsider)
    assert client.post(accept_url(invitation)).status_code == 302
    assert client.post(accept_url(invitation)).status_code == 410


def test_unknown_token_is_404(client, db):
    assert client.get(reverse("invitation_accept", args=["nope"])).status_code == 404


# --- revoking ------------------------------------------------------------------------------


def revoke_url(org, invitation):
    return reverse("invitation_revoke", args=[org.slug, invitation.id])


def test_revoke_deletes_the_invitation_and_the_link_dies(client_for, client, org, owner, admin_user):
    invitation = make_invitation(org, owner)
    response = client_for(admin_user).post(revoke_url(org, invitation), follow=True)
    assert response.redirect_chain == [(reverse("org_members", args=[org.slug]), 302)]
    assert "Invitation to new@person.test revoked." in response.content.decode()
    assert not invitations(org).exists()
    client.logout()
    assert client.get(accept_url(invitation)).status_code == 404


def test_revoke_via_htmx_returns_partial(client_for, org, owner):
    invitation = make_invitation(org, owner)
    response = client_for(owner).post(revoke_url(org, invitation), **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="invitations"')
    section, _sep, oob_messages = html.partition('<div id="messages"')
    assert "new@person.test" not in section
    assert "Invitation to new@person.test revoked." in oob_messages
    assert not invitations(org).exists()


def test_revoke_accepted_invitation_is_refused(client_for, org, owner, outsider):
    invitation = make_invitation(org, owner)
    invitation.accepted_at, invitation.accepted_by = timezone.now(), outsider
    invitation.save()
    response = client_for(owner).post(revoke_url(org, invitation), follow=True)
    assert "This invitation has already been accepted." in response.content.decode()
    assert invitations(org).filter(id=invitation.id).exists()
