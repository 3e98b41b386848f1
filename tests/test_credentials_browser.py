"""The credentials page in a real Chromium: add a key, test it inline (HTMX), replace it, revoke it."""

import re

import pytest

from apps.credentials.models import ProviderCredential
from tests.support.browser import screenshot
from tests.support.credentials import BAD_SECRET, SECRET

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser, live_server, owner, settings):
    settings.OPENROUTER_BASE_URL = live_server.url + "/sandbox/openrouter/api/v1"
    return browser(owner, height=900)


def test_add_test_replace_revoke(page, live_server, org):
    page.goto(f"{live_server.url}/o/{org.slug}/credentials/")
    page.select_option("select[name=provider]", "openrouter")
    page.fill("input[name=label]", "Main key")
    page.fill("input[name=secret]", SECRET)
    page.click("#credential-add button[type=submit]")
    row = page.locator("tr[id^=credential-]")
    row.wait_for()
    assert "…" + SECRET[-4:] in row.inner_text()
    assert page.url.endswith("/credentials/")  # swapped in place, no navigation
    assert page.locator("input[name=secret]").first.input_value() == ""

    row.get_by_role("button", name="Test connection").click()
    page.wait_for_selector("tr[id^=credential-] >> text=Connection works")
    assert "Answered by the sandbox, not by OpenRouter" in row.inner_text()  # issue 16 (9): who answered

    row.locator("summary").click()
    row.locator("input[name=secret]").fill(BAD_SECRET)
    row.get_by_role("button", name="Replace", exact=True).click()
    page.wait_for_selector("tr[id^=credential-] >> text=version 2")
    row.get_by_role("button", name="Test connection").click()
    page.wait_for_selector("tr[id^=credential-] >> text=OpenRouter rejected the key")

    screenshot(page, "credentials")

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Revoke").click()
    page.wait_for_selector("tr[id^=credential-] >> text=Revoked")
    assert not re.search(re.escape(SECRET) + "|" + re.escape(BAD_SECRET), page.content())
    credential = ProviderCredential.objects.for_org(org).get()
    assert (credential.status, credential.secret_version, credential.last_test_ok) == ("revoked", 2, False)
