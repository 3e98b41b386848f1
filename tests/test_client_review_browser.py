"""Client review in a real Chromium under the enforced CSP: a guest comments and approves; a visitor
opens a PIN-protected review link and requests changes with their name."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.core.reasons import render_all
from apps.posts.models import PostStatus, ReviewLink
from apps.posts.review_access import link_token
from apps.posts.review_actions import do_create_review_link
from apps.projects.access import grant_project_reviewer
from apps.projects.models import ApprovalRule
from tests.support.accounts import make_user
from tests.support.posts import MONTH, make_plan, make_post, make_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_guest_and_review_link_visitor(browser, live_server, org, owner):
    project = make_project(org, slug="coffee", approval_rule=ApprovalRule.CLIENT_REVIEWER)
    plan = make_plan(project)
    first = make_post(plan, MONTH, 1, hook="Espresso am Morgen", status=PostStatus.NEEDS_APPROVAL)
    second = make_post(plan, MONTH, 2, hook="Latte am Mittag", status=PostStatus.NEEDS_APPROVAL)
    guest = make_user("client@brand.test")
    grant_project_reviewer(guest, project)

    page = browser(guest)
    page.goto(f"{live_server.url}/")
    page.click("text=Alpenglow Coffee")
    page.goto(page.url + f"?month={MONTH:%Y-%m}")
    page.click(f"#guest-post-{first.id}")
    page.fill("textarea[name=body]", "Schönes Licht!")
    page.click("text=Add comment")
    expect(page.locator(".comment-thread")).to_contain_text("Schönes Licht!")
    page.click(".review-approve button")
    expect(page.locator(".badge-status-approved")).to_be_visible()
    first.refresh_from_db()
    assert first.status == PostStatus.APPROVED and first.approved_by == guest

    link = do_create_review_link(project, actor=owner, post=second, expires_on=MONTH.replace(year=2099), pin="4711")
    visitor = browser()
    visitor.goto(live_server.url + reverse("review_link", args=[link_token(link)]))
    visitor.fill("input[name=pin]", "4711")
    visitor.click("main form button[type=submit]")
    visitor.click(f"#link-post-{second.id}")
    visitor.fill(".review-changes input[name=name]", "Eva Kundin")
    visitor.fill(".review-changes textarea[name=message]", "Bitte mit Hafermilch.")
    visitor.click(".review-changes button")
    expect(visitor.locator(".comment-thread")).to_contain_text("Bitte mit Hafermilch.")
    second.refresh_from_db()
    assert second.status == PostStatus.NEEDS_REVIEW and "Eva Kundin" in render_all(second.review_reason)
    assert ReviewLink.objects.for_org(org).get().uses.filter(action="changes_requested", name="Eva Kundin").exists()
