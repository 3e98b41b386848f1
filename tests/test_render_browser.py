"""The Video panel in a real Chromium (EN, then DE): render a post's video with the real worker, watch the
progress, play the result, read the checks, and 0 axe-core violations in both languages."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from apps.media.models import Render, RenderStatus
from tests.support.browser import screenshot
from tests.support.media import make_post_in
from tests.support.renders import W, on_plan, small_renders, three_scene_script

pytest_plugins = ["tests.media_fixtures"]
pytestmark = [pytest.mark.browser]


def _no_axe_violations(page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_render_a_video_and_watch_it_in_english_and_german(
    browser, live_server, worker, media_root, settings, tmp_path, org, editor
):
    small_renders(settings, tmp_path)
    on_plan(org)
    post = make_post_in(org)
    post.hook, post.script = "Warum dein Kaffee flach schmeckt", three_scene_script()
    post.save(update_fields=["hook", "script"])
    url = f"{live_server.url}/o/{org.slug}/p/{post.project.slug}/posts/{post.id}/video/"

    page = browser(editor, width=390, height=900)  # the narrow phone width: the panel must work there too
    page.goto(url)
    expect(page.get_by_text("This post has no video yet.")).to_be_visible()
    _no_axe_violations(page)
    page.get_by_role("button", name="Render video").click()
    # The panel swaps itself in place and polls while the worker renders.
    expect(page.get_by_role("progressbar", name="Render progress")).to_be_visible()
    video = page.locator("video.video-frame")
    expect(video).to_be_visible(timeout=90_000)
    expect(page.get_by_role("progressbar")).to_have_count(0)
    expect(video).to_have_js_property("videoWidth", W)  # the signed link serves a playable MP4
    expect(page.locator("img.video-cover-img")).to_have_js_property("naturalWidth", W)
    expect(page.locator(".qa-table tbody tr")).to_have_count(12)
    expect(page.get_by_text("all passed")).to_be_visible()
    render = Render.objects.for_org(org).get(post=post)
    assert render.status == RenderStatus.DONE and render.qa_passed
    _no_axe_violations(page)
    screenshot(page, "video-panel-en")

    editor.language = "de"
    editor.save(update_fields=["language"])
    page.goto(url)
    expect(page.get_by_role("heading", name="Prüfungen")).to_be_visible()
    expect(page.get_by_text("alle bestanden")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Lautheit")).to_be_visible()
    expect(page.get_by_role("button", name="Erneut rendern")).to_be_visible()
    _no_axe_violations(page)
    screenshot(page, "video-panel-de")
