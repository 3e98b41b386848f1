"""The prompt editor and the decision log in a real Chromium: live diff preview, save, filter swap."""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

from apps.ai import prompts
from apps.ai.models import AIDecision
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(live_server, monkeypatch, client, owner, settings):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
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
        connections.close_all()  # the test's connection, or the test database cannot be dropped


def _screenshot(page, name: str) -> None:
    target = Path(settings.VAR_DIR) / "screenshots"
    target.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target / name), full_page=True)


def test_edit_a_prompt_with_live_diff_then_reset(page, live_server, org):
    page.goto(f"{live_server.url}/o/{org.slug}/ai/prompts/compliance/")
    assert "Same as the default." in page.locator("#prompt-diff").inner_text()
    system = page.locator("textarea[name=system_template]")
    system.fill(system.input_value() + "\nAlways name the rule you apply.")
    added = page.locator("#prompt-diff .diff-add", has_text="+Always name the rule you apply.")
    added.wait_for()  # the HTMX preview swapped in without saving
    assert prompts.org_override(org, "compliance") is None
    _screenshot(page, "prompt-edit.png")

    page.click("#prompt-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/o/{org.slug}/ai/prompts/")
    row = page.locator("#prompt-compliance")
    assert "override" in row.inner_text()
    assert prompts.org_override(org, "compliance").system_template.endswith("Always name the rule you apply.")
    _screenshot(page, "prompt-library.png")

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Reset to default").click()
    page.wait_for_selector("#messages >> text=uses the default again")
    assert prompts.org_override(org, "compliance") is None


def test_filter_the_decision_log(page, live_server, org):
    for agent, outcome in [("script", "ok"), ("research", "failed"), ("research", "ok")]:
        AIDecision.objects.create(organization=org, agent=agent, input_digest="d" * 64, outcome=outcome, offline=True)
    page.goto(f"{live_server.url}/o/{org.slug}/ai/decisions/")
    assert page.locator("tr[id^=decision-]").count() == 3
    page.select_option("#decision-filters select[name=agent]", "research")
    page.wait_for_function("document.querySelectorAll('tr[id^=decision-]').length === 2")
    page.select_option("#decision-filters select[name=outcome]", "failed")
    page.wait_for_function("document.querySelectorAll('tr[id^=decision-]').length === 1")
    assert "agent=research" in page.url and "outcome=failed" in page.url
    _screenshot(page, "ai-decisions.png")
    page.locator("tr[id^=decision-] a").first.click()
    page.wait_for_selector("text=offline draft")
