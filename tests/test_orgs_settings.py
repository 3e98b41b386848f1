"""Organization settings: the page, rename, transfer ownership, delete."""

import pytest
from django.urls import reverse

from apps.orgs.models import Membership, Organization
from apps.orgs.roles import Role
from apps.projects.models import Project


def url(name, org):
    return reverse(name, args=[org.slug])


def role_of(org, user):
    return Membership.objects.for_org(org).get(user=user).role


# --- the page ------------------------------------------------------------------------------


def test_owner_sees_transfer_and_delete(client_for, org, owner, editor):
    response = client_for(owner).get(url("org_settings", org))
    assert response.status_code == 200
    html = response.content.decode()
    assert url("org_rename", org) in html
    assert url("org_transfer", org) in html
    assert url("org_delete", org) in html
    assert "editor@alpha.test" in html


def test_admin_sees_rename_only(client_for, org, owner, admin_user):
    response = client_for(admin_user).get(url("org_settings", org))
    assert response.status_code == 200
    html = response.content.decode()
    assert url("org_rename", org) in html
    assert url("org_transfer", org) not in html
    assert url("org_delete", org) not in html


# --- rename --------------------------------------------------------------------------------


def test_rename(client_for, org, admin_user):
    response = client_for(admin_user).post(url("org_rename", org), {"name": "  Alpha Media  "}, follow=True)
    assert response.redirect_chain == [(url("org_settings", org), 302)]
    assert "Organization renamed." in response.content.decode()
    org.refresh_from_db()
    assert org.name == "Alpha Media"
    assert org.slug == "alpha"  # addresses stay stable


@pytest.mark.parametrize("name", ["", "   ", "x" * 121])
def test_rename_with_bad_name_changes_nothing(client_for, org, owner, name):
    response = client_for(owner).post(url("org_rename", org), {"name": name})
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    org.refresh_from_db()
    assert org.name == "Alpha Agency"


# --- transfer ownership --------------------------------------------------------------------


def test_transfer_ownership(client_for, org, owner, editor):
    target = Membership.objects.for_org(org).get(user=editor)
    response = client_for(owner).post(url("org_transfer", org), {"member": str(target.id)}, follow=True)
    assert response.redirect_chain == [(url("org_members", org), 302)]
    assert "editor@alpha.test is now an owner; you are an admin." in response.content.decode()
    assert role_of(org, editor) == Role.OWNER
    assert role_of(org, owner) == Role.ADMIN
    # the former owner is now an admin: owner endpoints are closed to them
    assert response.client.post(url("org_delete", org), {"confirmation": org.slug}).status_code == 403


def test_transfer_to_yourself_is_refused(client_for, org, owner):
    me = Membership.objects.for_org(org).get(user=owner)
    response = client_for(owner).post(url("org_transfer", org), {"member": str(me.id)})
    assert response.status_code == 400
    assert "Choose another member to transfer ownership to." in response.content.decode()
    assert role_of(org, owner) == Role.OWNER


def test_transfer_without_member_is_refused(client_for, org, owner, editor):
    response = client_for(owner).post(url("org_transfer", org), {"member": "not-a-uuid"})
    assert response.status_code == 400
    assert "Choose a member." in response.content.decode()
    assert role_of(org, owner) == Role.OWNER
    assert role_of(org, editor) == Role.EDITOR


def test_transfer_to_member_of_another_org_is_404(client_for, org, other_org, owner, outsider):
    foreign = Membership.objects.for_org(other_org).get(user=outsider)
    assert client_for(owner).post(url("org_transfer", org), {"member": str(foreign.id)}).status_code == 404
    assert role_of(org, owner) == Role.OWNER
    assert not Membership.objects.for_org(org).filter(user=outsider).exists()


# --- delete --------------------------------------------------------------------------------


def test_delete_requires_typing_the_slug(client_for, org, owner):
    Project.objects.create(organization=org, name="Brand", slug="brand")
    response = client_for(owner).post(url("org_delete", org), {"confirmation": "alpha"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert not Organization.objects.filter(id=org.id).exists()
    assert not Project.objects.unscoped().filter(organization_id=org.id).exists()
    assert not Membership.objects.unscoped().filter(organization_id=org.id).exists()
    owner.refresh_from_db()
    assert owner.last_organization_id is None


@pytest.mark.parametrize("confirmation", ["", "Alpha", "Alpha Agency", "alph", "beta"])
def test_delete_with_wrong_confirmation_changes_nothing(client_for, org, owner, other_org, confirmation):
    response = client_for(owner).post(url("org_delete", org), {"confirmation": confirmation})
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert Organization.objects.filter(id=org.id).exists()
    assert Organization.objects.filter(id=other_org.id).exists()
    assert role_of(org, owner) == Role.OWNER
