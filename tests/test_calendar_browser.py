"""The calendar in a real Chromium: HTMX filters and month navigation, the editor panel, approve, move."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from apps.posts.models import PostItem, PostStatus
from apps.projects.models import ApprovalRule
from tests.support.browser import screenshot
from tests.support.posts import MONTH, make_plan, make_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser, editor):
    return browser(editor)


def test_calendar_edit_approve_filter_move(page, live_server, org, editor):
    project = make_project(org, approval_rule=ApprovalRule.EDITOR)
    plan = make_plan(project, posts=9)
    first = plan.posts.get(date=MONTH, slot=1)
    base = f"{live_server.url}/o/{org.slug}/p/{project.slug}"

    page.goto(f"{base}/calendar/2026-03/")
    assert page.locator(".slot-card").count() == 9
    screenshot(page, "calendar-01-month")

    # Keyboard: focus the first card, Enter opens the panel beside the grid.
    page.focus(f"#card-{first.id}")
    page.keyboard.press("Enter")
    page.locator("#post-editor").wait_for()
    assert page.url.endswith("/calendar/2026-03/")

    page.fill("#post-editor input[name=hook]", "Espresso wie vom Barista")
    page.click("#post-editor button[type=submit]")
    page.locator(f"#card-{first.id} .slot-hook", has_text="Espresso wie vom Barista").wait_for()
    page.locator("#messages", has_text="Saved.").wait_for()
    first.refresh_from_db()
    assert first.version == 2

    page.click("#post-panel button:has-text('Approve')")
    page.locator(f"#card-{first.id} .badge-status-approved").wait_for()
    assert PostItem.objects.for_org(org).get(pk=first.pk).status == PostStatus.APPROVED
    screenshot(page, "calendar-02-approved")

    # AI improve (offline provider): a diff, then Accept saves it through the optimistic lock.
    page.select_option("#improve select[name=field]", "caption")
    page.fill("#improve textarea[name=instruction]", "Kürzer, mit Frage am Ende")
    page.click("#improve button[type=submit]")
    page.locator("#improve-result .diff-words ins").first.wait_for()
    screenshot(page, "calendar-03-improve")
    page.click("#improve-result button:has-text('Accept')")
    page.locator("#messages", has_text="Suggestion applied.").wait_for()
    first.refresh_from_db()
    assert first.version == 3 and first.status == PostStatus.NEEDS_APPROVAL

    # Move onto a taken slot: the two posts swap and the grid reloads itself.
    other = plan.posts.get(date=date(2026, 3, 2), slot=3)
    page.fill("#post-panel input[name=date]", "2026-03-02")
    page.select_option("#post-panel select[name=slot]", "3")
    page.click("#post-panel button:has-text('Move')")
    page.locator(f"#day-2026-03-02 #card-{first.id}").wait_for()
    page.locator(f"#day-2026-03-01 #card-{other.id}").wait_for()

    # Filters swap the grid and push the URL; focus stays on the select.
    page.focus("#filter-status")
    page.select_option("#filter-status", "needs_approval")
    page.wait_for_url(re.compile(r".*\?status=needs_approval$"))
    expect(page.locator(".slot-card")).to_have_count(1)
    assert page.evaluate("document.activeElement.id") == "filter-status"

    page.click("#calendar-next")
    page.wait_for_url(re.compile(r".*/calendar/2026-04/\?status=needs_approval$"))
    page.locator("#calendar-title", has_text="April 2026").wait_for()
    page.locator("#plan-cta").wait_for()
    page.go_back()
    page.wait_for_url(re.compile(r".*/calendar/2026-03/\?status=needs_approval$"))
    expect(page.locator(".slot-card")).to_have_count(1)
    screenshot(page, "calendar-04-filtered")
    page.wait_for_load_state("networkidle")  # let the plan area's request finish before the server stops
