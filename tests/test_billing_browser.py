"""Plan & usage in a real Chromium: the soft-limit banner, switching plans, a refused downgrade."""

import pytest

from apps.billing.models import Subscription, UsageKind
from apps.billing.plans import ensure_seed_plans
from apps.billing.quota import commit, reserve
from apps.billing.testing import subscribe
from apps.orgs.roles import Role
from apps.projects.models import Project
from tests.support.accounts import PASSWORD, make_member
from tests.support.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser):
    return browser(width=1280, height=900)


def test_owner_sees_the_banner_switches_up_and_is_refused_a_downgrade(page, live_server, org):
    plans = ensure_seed_plans()
    owner = make_member(org, "owner@alpha.test", Role.OWNER)
    subscribe(org, plans["pro"])
    Project.objects.create(organization=org, name="Alpenglow", slug="alpenglow", monthly_token_budget=2_800_000)
    Project.objects.create(organization=org, name="Brewhouse", slug="brewhouse")
    project = Project.objects.for_org(org).get(slug="alpenglow")
    commit(reserve(org, UsageKind.TOKENS, 2_500_000, project=project, idempotency_key="big"), 2_450_000)
    reserve(org, UsageKind.VIDEO_SECONDS, 600, project=project, idempotency_key="render")

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", owner.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.goto(f"{live_server.url}/o/alpha/billing/")

    banner = page.locator("#soft-limit-banner")
    assert "80% of this month's LLM tokens" in banner.inner_text()
    assert page.locator("#usage-tokens.level-soft").count() == 1
    screenshot(page, "billing-usage")

    page.locator("tr", has_text="Free").get_by_role("button", name="Switch to this plan").click()
    errors = page.locator("#plan-change-errors")
    assert "The organization has 2 projects, but the Free plan allows 1." in errors.inner_text()
    screenshot(page, "billing-downgrade-refused")
    assert Subscription.objects.for_org(org).get().plan.slug == "pro"

    page.locator("tr", has_text="Agency").get_by_role("button", name="Switch to this plan").click()
    page.wait_for_selector("text=The organization is now on the Agency plan.")
    assert Subscription.objects.for_org(org).get().plan.slug == "agency"
    assert page.locator("#soft-limit-banner").count() == 0  # 2.45 M of 20 M tokens: no warning any more
