"""The prompt editor and the decision log in a real Chromium: live diff preview, save, filter swap."""

import pytest
from playwright.sync_api import expect

from apps.ai import prompts
from apps.ai.models import AIDecision
from tests.support.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser, owner):
    return browser(owner, height=900)


def test_edit_a_prompt_with_live_diff_then_reset(page, live_server, org):
    page.goto(f"{live_server.url}/o/{org.slug}/ai/prompts/compliance/")
    assert "Same as the default." in page.locator("#prompt-diff").inner_text()
    system = page.locator("textarea[name=system_template]")
    system.fill(system.input_value() + "\nAlways name the rule you apply.")
    added = page.locator("#prompt-diff .diff-add", has_text="+Always name the rule you apply.")
    added.wait_for()  # the HTMX preview swapped in without saving
    assert prompts.org_override(org, "compliance") is None
    screenshot(page, "prompt-edit")

    page.click("#prompt-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/o/{org.slug}/ai/prompts/")
    row = page.locator("#prompt-compliance")
    assert "override" in row.inner_text()
    assert prompts.org_override(org, "compliance").system_template.endswith("Always name the rule you apply.")
    screenshot(page, "prompt-library")

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
    expect(page.locator("tr[id^=decision-]")).to_have_count(2)
    page.select_option("#decision-filters select[name=outcome]", "failed")
    expect(page.locator("tr[id^=decision-]")).to_have_count(1)
    assert "agent=research" in page.url and "outcome=failed" in page.url
    screenshot(page, "ai-decisions")
    page.locator("tr[id^=decision-] a").first.click()
    page.wait_for_selector("text=offline draft")
