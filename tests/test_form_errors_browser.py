"""Issue 16, item 1: a bad value on any of the product's forms renders its error in place (the
form's target), the page around it intact — with DEBUG on (django-htmx's debug handler is loaded
and would replace the whole document with a 4xx body) and off, in English and German."""

import pytest
from playwright.sync_api import expect

from apps.projects.forms import time_zone_names
from tests.support.posts import make_plan, make_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ERRORS = {
    "en": {
        "hashtag": "is not a hashtag",
        "required": "This field is required.",
        "colour": "notacolor",
        "budget": "greater than or equal to 0",
        "email": "Enter a valid email address.",
        "knowledge": "Please upload a file or paste a text.",
        "policy": "Enter the text you want to check.",
    },
    "de": {
        "hashtag": "ist kein Hashtag",
        "required": "Dieses Feld ist zwingend erforderlich.",
        "colour": "notacolor",
        "budget": "größer oder gleich 0",
        "email": "Bitte gültige E-Mail-Adresse eingeben.",
        "knowledge": "Bitte laden Sie eine Datei hoch oder fügen Sie einen Text ein.",
        "policy": "Geben Sie den Text ein, den Sie prüfen möchten.",
    },
}


def _submit_in_place(page, form, fields, error_text, target):
    """Fill `fields` of `form`, submit it, and see the error inside `target` with the page intact."""
    url, title = page.url, page.title()
    stylesheets = page.locator("link[rel=stylesheet]").count()
    for selector, value in fields:
        page.locator(f"{form} {selector}").fill(value)
    # The submit button sits inside the form, or outside it naming the form (the post editor's Save).
    outside = f"button[type=submit][form='{form.lstrip('#')}']" if form.startswith("#") and " " not in form else ""
    page.locator(f"{form} button[type=submit]" + (f", {outside}" if outside else "")).first.click()
    expect(page.locator(target)).to_contain_text(error_text)
    expect(page.locator("header.site-header")).to_be_visible()
    expect(page.locator("footer.site-footer")).to_have_count(1)
    expect(page.locator("header.site-header")).to_have_count(1)
    assert page.url == url and page.title() == title
    # The page keeps its stylesheet (an unstyled fragment as the whole document is the defect).
    assert stylesheets >= 1
    expect(page.locator("link[rel=stylesheet]")).to_have_count(stylesheets)


@pytest.mark.parametrize(("debug", "language"), [(True, "de"), (False, "en")])
def test_form_errors_render_in_place(browser, live_server, settings, org, owner, debug, language):
    settings.DEBUG = debug  # the seam: django-htmx loads its debug error handler only under DEBUG
    owner.language = language
    owner.save(update_fields=["language"])
    project = make_project(org)
    plan = make_plan(project, posts=1)
    post = plan.posts.get()
    page = browser(owner)
    base = f"{live_server.url}/o/{org.slug}"
    errors = ERRORS[language]
    if debug:
        page.goto(f"{base}/")
        expect(page.locator("script[src*='django-htmx.js']")).to_have_count(1)

    # Post editor: a bad hashtag, then an empty hook (blanks pass the browser's `required`, not the server).
    page.goto(f"{base}/p/{project.slug}/posts/{post.id}/")
    _submit_in_place(page, "#post-editor", [("[name=hashtags]", "#latte-art!")], errors["hashtag"], "#post-editor")
    page.goto(f"{base}/p/{project.slug}/posts/{post.id}/")
    _submit_in_place(page, "#post-editor", [("[name=hook]", "   ")], errors["required"], "#post-editor")

    # Project settings: brand colour, time zone, budget.
    settings_url = f"{base}/p/{project.slug}/settings/"
    page.goto(settings_url + "?tab=brand")
    _submit_in_place(page, "#section-brand form", [("[name=colors]", "notacolor")], errors["colour"], "#section-brand")
    page.goto(settings_url)
    # The time zone is a select (issue 16, item 8): an empty name is the basics tab's bad value.
    expect(page.locator("#section-basics select[name=time_zone] option")).to_have_count(len(time_zone_names()))
    _submit_in_place(page, "#section-basics form", [("[name=name]", "   ")], errors["required"], "#section-basics")
    page.goto(settings_url + "?tab=budgets")
    _submit_in_place(
        page, "#section-budgets form", [("[name=monthly_token_budget]", "-5")], errors["budget"], "#section-budgets"
    )

    # Members: an invitation with a bad e-mail address (the browser lets "someone@agency" pass, Django not).
    page.goto(f"{base}/members/")
    _submit_in_place(page, "#invitations form", [("[name=email]", "someone@agency")], errors["email"], "#invitations")

    # Knowledge: empty text. Policy check: empty text.
    page.goto(f"{base}/ai/knowledge/")
    _submit_in_place(
        page, "#knowledge-panel form[enctype]", [("[name=text]", "   ")], errors["knowledge"], "#knowledge-panel"
    )
    page.goto(f"{base}/compliance/policy/")
    _submit_in_place(page, "#policy-bench", [("[name=text]", "   ")], errors["policy"], "#policy-bench")
