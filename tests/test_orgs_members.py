"""The members page: list, HTMX role change, HTMX remove, and the rules around owners."""

from django.urls import reverse

from apps.orgs.models import Membership
from apps.orgs.roles import Role
from tests.support.accounts import make_member

HX = {"HTTP_HX_REQUEST": "true"}


def members_url(org):
    return reverse("org_members", args=[org.slug])


def membership(org, user):
    return Membership.objects.for_org(org).get(user=user)


def role_url(org, member):
    return reverse("member_role", args=[org.slug, member.id])


def remove_url(org, member):
    return reverse("member_remove", args=[org.slug, member.id])


# --- the page ------------------------------------------------------------------------------


def test_members_page_lists_members_and_open_invitations(client_for, org, owner, editor, viewer, outsider):
    response = client_for(owner).get(members_url(org))
    assert response.status_code == 200
    html = response.content.decode()
    for email in ("owner@alpha.test", "editor@alpha.test", "viewer@alpha.test"):
        assert email in html
    assert "owner@beta.test" not in html
    assert reverse("member_invite", args=[org.slug]) in html
    assert reverse("member_remove", args=[org.slug, membership(org, editor).id]) in html


def test_viewer_sees_members_without_management_controls(client_for, org, owner, viewer):
    response = client_for(viewer).get(members_url(org))
    assert response.status_code == 200
    html = response.content.decode()
    assert "owner@alpha.test" in html
    assert reverse("member_invite", args=[org.slug]) not in html
    assert "/remove/" not in html
    assert "/role/" not in html


def test_members_page_remembers_the_org(client_for, org, other_org, owner):
    Membership.objects.create(organization=other_org, user=owner, role=Role.VIEWER)
    owner.last_organization = other_org
    owner.save()
    client_for(owner).get(members_url(org))
    owner.refresh_from_db()
    assert owner.last_organization_id == org.id


def test_members_page_query_count_does_not_grow_with_members(
    client_for, org, owner, django_assert_max_num_queries, django_assert_num_queries
):
    client = client_for(owner)
    for i in range(2):
        make_member(org, f"m{i}@alpha.test", Role.EDITOR)
    client.get(members_url(org))  # the first visit also remembers the org on the user
    with django_assert_max_num_queries(12) as small:
        assert client.get(members_url(org)).status_code == 200
    for i in range(2, 19):
        make_member(org, f"m{i}@alpha.test", Role.VIEWER)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(members_url(org))
    assert response.status_code == 200
    assert response.content.decode().count('<tr id="member-') == 20


# --- role change ---------------------------------------------------------------------------


def test_htmx_role_change_returns_only_the_row(client_for, org, owner, editor):
    member = membership(org, editor)
    response = client_for(owner).post(role_url(org, member), {"role": Role.ADMIN}, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="member-{member.id}"')
    assert "<html" not in html and "<body" not in html
    assert 'value="admin" selected' in html
    member.refresh_from_db()
    assert member.role == Role.ADMIN


def test_role_change_without_htmx_redirects_with_message(client_for, org, admin_user, editor):
    member = membership(org, editor)
    response = client_for(admin_user).post(role_url(org, member), {"role": Role.VIEWER}, follow=True)
    assert response.redirect_chain == [(members_url(org), 302)]
    assert "Role updated." in response.content.decode()
    member.refresh_from_db()
    assert member.role == Role.VIEWER


def test_invalid_role_is_refused_and_changes_nothing(client_for, org, owner, editor):
    member = membership(org, editor)
    response = client_for(owner).post(role_url(org, member), {"role": "emperor"}, **HX)
    assert response.status_code == 400
    assert "Choose a valid role." in response.content.decode()
    member.refresh_from_db()
    assert member.role == Role.EDITOR


def test_admin_cannot_make_someone_owner(client_for, org, owner, admin_user, editor):
    member = membership(org, editor)
    response = client_for(admin_user).post(role_url(org, member), {"role": Role.OWNER}, **HX)
    assert response.status_code == 400
    assert "Only an owner can grant or take away ownership." in response.content.decode()
    member.refresh_from_db()
    assert member.role == Role.EDITOR


def test_admin_cannot_demote_an_owner(client_for, org, owner, admin_user):
    make_member(org, "owner2@alpha.test", Role.OWNER)
    member = membership(org, owner)
    response = client_for(admin_user).post(role_url(org, member), {"role": Role.VIEWER}, **HX)
    assert response.status_code == 400
    member.refresh_from_db()
    assert member.role == Role.OWNER


def test_last_owner_cannot_be_demoted(client_for, org, owner):
    member = membership(org, owner)
    response = client_for(owner).post(role_url(org, member), {"role": Role.ADMIN}, **HX)
    assert response.status_code == 400
    assert "at least one owner" in response.content.decode()
    member.refresh_from_db()
    assert member.role == Role.OWNER


def test_owner_can_demote_another_owner(client_for, org, owner):
    second = make_member(org, "owner2@alpha.test", Role.OWNER)
    member = membership(org, second)
    response = client_for(owner).post(role_url(org, member), {"role": Role.EDITOR}, **HX)
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.role == Role.EDITOR


# --- remove --------------------------------------------------------------------------------


def test_htmx_remove_returns_empty_body_and_trigger(client_for, org, owner, editor):
    member = membership(org, editor)
    response = client_for(owner).post(remove_url(org, member), **HX)
    assert response.status_code == 200
    assert response.content == b""
    assert response["HX-Trigger"] == "memberRemoved"
    assert not Membership.objects.for_org(org).filter(id=member.id).exists()


def test_remove_without_htmx_redirects_with_message(client_for, org, admin_user, editor):
    editor.last_organization = org
    editor.save()
    response = client_for(admin_user).post(remove_url(org, membership(org, editor)), follow=True)
    assert response.redirect_chain == [(members_url(org), 302)]
    assert "editor@alpha.test was removed." in response.content.decode()
    editor.refresh_from_db()
    assert editor.last_organization_id is None
    assert not Membership.objects.for_org(org).filter(user=editor).exists()


def test_admin_cannot_remove_an_owner(client_for, org, owner, admin_user):
    make_member(org, "owner2@alpha.test", Role.OWNER)
    member = membership(org, owner)
    response = client_for(admin_user).post(remove_url(org, member), **HX)
    assert response.status_code == 400
    assert "Only an owner can remove an owner." in response.content.decode()
    assert response.content.decode().lstrip().startswith(f'<tr id="member-{member.id}"')
    assert Membership.objects.for_org(org).filter(id=member.id).exists()


def test_last_owner_cannot_be_removed(client_for, org, owner):
    member = membership(org, owner)
    response = client_for(owner).post(remove_url(org, member), follow=True)
    assert "at least one owner" in response.content.decode()
    member.refresh_from_db()
    assert member.role == Role.OWNER


def test_owner_can_remove_another_owner(client_for, org, owner):
    second = make_member(org, "owner2@alpha.test", Role.OWNER)
    response = client_for(owner).post(remove_url(org, membership(org, second)), **HX)
    assert response.status_code == 200
    assert not Membership.objects.for_org(org).filter(user=second).exists()


def test_removing_yourself_sends_you_home(client_for, org, owner, admin_user):
    response = client_for(admin_user).post(remove_url(org, membership(org, admin_user)), **HX)
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("home")
    assert not Membership.objects.for_org(org).filter(user=admin_user).exists()


def test_settings_link_only_for_admins(client_for, org, owner, editor):
    settings_url = f'href="/o/{org.slug}/settings/"'
    assert settings_url in client_for(owner).get(f"/o/{org.slug}/").content.decode()
    assert settings_url not in client_for(editor).get(f"/o/{org.slug}/").content.decode()
