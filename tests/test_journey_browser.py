"""Issue 5's promise, in a real Chromium, as a new agency user does it — in English and in German:
sign up → create an organization and a project → Generate → live progress bar → a calendar with
90 posts → edit one, approve one, lock one. Screenshots land in var/screenshots/ (not committed)."""

import calendar
import re
from datetime import date

import pytest
from django.core import mail
from playwright.sync_api import expect

from apps.planning.models import ContentPlan
from apps.posts.models import PostItem, PostStatus
from apps.projects.models import Project
from tests.support.browser import screenshot
from tests.test_browser import _local

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-and-unusual-passphrase"


def _thirty_day_month() -> date:
    """The next month (after this one: the current month is planned from today on) with 30 days,
    so the plan has exactly 90 posts."""
    today = date.today()
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    while calendar.monthrange(year, month)[1] != 30:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return date(year, month, 1)


@pytest.fixture
def browser_page(browser, worker):
    return browser(timeout_ms=20_000)


@pytest.mark.parametrize("language", ["en", "de"])
def test_new_user_generates_and_works_a_month_plan(browser_page, live_server, language):
    page, base = browser_page, live_server.url
    email = f"journey-{language}@agency.test"

    # Sign up and confirm the address.
    page.goto(f"{base}/accounts/signup/")
    if language == "de":
        page.select_option("#language-switcher", "de")
        expect(page.locator("html")).to_have_attribute("lang", "de")
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/accounts/confirm-email/.*"))
    confirmation = next(m for m in mail.outbox if email in m.to)
    page.goto(_local(re.search(r"https?://\S+/accounts/confirm-email/\S+", confirmation.body).group(0), base))
    if "confirm-email" in page.url:
        page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/orgs/new/$"))
    assert page.locator("html").get_attribute("lang") == language

    # Organization, then project.
    page.fill("input[name=name]", f"Journey Media {language.upper()}")
    page.click("main form button[type=submit]")
    org_slug = f"journey-media-{language}"
    page.wait_for_url(re.compile(rf".*/o/{org_slug}/$"))
    page.click("header >> text=" + ("Projekte" if language == "de" else "Projects"))
    page.goto(f"{base}/o/{org_slug}/p/new/")
    page.fill("main form input[name=name]", "Alpenglow Coffee")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(rf".*/o/{org_slug}/p/alpenglow-coffee/settings/$"))
    project = Project.objects.unscoped().get(organization__slug=org_slug, slug="alpenglow-coffee")

    # Generate the month: a live progress bar, then the calendar with 90 posts.
    month = _thirty_day_month()
    page.goto(f"{base}/o/{org_slug}/p/{project.slug}/calendar/{month:%Y-%m}/")
    screenshot(page, f"journey-{language}-01-empty-month")
    page.click("#plan-generate")
    page.locator("#plan-cta [role=progressbar]").first.wait_for()
    screenshot(page, f"journey-{language}-02-progress")
    expect(page.locator(".slot-card")).to_have_count(90, timeout=90_000)
    screenshot(page, f"journey-{language}-03-calendar")
    plan = ContentPlan.objects.unscoped().get(project=project, status="ready")
    assert PostItem.objects.for_org(project.organization).filter(plan=plan).count() == 90

    posts = list(PostItem.objects.for_org(project.organization).filter(plan=plan).order_by("date", "slot")[:3])
    to_edit, to_approve, to_lock = posts

    # Edit one: the tabbed editor opens on its Content tab; Save sits in the sticky action bar (outside the form).
    page.click(f"#card-{to_edit.id}")
    expect(page.locator("#post-editor input[name=hook]")).to_be_visible()
    new_hook = "Kaffee, der nach Bergluft schmeckt" if language == "de" else "Coffee that tastes of mountain air"
    page.fill("#post-editor input[name=hook]", new_hook)
    page.click("#post-actions .save-button")
    # The first save of the server process compiles the policy rule sets: allow it a while.
    expect(page.locator(f"#card-{to_edit.id} .slot-hook")).to_have_text(new_hook, timeout=30_000)
    to_edit.refresh_from_db()
    assert to_edit.hook == new_hook and to_edit.version == 2

    # The open editor covers part of the calendar: close it (Close returns focus to the card) before the next card.
    page.click(".panel-close")
    expect(page.locator("#post-panel .post-panel-inner")).to_have_count(0)
    # Approve one (the project's default rule: an editor or above approves).
    page.click(f"#card-{to_approve.id}")
    page.locator(f"#post-{to_approve.id}").wait_for()
    page.click("#post-panel form[action$='/approve/'] button")
    page.locator(f"#card-{to_approve.id} .badge-status-approved").wait_for()
    to_approve.refresh_from_db()
    assert to_approve.status == PostStatus.APPROVED and to_approve.approved_by.email == email

    page.click(".panel-close")
    expect(page.locator("#post-panel .post-panel-inner")).to_have_count(0)
    # Lock one.
    page.click(f"#card-{to_lock.id}")
    page.locator(f"#post-{to_lock.id}").wait_for()
    page.click("#post-panel form[action$='/lock/'] button")
    page.locator(f"#card-{to_lock.id}.is-locked").wait_for()
    to_lock.refresh_from_db()
    assert to_lock.locked
    screenshot(page, f"journey-{language}-04-edited-approved-locked")

    heading = page.locator("h1").first.inner_text()
    assert ("Kalender" in heading or "Alpenglow" in heading) if language == "de" else True
    assert page.locator("html").get_attribute("lang") == language
    page.wait_for_load_state("networkidle")
