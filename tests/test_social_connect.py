"""Connecting a TikTok account: the Accounts page's connect button, the sandbox consent page and
our OAuth callback (signed state bound to session and organization, PKCE S256, scope checks,
every OAuth error translated), reconnect, disconnect (revokes). Real HTTP to the sandbox."""

import hashlib

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import translation

from apps.core.reasons import render
from apps.orgs.roles import Role
from apps.projects.models import Project
from apps.sandbox.tiktok import state
from apps.sandbox.tiktok.views import OAUTH_ERRORS
from apps.social import oauth, reasons
from apps.social.models import AccountStatus, OAuthToken, SocialAccount
from apps.social.tiktok.client import TikTokAPIError
from tests.conftest import make_member
from tests.tiktok_support import PRIVATE, PUBLIC, api_client, consent, sandbox_services, start

sandbox = pytest.fixture(sandbox_services)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def test_authorize_url_carries_scopes_pkce_and_a_signed_state(client_for, owner, org):
    query = start(client_for(owner), org)
    assert query["client_key"] == "sbx-client-viralforge" and query["response_type"] == "code"
    assert query["scope"] == "user.info.basic,user.info.stats,video.publish,video.upload,video.list"
    assert query["redirect_uri"].endswith("/social/tiktok/callback/")
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 64
    data = signing.loads(query["state"], salt=oauth.STATE_SALT)
    assert data["o"] == str(org.id) and data["p"] == "tiktok"
    session = client_for(owner).session
    attempt = session[oauth.SESSION_PREFIX + data["n"]]
    assert hashlib.sha256(attempt["verifier"].encode()).hexdigest() == query["code_challenge"]


def test_connect_stores_the_account_and_encrypted_tokens(sandbox, client_for, owner, org):
    client = client_for(owner)
    response = consent(client, sandbox, start(client, org))
    assert response.status_code == 302 and response["Location"] == reverse("social_accounts", args=[org.slug])
    account = SocialAccount.objects.for_org(org).get()
    assert (account.open_id, account.display_name, account.username) == (PUBLIC, "Alpenglow Coffee", "alpenglow.coffee")
    assert account.status == AccountStatus.CONNECTED and account.connected_by == owner
    assert set(account.scopes) == {"user.info.basic", "user.info.stats", "video.publish", "video.upload", "video.list"}
    assert account.creator_info["max_video_post_duration_sec"] == 600
    assert account.creator_info["privacy_level_options"][0] == "PUBLIC_TO_EVERYONE"
    assert account.stats["follower_count"] == 12840
    token = OAuthToken.objects.for_org(org).get(account=account)
    assert token.payload and "act." not in token.payload and "rft." not in token.payload
    page = client.get(reverse("social_accounts", args=[org.slug]))
    assert b"Alpenglow Coffee" in page.content and b"is connected" in page.content
    # The pair works at the sandbox.
    from apps.social.tokens import unseal

    with api_client(sandbox) as api:
        assert api.user_info(unseal(token).access_token)["open_id"] == PUBLIC
    # Reconnecting the same creator updates the same row, with new tokens.
    old_version = token.version
    consent(client, sandbox, start(client, org))
    assert SocialAccount.objects.for_org(org).count() == 1
    assert OAuthToken.objects.for_org(org).get(account=account).version == old_version + 1


def test_denied_consent_shows_the_message_and_stores_nothing(sandbox, client_for, owner, org):
    client = client_for(owner)
    response = consent(client, sandbox, start(client, org), decision="deny")
    assert response.status_code == 302
    assert messages_of(response) == [
        "You did not allow ViralForge to use the TikTok account. Nothing was connected."
    ]
    assert not SocialAccount.objects.for_org(org).exists() and not OAuthToken.objects.for_org(org).exists()
    assert "token_code" not in state.counts()  # no code, no token request


def test_an_oauth_error_on_the_consent_page_becomes_the_translated_message(sandbox, client_for, owner, org):
    client = client_for(owner)
    response = consent(client, sandbox, start(client, org), decision="error:temporarily_unavailable")
    assert messages_of(response) == [render(reasons.oauth_error("temporarily_unavailable", "TikTok"))]
    assert not SocialAccount.objects.for_org(org).exists()


@pytest.mark.parametrize("error", [*OAUTH_ERRORS, "something_new"])
def test_every_oauth_error_has_an_english_and_a_german_message(error):
    english = render(reasons.oauth_error(error, "TikTok"))
    with translation.override("de"):
        german = render(reasons.oauth_error(error, "TikTok"))
    assert german != english and "TikTok" in german and "TikTok" in english
    assert "%(" not in english + german


def test_missing_scopes_are_refused_and_the_token_is_not_kept(sandbox, client_for, owner, org):
    client = client_for(owner)
    query = start(client, org)
    response = consent(client, sandbox, query, scopes_given="1", scopes=["user.info.basic", "video.list"])
    (message,) = messages_of(response)
    assert "user.info.stats" in message and "video.publish" in message
    assert not SocialAccount.objects.for_org(org).exists()
    assert "token_code" not in state.counts()


def test_a_forged_or_foreign_state_is_refused(sandbox, client_for, owner, org):
    client = client_for(owner)
    query = start(client, org)
    forged = client.get(reverse("social_oauth_callback", args=["tiktok"]), {"code": "x", "state": query["state"] + "x"})
    assert forged.status_code == 400 and b"invalid or has expired" in forged.content
    # The same state in another session (a link sent to someone else) is refused too.
    other = Client()
    other.force_login(owner)
    foreign = other.get(reverse("social_oauth_callback", args=["tiktok"]), {"code": "x", "state": query["state"]})
    assert foreign.status_code == 400
    # Used once, gone: a replay of a good callback fails.
    consent(client, sandbox, query)
    assert SocialAccount.objects.for_org(org).count() == 1
    replay = client.get(reverse("social_oauth_callback", args=["tiktok"]), {"code": "x", "state": query["state"]})
    assert replay.status_code == 400


def test_the_state_is_bound_to_the_organization(sandbox, client_for, owner, org, other_org):
    """A state minted for another organization cannot land an account in this one."""
    make_member(other_org, owner.email.replace("@", "+b@"), Role.OWNER)
    client = client_for(owner)
    query = start(client, org)
    data = signing.loads(query["state"], salt=oauth.STATE_SALT)
    swapped = signing.dumps(data | {"o": str(other_org.id)}, salt=oauth.STATE_SALT, compress=True)
    response = client.get(reverse("social_oauth_callback", args=["tiktok"]), {"code": "x", "state": swapped})
    assert response.status_code == 404  # the user is not a member of the other organization


def test_callback_access(sandbox, client_for, owner, editor, outsider, org):
    """With a valid state (the matrix cannot send one): editors 403, outsiders 404."""
    url = reverse("social_oauth_callback", args=["tiktok"])
    query = start(client_for(owner), org)
    for user, status in ((editor, 403), (outsider, 404)):
        response = client_for(user).get(url, {"code": "x", "state": query["state"]})
        assert response.status_code == status
    assert client_for(owner).get(reverse("social_oauth_callback", args=["myspace"])).status_code == 404


def test_an_unknown_platform_is_404(client_for, owner, org):
    assert client_for(owner).post(reverse("social_connect", args=[org.slug, "myspace"])).status_code == 404


def test_disconnect_revokes_at_the_platform(sandbox, client_for, owner, org):
    client = client_for(owner)
    consent(client, sandbox, start(client, org))
    account = SocialAccount.objects.for_org(org).get()
    from apps.social.tokens import unseal

    access = unseal(OAuthToken.objects.for_org(org).get(account=account)).access_token
    response = client.post(reverse("social_disconnect", args=[org.slug, account.id]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b"Disconnected" in response.content
    account.refresh_from_db()
    token = OAuthToken.objects.for_org(org).get(account=account)
    assert account.status == AccountStatus.REVOKED and token.payload == "" and token.key_id == ""
    assert state.counts()["revoke:200"] == 1
    with api_client(sandbox) as api, pytest.raises(TikTokAPIError) as dead:
        api.user_info(access)
    assert dead.value.code == "access_token_invalid"
    again = client.post(reverse("social_disconnect", args=[org.slug, account.id]), HTTP_HX_REQUEST="true")
    assert again.status_code == 409 and b"already disconnected" in again.content


def test_disconnect_keeps_the_account_when_tiktok_is_down(sandbox, client_for, owner, org):
    from apps.sandbox.faults import set_faults

    client = client_for(owner)
    consent(client, sandbox, start(client, org))
    account = SocialAccount.objects.for_org(org).get()
    set_faults("tiktok", rates={"503": 1})
    response = client.post(reverse("social_disconnect", args=[org.slug, account.id]))
    assert response.status_code == 302 and "temporarily unavailable" in messages_of(response)[-1]
    account.refresh_from_db()
    assert account.status == AccountStatus.CONNECTED
    assert OAuthToken.objects.for_org(org).get(account=account).payload


def test_admins_choose_the_projects(sandbox, client_for, owner, org, other_org):
    client = client_for(owner)
    consent(client, sandbox, start(client, org), creator=PRIVATE)
    account = SocialAccount.objects.for_org(org).get()
    mine = Project.objects.create(organization=org, name="Alpenglow", slug="alpenglow")
    theirs = Project.objects.create(organization=other_org, name="Theirs", slug="theirs")
    url = reverse("social_projects", args=[org.slug, account.id])
    response = client.post(url, {"projects": [str(mine.id)]}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and list(account.projects.all()) == [mine]
    refused = client.post(url, {"projects": [str(theirs.id)]}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 400 and b"Unknown project" in refused.content
    assert list(account.projects.all()) == [mine]
