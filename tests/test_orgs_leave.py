"""Leaving an organization; the last owner has to hand over first."""

from django.urls import reverse

from apps.orgs.models import Membership
from apps.orgs.roles import Role
from tests.support.accounts import make_member

HX = {"HTTP_HX_REQUEST": "true"}


def leave_url(org):
    return reverse("org_leave", args=[org.slug])


def test_viewer_leaves(client_for, org, owner, viewer):
    viewer.last_organization = org
    viewer.save()
    response = client_for(viewer).post(leave_url(org), follow=True)
    assert response.redirect_chain[0] == (reverse("home"), 302)
    assert "You left Alpha Agency." in response.content.decode()
    assert not Membership.objects.for_org(org).filter(user=viewer).exists()
    viewer.refresh_from_db()
    assert viewer.last_organization_id is None
    # no access any more
    assert response.client.get(reverse("org_dashboard", args=[org.slug])).status_code == 404


def test_leave_via_htmx_redirects_the_page(client_for, org, owner, editor):
    response = client_for(editor).post(leave_url(org), **HX)
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("home")
    assert not Membership.objects.for_org(org).filter(user=editor).exists()


def test_last_owner_cannot_leave(client_for, org, owner, editor):
    response = client_for(owner).post(leave_url(org), follow=True)
    assert response.redirect_chain == [(reverse("org_members", args=[org.slug]), 302)]
    assert "You are the only owner. Transfer ownership to another member before you leave." in (
        response.content.decode()
    )
    assert Membership.objects.for_org(org).get(user=owner).role == Role.OWNER


def test_one_of_two_owners_can_leave(client_for, org, owner):
    make_member(org, "owner2@alpha.test", Role.OWNER)
    client_for(owner).post(leave_url(org))
    assert not Membership.objects.for_org(org).filter(user=owner).exists()
    assert Membership.objects.for_org(org).filter(role=Role.OWNER).count() == 1


def test_leaving_one_org_keeps_the_others(client_for, org, other_org, owner, viewer):
    Membership.objects.create(organization=other_org, user=viewer, role=Role.EDITOR)
    client_for(viewer).post(leave_url(org))
    assert Membership.objects.for_org(other_org).filter(user=viewer).exists()


def test_the_sole_owner_is_told_why_instead_of_a_leave_button(client_for, org, owner, editor):
    """Issue 16 (8): the only owner gets no "Leave organization" button that always fails."""
    html = client_for(owner).get(reverse("org_members", args=[org.slug])).content.decode()
    assert 'id="sole-owner-note"' in html and "Leave organization</button>" not in html
    html = client_for(editor).get(reverse("org_members", args=[org.slug])).content.decode()
    assert 'id="sole-owner-note"' not in html and "Leave organization</button>" in html
    make_member(org, "second-owner@example.com", Role.OWNER)
    html = client_for(owner).get(reverse("org_members", args=[org.slug])).content.decode()
    assert "Leave organization</button>" in html
