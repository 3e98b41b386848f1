"""Issue 16, done-when: a German (and English) session of an owner and a viewer visits every page
reachable from the navigation: 0 axe-core violations of any impact, no English UI string of the
catalogue in the German UI, no "du"; on a 390 px phone the header stays ≤ 64 px (menu button).
Screenshots of the pages land in var/screenshots/."""

import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import polib
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from apps.projects.models import ApprovalRule
from tests.support.browser import screenshot
from tests.support.posts import make_plan, make_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PO = Path(__file__).resolve().parent.parent / "locale" / "de" / "LC_MESSAGES" / "django.po"
DU = re.compile(r"\b(du|dich|dir|dein|deine|deinen|deinem|deiner|deines)\b")
# Pages outside the product's own UI (the navigation links there, but they are no page to audit here).
SKIP = ("/accounts/logout/", "/admin/")
# The pages this issue changed, photographed in both languages (full-page screenshots are slow).
SCREENSHOTS = ("/calendar/", "/billing/", "/jobs/", "/members/", "/ai/decisions/", "/settings/")


@lru_cache(maxsize=1)
def _english_strings() -> tuple[tuple[str, re.Pattern], ...]:
    """The catalogue's English UI strings whose German differs: at least two words or eight letters
    (a word German uses too, such as "Rendering", appears in some German translation: not counted), each
    compiled once: ~1,500 patterns overflow `re`'s cache, and recompiling them took seconds per page."""
    catalogue = polib.pofile(str(PO))
    german = "\n".join(entry.msgstr for entry in catalogue if entry.msgstr)
    found = []
    for entry in catalogue:
        text = entry.msgid
        if entry.obsolete or entry.msgid_plural or not entry.msgstr or entry.msgstr == text:
            continue
        if "%" in text or "<" in text or "{" in text or "\n" in text:
            continue
        if re.search(rf"\b{re.escape(text)}\b", german):
            continue
        if len(text.split()) >= 2 or sum(ch.isalpha() for ch in text) >= 8:
            found.append((text, re.compile(rf"\b{re.escape(text)}\b")))
    return tuple(found)


def _nav_links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "header.site-header a[href], nav.project-nav a[href]", "links => links.map(link => link.href)"
    )
    links = []
    for href in hrefs:
        parts = urlsplit(href)
        if not href.startswith(base) or any(skip in parts.path for skip in SKIP):
            continue
        if href not in links:
            links.append(href)
    return links


def _audit(page, url: str, language: str, english: tuple[tuple[str, re.Pattern], ...], audited: set[str]) -> list[str]:
    """Opens `url` and audits it unless this session audited the page it lands on already (two links,
    e.g. the header's and the project navigation's, may lead to the same page after a redirect)."""
    problems = []
    response = page.goto(url)
    if response.status != 200:  # the navigation offers only what the role may open
        problems.append(f"{url}: HTTP {response.status}")
    if page.url in audited:
        return problems
    audited.add(page.url)
    expect(page.locator("html")).to_have_attribute("lang", language)
    results = Axe().run(page)
    if results.violations_count:
        problems.append(f"{url}: {results.generate_report()}")
    if language == "de":
        # Identifiers (prompt keys, codes) are shown as <code>: not UI text.
        text = page.eval_on_selector(
            "body",
            "body => { const copy = body.cloneNode(true);"
            " copy.querySelectorAll('code, pre, kbd').forEach(e => e.remove());"
            " document.documentElement.appendChild(copy); const text = copy.innerText; copy.remove(); return text; }",
        )
        problems += [f"{url}: English “{phrase}”" for phrase, pattern in english if pattern.search(text)]
        problems += [f"{url}: “{match}”" for match in DU.findall(text)]
    return problems


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("role", ["owner", "viewer"])
def test_every_page_of_the_navigation(role, language, request, browser, live_server, org, owner, viewer):
    project = make_project(org, approval_rule=ApprovalRule.EDITOR)
    make_plan(project, posts=6)
    english = _english_strings()
    base = live_server.url
    user = request.getfixturevalue(role)
    user.language = language
    user.save(update_fields=["language"])
    page = browser(user)
    page.goto(f"{base}/o/{org.slug}/p/{project.slug}/")
    links = _nav_links(page, base)
    assert any("/calendar/" in link for link in links) and any("/members/" in link for link in links), links
    problems, audited = [], set()
    for url in links:
        problems += _audit(page, url, language, english, audited)
        if role == "owner" and any(part in url for part in SCREENSHOTS):
            screenshot(page, f"product-{language}-" + (urlsplit(url).path.strip("/").replace("/", "-") or "home"))
    assert not problems, "\n".join(problems)


def test_phone_header_is_one_line_with_a_menu_button(browser, live_server, org, owner):
    project = make_project(org)
    make_plan(project, posts=3)
    page = browser(owner, width=390, height=844)
    base = f"{live_server.url}/o/{org.slug}"
    for name, path in (
        ("dashboard", "/"),
        ("calendar", f"/p/{project.slug}/calendar/2026-03/"),
        ("settings", f"/p/{project.slug}/settings/"),
    ):
        page.goto(base + path)
        header = page.locator("header.site-header").bounding_box()
        assert header["height"] <= 64, (name, header)
        screenshot(page, f"phone-{name}")
    # The menu button opens the navigation and closes it again; the dropdowns close on Escape.
    toggle = page.locator("[data-nav-toggle]")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#site-nav")).to_be_hidden()
    toggle.click()
    expect(page.locator("#site-nav")).to_be_visible()
    page.locator("details.menu > summary").first.click()
    expect(page.locator("details.menu[open]")).to_have_count(1)
    page.keyboard.press("Escape")
    expect(page.locator("details.menu[open]")).to_have_count(0)
    # A click elsewhere closes an open dropdown too, and the page under it stays usable.
    page.locator("details.menu > summary").first.click()
    expect(page.locator("details.menu[open]")).to_have_count(1)
    page.locator("main h1").first.click()
    expect(page.locator("details.menu[open]")).to_have_count(0)
    screenshot(page, "phone-menu-open")
    toggle.click()
    expect(page.locator("#site-nav")).to_be_hidden()
