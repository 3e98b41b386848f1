"""A person's first minutes, in a real Chromium: sign up, create an organization,
invite a colleague, switch to German."""

import re

import pytest
from django.core import mail

from tests.support.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser):
    return browser(width=1280, height=900)


def test_sign_up_create_org_invite_and_switch_to_german(page, live_server):
    base = live_server.url
    page.goto(f"{base}/accounts/signup/")
    page.fill("input[name=email]", "newcomer@agency.test")
    page.fill("input[name=password1]", "a-long-and-unusual-passphrase")
    page.fill("input[name=password2]", "a-long-and-unusual-passphrase")
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r".*/accounts/confirm-email/.*"))

    confirmation = next(m for m in mail.outbox if "newcomer@agency.test" in m.to)
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", confirmation.body).group(0)
    page.goto(_local(link, base))
    if page.locator("form button[type=submit]").count() and "confirm-email" in page.url:
        page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r".*/orgs/new/$"))
    screenshot(page, "01-create-org")

    page.fill("input[name=name]", "Newcomer Media")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/o/newcomer-media/$"))
    assert page.locator("h1").inner_text() == "Newcomer Media"

    page.click("header summary:has-text('Organization')")
    page.click("header .menu-items >> text=Members")
    page.wait_for_url(re.compile(r".*/o/newcomer-media/members/$"))
    page.fill("#invitations input[name=email]", "colleague@agency.test")
    page.select_option("#invitations select[name=role]", "editor")
    page.click("#invitations button[type=submit]")
    page.locator("#invitations td", has_text="colleague@agency.test").wait_for()
    assert any("colleague@agency.test" in m.to for m in mail.outbox)
    screenshot(page, "02-invited")

    # A refused invitation (400) still shows its reason in place.
    page.fill("#invitations input[name=email]", "newcomer@agency.test")
    page.click("#invitations button[type=submit]")
    page.locator("#invitations .errorlist", has_text="already a member").wait_for()

    page.select_option("#language-switcher", "de")
    page.locator("h1", has_text="Mitglieder").wait_for()
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator("header").get_by_text("Abmelden").count() == 1
    screenshot(page, "03-german")

    page.reload()
    page.locator("h1", has_text="Mitglieder").wait_for()


def _local(link: str, base: str) -> str:
    """The e-mail links to the configured base URL; follow it on the live server instead."""
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    return base + path
