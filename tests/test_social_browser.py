"""Connecting a TikTok account in a real Chromium, English and German: the Accounts page, the
sandbox consent page, our callback, and the account on the page; a denied consent shows the
message and stores nothing."""

import pytest

from apps.social.models import OAuthToken, SocialAccount
from tests.support.browser import screenshot
from tests.tiktok_support import sandbox_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
sandbox = pytest.fixture(sandbox_services)

TEXT = {
    "en": {
        "connect": "Connect TikTok",
        "connected": "Alpenglow Coffee is connected.",
        "denied": "You did not allow ViralForge to use the TikTok account. Nothing was connected.",
        "status": "Connected",
        "disconnect": "Disconnect",
        "gone": "Disconnected",
    },
    "de": {
        "connect": "TikTok verbinden",
        "connected": "Alpenglow Coffee ist verbunden.",
        "denied": "Sie haben ViralForge den Zugriff auf das TikTok-Konto nicht erlaubt. Es wurde nichts verbunden.",
        "status": "Verbunden",
        "disconnect": "Trennen",
        "gone": "Getrennt",
    },
}


@pytest.mark.parametrize("language", ["en", "de"])
def test_connect_deny_and_disconnect_a_sandbox_account(browser, sandbox, owner, org, language):
    owner.language = language
    owner.save(update_fields=["language"])
    text = TEXT[language]
    page = browser(owner, width=390, height=900)  # the phone width every page must work at
    accounts = f"{sandbox}/o/{org.slug}/accounts/"

    # A denied consent: back on the Accounts page with the message; nothing stored.
    page.goto(accounts)
    page.get_by_role("button", name=text["connect"]).click()
    page.wait_for_url("**/sandbox/tiktok/v2/auth/authorize/**")
    page.get_by_role("button", name="Cancel").click()
    page.wait_for_url(accounts)
    assert text["denied"] in page.locator("body").inner_text()
    assert not SocialAccount.objects.for_org(org).exists() and not OAuthToken.objects.for_org(org).exists()

    # Connected: the consent page, a creator, Authorize, and the account on the page.
    page.get_by_role("button", name=text["connect"]).click()
    page.wait_for_url("**/sandbox/tiktok/v2/auth/authorize/**")
    page.select_option("#creator", "sbx-open-alpenglow")
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(accounts)
    body = page.locator("body").inner_text()
    assert text["connected"] in body and "@alpenglow.coffee" in body and "video.publish" in body
    card = page.locator("article.social-account")
    assert text["status"] in card.inner_text()
    assert card.locator("img.avatar").evaluate("img => img.complete && img.naturalWidth > 0")
    screenshot(page, f"social-accounts-{language}")
    account = SocialAccount.objects.for_org(org).get()
    assert account.display_name == "Alpenglow Coffee" and OAuthToken.objects.for_org(org).get(account=account).payload

    # Disconnect swaps the card in place (HTMX) after the confirmation.
    page.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name=text["disconnect"]).click()
    page.wait_for_selector(f"article.social-account .badge-dead >> text={text['gone']}")
    account.refresh_from_db()
    assert account.status == "revoked"
