"""Messages added during an HTMX request are shown at once (out-of-band), not on some later page."""

from apps.orgs.models import Invitation


def test_htmx_invite_shows_its_message_out_of_band(client_for, owner, org):
    client = client_for(owner)
    response = client.post(
        f"/o/{org.slug}/members/invite/", {"email": "new@alpha.test", "role": "editor"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert 'id="messages"' in body and 'hx-swap-oob="true"' in body
    assert "Invitation sent to new@alpha.test" in body
    assert Invitation.objects.for_org(org).filter(email="new@alpha.test").exists()
    # Consumed: the next full page does not repeat it.
    assert "Invitation sent to" not in client.get(f"/o/{org.slug}/members/").content.decode()


def test_plain_request_keeps_messages_for_the_next_page(client_for, owner, org):
    client = client_for(owner)
    response = client.post(f"/o/{org.slug}/members/invite/", {"email": "new@alpha.test", "role": "editor"}, follow=True)
    body = response.content.decode()
    assert body.count("Invitation sent to new@alpha.test") == 1
    assert 'hx-swap-oob="true"' not in body
