"""The composer in a real Chromium, English and German: TikTok's rules on the page (nickname, no
privacy preselected, interactions off, the consent line), 0 axe-core violations, then "Publish now"
through a real worker to the sandbox, and "published" with the link."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from apps.sandbox.tiktok import state
from apps.social.models import Publication, PublishState
from tests.support.publish import mp4, rendered_post, sandbox_account
from tests.tiktok_support import sandbox_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
sandbox = pytest.fixture(sandbox_services)

TEXT = {
    "en": {"consent": "By posting, you agree to TikTok's Music Usage Confirmation.", "agree": "I have reviewed",
           "now": "Publish now", "published": "Published", "link": "View on TikTok", "aigc": "AI-generated"},
    "de": {"consent": "Mit dem Veröffentlichen stimmen Sie der Music Usage Confirmation von TikTok zu.",
           "agree": "Ich habe den Beitrag geprüft", "now": "Jetzt veröffentlichen", "published": "Veröffentlicht",
           "link": "Auf TikTok ansehen", "aigc": "KI-generiert"},
}  # fmt: skip


@pytest.mark.parametrize("language", ["en", "de"])
def test_compose_and_publish(language, browser, sandbox, worker, org, owner, media, tmp_path):
    text = TEXT[language]
    owner.language = language
    owner.save(update_fields=["language"])
    state.configure(processing_seconds=0, moderation_seconds=0)
    post = rendered_post(org, video=mp4(tmp_path / "clip.mp4"))
    sandbox_account(org, sandbox, project=post.project)
    page = browser(owner, width=390, height=1000)
    page.goto(f"{sandbox}/o/{org.slug}/p/{post.project.slug}/posts/{post.id}/publish/")

    expect(page.locator(".creator-nickname")).to_have_text("Alpenglow Coffee")
    radios = page.locator("input[name=privacy_level]")
    expect(radios).to_have_count(3)
    for index in range(3):
        expect(radios.nth(index)).not_to_be_checked()  # nothing preselected
    for name in ("allow_comment", "allow_duet", "allow_stitch"):
        expect(page.locator(f"input[name={name}]")).not_to_be_checked()
    expect(page.locator(".consent-line")).to_have_text(text["consent"])
    expect(page.locator("[data-aigc]")).to_contain_text(text["aigc"])
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()

    page.check("input[value=PUBLIC_TO_EVERYONE]")
    page.get_by_label(text["agree"]).check()
    page.get_by_role("button", name=text["now"]).click()
    expect(page.locator(".publish-status [data-state]")).to_have_text(text["published"], timeout=60_000)
    link = page.get_by_role("link", name=text["link"])
    expect(link).to_have_attribute("href", Publication.objects.for_org(org).get(post=post).link)
    publication = Publication.objects.for_org(org).get(post=post)
    assert publication.state == PublishState.PUBLISHED and publication.consent_by == owner
    assert publication.privacy_level == "PUBLIC_TO_EVERYONE" and not publication.allow_comment
    assert state.counts()["video_init:200"] == 1
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
