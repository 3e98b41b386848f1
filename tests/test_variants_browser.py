"""Caption variants in a real Chromium (EN and DE): a brief → variants for 8 platforms appear one by one
(the OpenRouter sandbox answers each call after 300 ms, two calls at a time, through a real Dramatiq
worker), a lint finding is fixed with one click, a tone rewrite is shown as a diff and accepted, and
the pages have 0 axe-core violations."""

import re
import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from apps.ai.routing import close_pooled_providers
from apps.billing.testing import subscribe
from apps.sandbox.faults import clear_faults, set_faults
from apps.variants.models import Brief, Variant
from tests.support.browser import screenshot
from tests.support.credentials import add
from tests.support.posts import make_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "en": {"generate": "Generate variants", "fix": "Add the call to action", "fixed": "Fixed.",
           "casual": "More casual", "accept": "Accept", "applied": "Suggestion applied.", "done": "Done",
           "cta": "Book your seat", "edit": "Edit text", "save": "Save", "saved": "Saved."},
    "de": {"generate": "Varianten erstellen", "fix": "Handlungsaufruf einfügen", "fixed": "Korrigiert.",
           "casual": "Lockerer", "accept": "Übernehmen", "applied": "Der Vorschlag wurde übernommen.", "done": "Fertig",
           "cta": "Jetzt Platz sichern", "edit": "Text bearbeiten", "save": "Speichern", "saved": "Gespeichert."},
}  # fmt: skip


def _no_axe_violations(page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.fixture
def sandbox(live_server, settings):
    settings.OPENROUTER_BASE_URL = live_server.url + "/sandbox/openrouter/api/v1"
    settings.VF_VARIANTS_CONCURRENCY = 2
    clear_faults()
    set_faults("openrouter", latency_ms=300)
    yield
    clear_faults()
    close_pooled_providers()


@pytest.mark.parametrize("language", ["en", "de"])
def test_brief_to_variants_fix_and_tone_rewrite(language, sandbox, worker, browser, live_server, org, owner):
    text = TEXT[language]
    subscribe(org, posts_per_month=10_000, monthly_tokens=10**9)
    add(org, "openrouter", actor=owner)
    project = make_project(org, language=language, cta="")
    owner.language = language
    owner.save()
    page = browser(owner, height=1000)
    page.goto(f"{live_server.url}/o/{org.slug}/p/{project.slug}/variants/")
    _no_axe_violations(page)
    page.fill("#id_topic", "Espresso at home" if language == "en" else "Espresso zu Hause")
    page.fill("#id_key_message", "Freshly ground beans make the difference.")
    page.fill("#id_cta", text["cta"])
    page.select_option("#id_per_platform", "1")
    page.get_by_role("button", name=text["generate"]).click()

    # The results fill in while the job runs: record the counts the page shows on its way to 8.
    progress = page.locator("#variant-progress")
    seen, deadline = [], time.monotonic() + 30
    while time.monotonic() < deadline:
        shown = int(re.match(r"\s*(\d+)", progress.inner_text()).group(1)) if progress.count() else 0
        if not seen or seen[-1] != shown:
            seen.append(shown)
        if shown == 8:
            break
        time.sleep(0.05)
    assert seen[-1] == 8, seen
    assert any(0 < shown < 8 for shown in seen), f"the variants did not appear one by one: {seen}"
    expect(page.locator(".variant-card")).to_have_count(8)
    assert page.url.endswith(f"/variants/{Brief.objects.for_org(org).get().id}/")  # the brief's own page
    expect(progress).to_contain_text(text["done"])  # the job is over: no more polling
    brief = Brief.objects.for_org(org).get()
    assert Variant.objects.for_org(org).filter(brief=brief).count() == 8
    _no_axe_violations(page)

    # One click fixes a lint finding: the X variant lacks the call to action.
    card = page.locator(".variant-x")
    card.get_by_role("button", name=text["fix"]).click()
    expect(card.locator(".message-success")).to_have_text(text["fixed"])
    x_variant = Variant.objects.for_org(org).get(brief=brief, platform="x")
    assert text["cta"] in x_variant.text and x_variant.version == 2
    expect(card.get_by_role("button", name=text["fix"])).to_have_count(0)

    # A hand edit opens in place (checked by axe below, with the rewrite's diff).
    edited = page.locator(".variant-instagram")
    edited.get_by_role("link", name=text["edit"]).click()
    edited.locator("textarea[name=text]").fill("Espresso wie im Café: https://alpenglow.example/kurs")

    # A tone rewrite: the suggestion is shown as a word diff, then accepted.
    card = page.locator(".variant-linkedin")
    before = Variant.objects.for_org(org).get(brief=brief, platform="linkedin")
    card.get_by_role("button", name=text["casual"]).click()
    expect(card.locator(".variant-proposal .diff-words").last).to_be_visible()
    assert card.locator(".variant-proposal ins").count() >= 1
    _no_axe_violations(page)
    screenshot(page, f"variants-{language}")
    card.get_by_role("button", name=text["accept"]).click()
    expect(card.locator(".message-success")).to_have_text(text["applied"])
    after = Variant.objects.for_org(org).get(id=before.id)
    assert after.version == before.version + 1 and after.text != before.text
    expect(card.locator(".variant-proposal")).to_have_count(0)

    # The hand edit is saved; lint runs again on the new text: its link cannot be clicked on Instagram.
    edited.get_by_role("button", name=text["save"]).click()
    expect(edited.locator(".message-success")).to_have_text(text["saved"])
    expect(edited.locator("input[name=fix][value=link_to_bio]")).to_have_count(1)
    assert Variant.objects.for_org(org).get(brief=brief, platform="instagram").text.endswith("alpenglow.example/kurs")
