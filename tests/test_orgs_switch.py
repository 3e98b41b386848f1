"""The organization switcher and the home redirect."""

from django.urls import reverse

from apps.orgs.models import Membership
from apps.orgs.roles import Role
from tests.support.accounts import make_user

SWITCH = "/orgs/switch/"


def dashboard(org):
    return reverse("org_dashboard", args=[org.slug])


def test_switch_sets_last_organization(client_for, org, other_org, owner):
    Membership.objects.create(organization=other_org, user=owner, role=Role.VIEWER)
    response = client_for(owner).post(SWITCH, {"org": other_org.slug})
    assert response.status_code == 302
    assert response["Location"] == dashboard(other_org)
    owner.refresh_from_db()
    assert owner.last_organization_id == other_org.id


def test_switch_to_foreign_org_is_404(client_for, org, other_org, owner):
    owner.last_organization = org
    owner.save()
    assert client_for(owner).post(SWITCH, {"org": other_org.slug}).status_code == 404
    owner.refresh_from_db()
    assert owner.last_organization_id == org.id


def test_switch_to_missing_org_is_404(client_for, org, owner):
    assert client_for(owner).post(SWITCH, {"org": ""}).status_code == 404
    assert client_for(owner).post(SWITCH, {"org": "nope"}).status_code == 404


def test_home_redirects_to_last_org(client_for, org, other_org, owner):
    Membership.objects.create(organization=other_org, user=owner, role=Role.VIEWER)
    client = client_for(owner)
    client.post(SWITCH, {"org": other_org.slug})
    assert client.get("/")["Location"] == dashboard(other_org)
    client.post(SWITCH, {"org": org.slug})
    assert client.get("/")["Location"] == dashboard(org)


def test_visiting_an_org_makes_it_the_last_one(client_for, org, other_org, owner):
    Membership.objects.create(organization=other_org, user=owner, role=Role.VIEWER)
    client = client_for(owner)
    client.get(dashboard(other_org))
    assert client.get("/")["Location"] == dashboard(other_org)


def test_home_falls_back_to_a_membership_when_last_org_was_left(client_for, org, other_org, owner):
    owner.last_organization = other_org  # not a member (any more)
    owner.save()
    assert client_for(owner).get("/")["Location"] == dashboard(org)


def test_home_without_membership_goes_to_create(client_for, db):
    assert client_for(make_user("lonely@person.test")).get("/")["Location"] == reverse("org_create")


def test_switcher_lists_only_own_orgs(client_for, org, other_org, owner, outsider):
    html = client_for(owner).get(dashboard(org)).content.decode()
    assert f'value="{org.slug}"' in html
    assert f'value="{other_org.slug}"' not in html
