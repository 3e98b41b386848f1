"""The asset library in a real Chromium (EN and DE): drag-and-drop upload of an image and a music file with
progress, licences set on each, the expiry warning in the library, previews, and 0 axe-core violations."""

import base64
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from apps.media.models import Asset
from apps.media.usage import licence_today
from tests.support.browser import screenshot

pytest_plugins = ["tests.media_fixtures"]  # its fixtures: samples, media_root
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "en": {"uploaded": "Uploaded", "save": "Save", "set": "Set the licence",
           "warning": "2 licences expire in the next 14 days.", "stock": "stock"},
    "de": {"uploaded": "Hochgeladen", "save": "Speichern", "set": "Lizenz festlegen",
           "warning": "2 Lizenzen laufen in den nächsten 14 Tagen ab.", "stock": "stock"},
}  # fmt: skip


def _no_axe_violations(page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("language", ["en", "de"])
def test_upload_set_licences_see_the_warning(language, browser, live_server, media_root, samples, org, owner):
    text = TEXT[language]
    owner.language = language
    owner.save()
    page = browser(owner, height=900)
    page.goto(f"{live_server.url}/o/{org.slug}/media/upload/")
    page.select_option("select[name=kind]", "image")
    page.set_input_files("input[type=file]", str(samples["png"]))
    page.locator(".upload-result.is-ok").first.wait_for()
    page.select_option("select[name=kind]", "music")
    # The music file arrives by drag and drop: a real `drop` event carrying the file.
    transfer = page.evaluate_handle(
        """(b64) => { const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
             const transfer = new DataTransfer();
             transfer.items.add(new File([bytes], "theme.mp3", {type: "audio/mpeg"})); return transfer; }""",
        base64.b64encode(samples["music"].read_bytes()).decode(),
    )
    page.dispatch_event("#dropzone", "drop", {"dataTransfer": transfer})
    # expect() polls from Python: wait_for_function would eval a string, which the CSP forbids.
    expect(page.locator(".upload-result.is-ok")).to_have_count(2)
    assert page.locator(".upload-result.is-ok .badge", has_text=text["uploaded"]).count() == 2
    assert Asset.objects.for_org(org).count() == 2
    if language == "en":  # the pages' structure does not change with the language: once is enough here
        _no_axe_violations(page)

    until = (licence_today() + timedelta(days=10)).isoformat()
    for name in ("theme.mp3", "sunrise.png"):
        page.goto(f"{live_server.url}/o/{org.slug}/media/upload/")  # the results list is per visit
        asset = Asset.objects.for_org(org).get(name=name)
        page.goto(f"{live_server.url}/o/{org.slug}/media/{asset.id}/")
        page.select_option("select[name=licence_type]", text["stock"])
        page.fill("input[name=licence_url]", "https://stock.example/licence/42")
        page.fill("input[name=licensed_until]", until)
        page.get_by_role("button", name=text["save"], exact=True).click()
        page.wait_for_selector("#licence-panel .licence-expiring")
        if language == "en" and name == "sunrise.png":
            _no_axe_violations(page)
        asset.refresh_from_db()
        assert (asset.licence_type, asset.licensed_until.isoformat()) == ("stock", until)

    page.goto(f"{live_server.url}/o/{org.slug}/media/")
    assert text["warning"] in page.locator("#licence-warning").inner_text()
    assert page.locator(".asset-card .licence-expiring").count() == 2
    page.locator("img.asset-thumb").first.wait_for()
    assert page.evaluate("document.querySelector('img.asset-thumb').naturalWidth") > 0  # the signed preview loads
    assert page.locator("audio[controls]").count() == 1
    _no_axe_violations(page)
    page.select_option("select[name=view]", "list")
    page.wait_for_selector("table.asset-list")
    _no_axe_violations(page)
    screenshot(page, f"media-library-{language}")
    page.set_viewport_size({"width": 390, "height": 800})  # usable on a phone: nothing sticks out sideways
    page.select_option("select[name=view]", "grid")
    page.wait_for_selector("ul.asset-grid")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, f"media-library-{language}-390")
