"""`seed_demo` connects a sandbox TikTok account through the OAuth pages (not by writing rows)."""

from io import StringIO

import pytest
from django.core.management import call_command

from apps.sandbox.inprocess import InProcessTransport
from apps.sandbox.tiktok import state
from apps.social.actions import fresh_access_token
from apps.social.models import AccountStatus, OAuthToken, SocialAccount
from apps.social.tiktok.client import TikTokClient, use_transport
from viralforge.demo import DEMO_ORG_SLUG, DEMO_TIKTOK_CREATOR


@pytest.fixture
def fresh_sandbox():
    state.reset()
    yield
    state.reset()


def test_seed_demo_connects_the_sandbox_account_through_oauth(db, fresh_sandbox):
    out = StringIO()
    call_command("seed_demo", "--no-plan", stdout=out)
    assert "Sandbox TikTok account connected: Alpenglow Coffee (@alpenglow.coffee)." in out.getvalue()
    account = SocialAccount.objects.unscoped().get(organization__slug=DEMO_ORG_SLUG)
    assert account.open_id == DEMO_TIKTOK_CREATOR and account.status == AccountStatus.CONNECTED
    assert [p.slug for p in account.projects.all()] == ["alpenglow-coffee"]
    # It went through the consent page and the token endpoint, once each.
    counts = state.counts()
    assert counts["authorize:302"] == 1 and counts["token_code:200"] == 1
    # The stored token works at the sandbox.
    with use_transport(InProcessTransport()), TikTokClient() as client:
        assert client.user_info(fresh_access_token(account))["display_name"] == "Alpenglow Coffee"
    version = OAuthToken.objects.for_org(account.organization).get(account=account).version
    call_command("seed_demo", "--no-plan", stdout=StringIO())  # idempotent
    assert state.counts()["token_code:200"] == 1
    assert OAuthToken.objects.for_org(account.organization).get(account=account).version == version
