"""The knowledge page in a real Chromium: upload a file (HTMX multipart), search it, delete it."""

import pytest

from apps.ai.models import KnowledgeDoc
from tests.support.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser, editor):
    return browser(editor, height=900)


def test_upload_search_delete(page, live_server, org, tmp_path):
    rules = tmp_path / "house-rules.md"
    rules.write_text("# Hausregeln\n\nWir versprechen nie eine Heilwirkung von Kaffee.\n\nPreise nennen wir nie.")
    page.goto(f"{live_server.url}/o/{org.slug}/ai/knowledge/")
    page.select_option("select[name=kind]", "brand_constraint")
    page.set_input_files("input[name=file]", str(rules))
    page.click("#knowledge-add button[type=submit]")
    row = page.locator("tr[id^=knowledge-doc-]")
    row.wait_for()
    assert "house-rules" in row.inner_text() and "Brand constraint" in row.inner_text()
    assert page.url.endswith("/ai/knowledge/")  # swapped in place

    page.fill("#knowledge-search input[name=q]", "Heilwirkung")
    page.click("#knowledge-search button[type=submit]")
    result = page.locator(".knowledge-result").first
    result.wait_for()
    assert "Heilwirkung" in result.inner_text() and "score" in result.inner_text()
    assert "/ai/knowledge/search/?q=Heilwirkung" in page.url  # pushed: a reload shows the same

    screenshot(page, "knowledge")

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Delete").click()
    row.wait_for(state="detached")
    page.wait_for_selector("#messages >> text=deleted.")
    exists = KnowledgeDoc.objects.for_org(org).exists()
    assert not exists
