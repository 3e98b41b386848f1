"""The credentials page in a real Chromium: add a key, test it inline (HTMX), replace it, revoke it."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

from apps.credentials.models import ProviderCredential
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS
from tests.test_credentials_support import BAD_SECRET, SECRET

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(live_server, monkeypatch, client, owner, settings):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.OPENROUTER_BASE_URL = live_server.url + "/sandbox/openrouter/api/v1"
    client.force_login(owner)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: `make test` installs it with apt"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 900})
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()
        browser.close()


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

    row.locator("summary").click()
    row.locator("input[name=secret]").fill(BAD_SECRET)
    row.get_by_role("button", name="Replace", exact=True).click()
    page.wait_for_selector("tr[id^=credential-] >> text=version 2")
    row.get_by_role("button", name="Test connection").click()
    page.wait_for_selector("tr[id^=credential-] >> text=OpenRouter rejected the key")

    target = Path(settings.VAR_DIR) / "screenshots"
    target.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target / "credentials.png"), full_page=True)

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Revoke").click()
    page.wait_for_selector("tr[id^=credential-] >> text=Revoked")
    assert not re.search(re.escape(SECRET) + "|" + re.escape(BAD_SECRET), page.content())
    credential = ProviderCredential.objects.for_org(org).get()
    # Inside Playwright's sync API this thread runs in another context, hence with its own database
    # connection: close it, or the test database cannot be dropped at the end of the session.
    connections.close_all()
    assert (credential.status, credential.secret_version, credential.last_test_ok) == ("revoked", 2, False)
