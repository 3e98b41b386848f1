"""Creating projects and the project list: slugs, validation, the plan's project limit."""

import pytest

from apps.billing.testing import subscribe
from apps.projects.models import Project
from tests.support.projects import HX, basics, make_project, purl, snapshot


def test_create_with_defaults_and_an_address_from_the_name(client_for, org, admin_user):
    response = client_for(admin_user).post(
        purl("project_create", org), basics(name="Müller's Café", slot_1="19:00", slot_3="07:30")
    )
    project = Project.objects.for_org(org).get()
    assert response.status_code == 302
    assert response["Location"] == purl("project_settings", org, project)
    assert project.slug == "mullers-cafe"
    assert project.name == "Müller's Café"
    assert project.language == "de"
    assert project.time_zone == "Europe/Berlin"
    assert project.slot_times == ["07:30", "13:00", "19:00"]  # sorted


def test_create_with_htmx_redirects_the_page(client_for, org, owner):
    response = client_for(owner).post(purl("project_create", org), basics(slug="coffee", language="en"), **HX)
    assert response.status_code == 204
    assert response["HX-Redirect"] == purl("project_settings", org, "coffee")
    assert Project.objects.for_org(org).get().language == "en"


def test_derived_address_avoids_a_taken_one_but_a_chosen_one_must_be_free(client_for, org, owner, other_org):
    subscribe(org, max_projects=5)
    make_project(org, slug="alpenglow-coffee")
    make_project(other_org, slug="roastery")  # another organization's slug is free here
    client = client_for(owner)
    assert client.post(purl("project_create", org), basics()).status_code == 302
    assert Project.objects.for_org(org).filter(slug="alpenglow-coffee-2").exists()
    assert client.post(purl("project_create", org), basics(name="Roastery", slug="roastery")).status_code == 302

    before = snapshot(org)
    response = client.post(purl("project_create", org), basics(name="Clash", slug="alpenglow-coffee"))
    assert response.status_code == 400
    assert "Another project already uses the address" in response.content.decode()
    assert snapshot(org) == before


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": "  "}, "This field is required."),
        ({"slug": "Not A Slug"}, "Use only lower-case letters, digits and hyphens"),
        ({"slug": "new"}, "is reserved"),
        ({"time_zone": "Mars/Olympus"}, "is not a known time zone"),
        ({"slot_2": "25:00"}, "Enter a time as HH:MM"),
        ({"slot_2": "9am"}, "Enter a time as HH:MM"),
        ({"slot_3": "09:00"}, "The three slot times must be different."),
        ({"language": "fr"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_400_and_creates_nothing(client_for, org, owner, overrides, message):
    response = client_for(owner).post(purl("project_create", org), basics(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Project.objects.for_org(org).exists()


def test_the_plans_project_limit_is_enforced(client_for, org, owner):
    subscribe(org, max_projects=1)
    make_project(org)
    client = client_for(owner)
    page = client.get(purl("project_create", org)).content.decode()
    assert "Your plan allows 1 project and you have 1." in page
    assert purl("project_create", org) not in client.get(purl("project_list", org)).content.decode()

    before = snapshot(org)
    response = client.post(purl("project_create", org), basics(name="One too many"))
    assert response.status_code == 400
    assert "Your plan allows 1 project and" in response.content.decode()
    assert snapshot(org) == before


def test_the_list_shows_this_orgs_projects_with_links(client_for, org, other_org, viewer, admin_user):
    subscribe(org, max_projects=5)
    make_project(org, slug="coffee", name="Coffee")
    make_project(other_org, slug="secret", name="Secret Beta Brand")
    html = client_for(viewer).get(purl("project_list", org)).content.decode()
    assert purl("project_dashboard", org, "coffee") in html
    assert "Secret Beta Brand" not in html
    assert purl("project_create", org) not in html  # viewers cannot create
    assert purl("project_create", org) in client_for(admin_user).get(purl("project_list", org)).content.decode()


def test_org_dashboard_links_projects_and_offers_new_project_to_admins(client_for, org, admin_user, editor):
    make_project(org, slug="coffee", name="Coffee")
    dashboard = purl("org_dashboard", org)
    html = client_for(admin_user).get(dashboard).content.decode()
    assert purl("project_dashboard", org, "coffee") in html and purl("project_create", org) in html
    html = client_for(editor).get(dashboard).content.decode()
    assert purl("project_dashboard", org, "coffee") in html and purl("project_create", org) not in html
