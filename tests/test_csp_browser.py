"""The Content-Security-Policy in a real Chromium: inline code is blocked and reported, the app's own
scripts work. (Every browser test fails on a violation: see the `browser` fixture.)"""

import json
import re
import time

import pytest
from playwright.sync_api import expect

from apps.orgs.roles import Role
from apps.projects.models import ApprovalRule
from tests.support.accounts import make_member
from tests.support.posts import MONTH, make_plan, make_post, make_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_inline_code_is_blocked_and_the_violation_is_seen(browser, live_server, owner, org):
    page = browser(owner)
    page.goto(f"{live_server.url}/o/{org.slug}/")
    # What an injected script would try: an inline <script> and an inline style attribute.
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__injected = true";
          document.body.appendChild(script);
          document.body.insertAdjacentHTML("beforeend", '<p id="styled" style="color: red">x</p>');
        }"""
    )
    assert page.evaluate("() => window.__injected") is None
    assert page.evaluate("() => getComputedStyle(document.getElementById('styled')).color") != "rgb(255, 0, 0)"
    seen = list(page.csp_violations)
    assert any(v.startswith("script-src") for v in seen) and any(v.startswith("style-src") for v in seen), seen
    # The browser also reports them to the report view, which logs them.
    deadline = time.monotonic() + 10
    while len(page.csp_reports) < 2 and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert {"script-src-elem", "style-src-attr"} <= {
        json.loads(message.split(" ", 2)[2])["violated-directive"] for message in page.csp_reports
    }
    # Expected here; any other violation fails the test at the end.
    page.csp_violations.clear()
    page.csp_reports.clear()


def test_static_behaviours_work_under_the_policy(browser, live_server, owner, org):
    project = make_project(org, approval_rule=ApprovalRule.EDITOR, colors=["#112233"])
    post = make_post(make_plan(project), MONTH, 1)
    page = browser(owner)
    base = live_server.url
    # data-swatch: the colour sample gets its background from app.js.
    page.goto(f"{base}/o/{org.slug}/p/{project.slug}/settings/?tab=brand")
    assert page.locator(".swatch").first.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(17, 34, 51)"
    # data-clear: the panel's Close button empties the panel.
    page.goto(f"{base}/o/{org.slug}/p/{project.slug}/calendar/{MONTH:%Y-%m}/")
    page.click(f"#card-{post.id}")
    page.locator(f"#post-{post.id}").wait_for()
    page.click("#post-panel .panel-close")
    expect(page.locator("#post-panel")).to_be_empty()
    # data-confirm: leaving asks first; dismissing keeps the membership (a sole owner is offered no Leave).
    make_member(org, "second-owner@alpha.test", Role.OWNER)
    page.goto(f"{base}/o/{org.slug}/members/")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("form[data-confirm] button.danger")
    assert re.search(r"/members/$", page.url)
    # data-autosubmit: the language switcher submits on change.
    page.select_option("#language-switcher", "de")
    expect(page.locator("html")).to_have_attribute("lang", "de")
