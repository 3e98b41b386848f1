"""Creating an organization: the creator becomes its owner; slugs are unique."""

from django.urls import reverse

from apps.orgs.models import Membership, Organization
from apps.orgs.roles import Role
from tests.support.accounts import make_user

URL = "/orgs/new/"


def test_create_page_renders(client_for, db):
    response = client_for(make_user("new@person.test")).get(URL)
    assert response.status_code == 200
    assert 'name="name"' in response.content.decode()


def test_create_makes_the_creator_owner_and_switches(client_for, db):
    user = make_user("new@person.test")
    response = client_for(user).post(URL, {"name": "  Gamma Studio  "})
    org = Organization.objects.get(slug="gamma-studio")
    assert response.status_code == 302
    assert response["Location"] == reverse("org_dashboard", args=[org.slug])
    assert org.name == "Gamma Studio"
    assert Membership.objects.for_org(org).get(user=user).role == Role.OWNER
    user.refresh_from_db()
    assert user.last_organization_id == org.id


def test_slugs_are_unique(client_for, org, owner):
    client = client_for(owner)
    client.post(URL, {"name": "Alpha"})
    client.post(URL, {"name": "Alpha"})
    client.post(URL, {"name": "Alpha!"})
    slugs = sorted(Organization.objects.filter(name__startswith="Alpha").values_list("slug", flat=True))
    assert slugs == ["alpha", "alpha-2", "alpha-3", "alpha-4"]
    # the existing organization was not touched
    org.refresh_from_db()
    assert org.name == "Alpha Agency"
    assert Membership.objects.filter(user=owner).count() == 4


def test_name_without_slug_characters_still_gets_a_slug(client_for, db):
    user = make_user("new@person.test")
    client_for(user).post(URL, {"name": "!!!"})
    assert Organization.objects.get(name="!!!").slug == "org"


def test_empty_name_is_refused(client_for, db):
    user = make_user("new@person.test")
    response = client_for(user).post(URL, {"name": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Organization.objects.exists()


def test_blank_name_is_refused(client_for, db):
    user = make_user("new@person.test")
    response = client_for(user).post(URL, {"name": "   "})
    assert response.status_code == 400
    assert not Organization.objects.exists()
