"""The knowledge page in a real Chromium: upload a file (HTMX multipart), search it, delete it."""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

from apps.ai.models import KnowledgeDoc
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(live_server, monkeypatch, client, editor, settings):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    client.force_login(editor)
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

    target = Path(settings.VAR_DIR) / "screenshots"
    target.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target / "knowledge.png"), full_page=True)

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Delete").click()
    row.wait_for(state="detached")
    page.wait_for_selector("#messages >> text=deleted.")
    exists = KnowledgeDoc.objects.for_org(org).exists()
    connections.close_all()  # this thread's connection, or the test database cannot be dropped
    assert not exists
