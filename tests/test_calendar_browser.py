"""The calendar and the post editor in a real Chromium, in English and German: month, week and list views,
the tabbed editor opening in view (1366 px and a 390 px phone) and by keyboard (Enter on a card, Alt+→ to the
next post, Alt+L to lock and unlock, the Move form) with Save feedback beside Save, the phone preview following
the hook as it is typed, a card dragged to another day (it stays there after a reload, and Undo puts it back), a
range of posts selected with shift-click, a week of 21 posts approved with one selection and one click, 0 axe-core
violations on every view and the open editor, and screenshots of each under var/screenshots/."""

import re
from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from apps.posts.models import PostItem, PostStatus
from apps.projects.models import ApprovalRule
from tests.support.browser import screenshot
from tests.support.posts import MONTH, make_plan, make_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "en": {"saved": "Saved.", "moved": "Moved.", "approve": "Approve", "done": "Approve: 21 of 21 posts done.",
           "script": "Script", "close": "Close"},
    "de": {"saved": "Gespeichert.", "moved": "Verschoben.", "approve": "Freigeben",
           "done": "Freigeben: 21 von 21 Beiträgen erledigt.", "script": "Skript", "close": "Schließen"},
}  # fmt: skip


@pytest.fixture(autouse=True)
def _patient_expect():
    """A move is two requests (the move, then the grid reloads): on 2 busy cores that can take over 5 s."""
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


def _no_axe_violations(page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def _drag(page, source: str, target: str) -> None:
    """Drag `source` onto `target` with the HTML5 drag-and-drop events a mouse drag fires (one DataTransfer)."""
    transfer = page.evaluate_handle("() => new DataTransfer()")
    page.dispatch_event(source, "dragstart", {"dataTransfer": transfer})
    page.dispatch_event(target, "dragenter", {"dataTransfer": transfer})
    page.dispatch_event(target, "dragover", {"dataTransfer": transfer})
    page.dispatch_event(target, "drop", {"dataTransfer": transfer})
    page.dispatch_event(source, "dragend", {"dataTransfer": transfer})


def _in_view(page, selector: str) -> None:
    expect(page.locator(selector)).to_be_in_viewport()


@pytest.mark.parametrize("language", ["en", "de"])
def test_calendar_journey(language, browser, live_server, org, editor):
    text = TEXT[language]
    editor.language = language
    editor.save()
    project = make_project(org, approval_rule=ApprovalRule.EDITOR, language="de")
    plan = make_plan(project, posts=24)  # 1–8 March: the week of 2–8 March holds 21 posts
    first = plan.posts.get(date=MONTH, slot=1)
    base = f"{live_server.url}/o/{org.slug}/p/{project.slug}/calendar/2026-03/"
    page = browser(editor, width=1366, height=900)

    # Month: readable cards, then the editor opens in view beside the calendar.
    page.goto(base)
    expect(page.locator(".slot-card")).to_have_count(24)
    screenshot(page, f"calendar-{language}-month")
    _no_axe_violations(page)
    page.click(f"#card-{first.id}")
    expect(page.locator("#post-editor input[name=hook]")).to_be_visible()
    _in_view(page, "#post-panel-title")
    page.fill("#post-editor input[name=hook]", "Espresso wie vom Barista")
    expect(page.locator("#post-preview [data-preview-slot=hook]")).to_have_text("Espresso wie vom Barista")
    page.click("#post-actions .save-button")
    # The first save of the server process compiles the policy rule sets: allow it a while.
    expect(page.locator("#post-feedback")).to_have_text(text["saved"], timeout=30_000)
    _in_view(page, "#post-feedback")
    expect(page.locator(f"#card-{first.id} .slot-hook")).to_have_text("Espresso wie vom Barista")
    assert PostItem.objects.for_org(org).get(pk=first.pk).version == 2
    _no_axe_violations(page)
    screenshot(page, f"calendar-{language}-editor")
    page.locator("#post-preview").screenshot(path=str(_shot(f"calendar-{language}-preview")))
    page.click(f"#post-tabs a:has-text('{text['script']}')")
    expect(page.locator("#post-editor [name='scene-0-voiceover']")).to_be_visible()
    page.click(".panel-close")
    expect(page.locator("#post-panel .post-panel-inner")).to_have_count(0)
    expect(page.locator(f"#card-{first.id}")).to_be_focused()

    # The keyboard: Enter on the focused card opens it again; Alt+→ goes to the next post, Alt+L locks and unlocks it.
    page.keyboard.press("Enter")
    expect(page.locator(f"#post-{first.id}")).to_be_visible()
    second = plan.posts.get(date=MONTH, slot=2)
    page.keyboard.press("Alt+ArrowRight")
    expect(page.locator(f"#post-{second.id}")).to_be_visible()
    page.keyboard.press("Alt+l")
    expect(page.locator(f"#card-{second.id}")).to_have_class(re.compile(r"\bis-locked\b"))
    assert PostItem.objects.for_org(org).get(pk=second.pk).locked
    page.keyboard.press("Alt+l")
    expect(page.locator(f"#card-{second.id}")).not_to_have_class(re.compile(r"\bis-locked\b"))
    page.click(".panel-close")

    # Drag a card to another day: the server moves it; it is still there after a reload; Undo puts it back.
    card = plan.posts.get(date=date(2026, 3, 3), slot=2)
    _drag(page, f"#card-{card.id}", "#day-2026-03-20 .slot-empty[data-slot='2']")
    expect(page.locator("#calendar-status")).to_contain_text(text["moved"])
    expect(page.locator(f"#day-2026-03-20 #card-{card.id}")).to_be_visible()
    page.reload()
    expect(page.locator(f"#day-2026-03-20 #card-{card.id}")).to_be_visible()
    assert PostItem.objects.for_org(org).get(pk=card.pk).date == date(2026, 3, 20)
    _drag(page, f"#card-{card.id}", "#day-2026-03-21 .slot-empty[data-slot='1']")
    # Wait for the grid to show the move first: otherwise the old grid still shows the card on the 20th and
    # the week view below could load before Undo has been saved (its drag would then carry a stale version).
    expect(page.locator(f"#day-2026-03-21 #card-{card.id}")).to_be_visible()
    page.click("#move-undo")
    expect(page.locator(f"#day-2026-03-20 #card-{card.id}")).to_be_visible()

    # Week: a card dragged within the week view, then moved back to its week with the keyboard (the Move form).
    page.goto(f"{base}?view=week&week=2026-03-16")
    expect(page.locator(".week-grid .slot-card")).to_have_count(1)
    _drag(page, f"#card-{card.id}", "#wcell-2026-03-17-1")
    expect(page.locator("#calendar-status")).to_contain_text(text["moved"])
    expect(page.locator(f"#wcell-2026-03-17-1 #card-{card.id}")).to_be_visible()
    page.focus(f"#card-{card.id}")
    page.keyboard.press("Enter")
    page.focus("#move-open")  # the Move form loads when asked for, and takes the focus
    page.keyboard.press("Enter")
    expect(page.locator("#move-date")).to_be_focused()
    page.fill("#move-date", "2026-03-03")
    page.select_option("#move-slot", "2")
    page.focus("#post-actions .move-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#post-feedback")).to_contain_text(text["moved"])

    # One selection ("select all shown") and one click approve the week's 21 posts, with 21 results.
    page.goto(f"{base}?view=week&week=2026-03-02")
    expect(page.locator(".week-grid .slot-card")).to_have_count(21)
    _no_axe_violations(page)
    screenshot(page, f"calendar-{language}-week")
    # Shift-click selects a range (in page order: slot 1 from Monday to Friday) and clears one the same way.
    boxes = page.locator(".week-grid input[name=post]")
    boxes.nth(0).check()
    boxes.nth(4).click(modifiers=["Shift"])
    expect(page.locator(".week-grid input[name=post]:checked")).to_have_count(5)
    expect(page.locator("[data-selected-count]")).to_have_text("5 ✓")
    boxes.nth(2).click(modifiers=["Shift"])
    expect(page.locator(".week-grid input[name=post]:checked")).to_have_count(2)
    expect(page.locator("[data-selected-count]")).to_have_text("2 ✓")
    page.check("[data-select-all]")
    page.click(".bulk-bar button[value=approve]")
    expect(page.locator("#bulk-results li")).to_have_count(21)
    expect(page.locator("#calendar-status")).to_contain_text(text["done"])
    assert plan.posts.filter(status=PostStatus.APPROVED, date__gte=date(2026, 3, 2)).count() == 21
    expect(page.locator(".week-grid .badge-status-approved")).to_have_count(21)

    # List: sortable, filterable; axe clean.
    page.click("#view-list")
    expect(page.locator(".post-list tbody tr")).to_have_count(24)
    _no_axe_violations(page)
    screenshot(page, f"calendar-{language}-list")

    # A 390 px phone: the editor is a full-screen sheet at the top, Save feedback in view, Close returns to the card.
    phone = browser(editor, width=390, height=844)
    phone.goto(base)
    target = plan.posts.get(date=date(2026, 3, 8), slot=3)
    phone.locator(f"#card-{target.id}").scroll_into_view_if_needed()
    phone.click(f"#card-{target.id}")
    expect(phone.locator("#post-editor input[name=hook]")).to_be_visible()
    _in_view(phone, "#post-panel-title")
    phone.fill("#post-editor input[name=hook]", "Kurz und gut")
    expect(phone.locator("#post-preview [data-preview-slot=hook]")).to_have_text("Kurz und gut")
    phone.click("#post-actions .save-button")
    expect(phone.locator("#post-feedback")).to_have_text(text["saved"])
    _in_view(phone, "#post-feedback")
    _no_axe_violations(phone)
    screenshot(phone, f"calendar-{language}-phone-editor")
    phone.click(".panel-close")
    _in_view(phone, f"#card-{target.id}")
    phone.wait_for_load_state("networkidle")
    page.wait_for_load_state("networkidle")


def _shot(name: str):
    from pathlib import Path

    from django.conf import settings

    target = Path(settings.VAR_DIR) / "screenshots"
    target.mkdir(parents=True, exist_ok=True)
    return target / f"{name}.png"
