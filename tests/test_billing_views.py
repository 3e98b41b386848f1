"""The "Plan & usage" page, plan changes, the soft-limit banner, seat limits on invitations, the admin."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apps.billing.models import Plan, Subscription, UsageKind, UsageLedger
from apps.billing.plans import ensure_seed_plans
from apps.billing.quota import commit, reserve
from apps.billing.services import can_change_plan, get_subscription, seats_used
from apps.billing.testing import subscribe
from apps.orgs.models import Invitation
from apps.orgs.roles import Role
from apps.projects.models import Project
from tests.support.accounts import make_user

HX = {"HTTP_HX_REQUEST": "true"}


def usage_url(org):
    return reverse("billing_usage", args=[org.slug])


def change_url(org):
    return reverse("billing_change_plan", args=[org.slug])


@pytest.fixture
def plans(db):
    return ensure_seed_plans()


def plan_of(org) -> str:
    return Subscription.objects.for_org(org).select_related("plan").get().plan.slug


# --- the usage page ------------------------------------------------------------------------


def test_usage_page_shows_plan_seats_projects_bars_projects_and_history(client_for, org, owner, editor, plans):
    subscribe(org, plans["pro"])
    project = Project.objects.create(organization=org, name="Alpenglow", slug="alpenglow", monthly_token_budget=9000)
    commit(reserve(org, UsageKind.TOKENS, 1234, project=project, source="ai.Run:1", idempotency_key="a"), 1200)
    reserve(org, UsageKind.VIDEO_SECONDS, 60, project=project, idempotency_key="b")

    response = client_for(owner).get(usage_url(org))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Plan & usage</h1>" in html
    assert 'id="seats">2 / 5<' in html
    assert 'id="projects">1 / 5<' in html
    tokens = response.context["kinds"][0]
    assert (tokens["kind"], tokens["used"], tokens["reserved"], tokens["limit"]) == ("tokens", 1200, 0, 3_000_000)
    video = response.context["kinds"][1]
    assert (video["used"], video["reserved"], video["limit"], video["percent"]) == (0, 60, 3600, 2)
    assert 'id="usage-video_seconds"' in html and 'id="usage-regenerations"' in html
    assert "Alpenglow" in html and "9,000" in html and "1,200" in html  # per-project table with its budget
    assert "ai.Run:1" not in html  # history: no internal ids (see the test below)
    assert html.count("Switch to this plan") == 2  # Free and Agency, not the current Pro


def test_admin_sees_the_page_without_plan_buttons(client_for, org, admin_user, plans):
    response = client_for(admin_user).get(usage_url(org))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Switch to this plan" not in html
    assert change_url(org) not in html
    assert "Only owners can change the plan." in html


@pytest.mark.parametrize(("who", "status"), [("editor", 403), ("viewer", 403), ("outsider", 404)])
def test_usage_page_is_for_admins_and_owners(client_for, org, owner, editor, viewer, outsider, who, status):
    user = {"editor": editor, "viewer": viewer, "outsider": outsider}[who]
    assert client_for(user).get(usage_url(org)).status_code == status


def test_soft_and_hard_levels_colour_the_bars(client_for, org, owner):
    subscribe(org, monthly_tokens=100, posts_per_month=10, soft_limit_percent=80)
    commit(reserve(org, UsageKind.TOKENS, 85, idempotency_key="t"))
    for i in range(10):
        reserve(org, UsageKind.POSTS, 1, source=f"posts.PostItem:{i}", idempotency_key=f"p{i}")
    html = client_for(owner).get(usage_url(org)).content.decode()
    assert 'class="usage-row level-soft" id="usage-tokens"' in html
    assert 'class="usage-row level-hard" id="usage-posts"' in html
    assert 'class="usage-row level-ok" id="usage-video_seconds"' in html


def test_history_is_paginated_by_fifty(client_for, org, owner):
    subscribe(org, monthly_tokens=10_000)
    for i in range(51):
        commit(reserve(org, UsageKind.TOKENS, 1, source=f"src-{i}", idempotency_key=f"h{i}"))
    client = client_for(owner)
    first = client.get(usage_url(org))
    assert len(first.context["history"].object_list) == 50
    assert "Page 1 of 2" in first.content.decode()
    second = client.get(usage_url(org), {"page": 2}, **HX)
    html = second.content.decode()
    assert html.lstrip().startswith('<section id="history"')
    assert "<html" not in html
    assert html.count("<td>src-") == 1 and "src-0<" in html  # the oldest row is on the last page


def test_usage_page_query_count_does_not_grow_with_projects(
    client_for, org, owner, django_assert_max_num_queries, django_assert_num_queries
):
    subscribe(org, monthly_tokens=100_000, max_projects=10)
    client = client_for(owner)

    def add_project(i):
        project = Project.objects.create(organization=org, name=f"P{i}", slug=f"p{i}", monthly_token_budget=500)
        commit(reserve(org, UsageKind.TOKENS, 10, project=project, source=f"s{i}", idempotency_key=f"q{i}"))

    add_project(0)
    client.get(usage_url(org))
    with django_assert_max_num_queries(20) as one:
        assert client.get(usage_url(org)).status_code == 200
    for i in range(1, 5):
        add_project(i)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(usage_url(org))
    assert len(response.context["projects"]) == 5


# --- plan changes --------------------------------------------------------------------------


def test_owner_upgrades(client_for, org, owner, plans):
    response = client_for(owner).post(change_url(org), {"plan": "pro"}, follow=True)
    assert response.redirect_chain == [(usage_url(org), 302)]
    assert "The organization is now on the Pro plan." in response.content.decode()
    assert plan_of(org) == "pro"


def test_owner_upgrade_over_htmx_redirects_the_page(client_for, org, owner, plans):
    response = client_for(owner).post(change_url(org), {"plan": "agency"}, **HX)
    assert response.status_code == 204
    assert response["HX-Redirect"] == usage_url(org)
    assert plan_of(org) == "agency"


def test_downgrade_that_would_exceed_the_limits_is_refused_with_reasons(
    client_for, org, owner, admin_user, editor, viewer, plans
):
    subscribe(org, plans["pro"])
    Project.objects.create(organization=org, name="One", slug="one")
    Project.objects.create(organization=org, name="Two", slug="two")
    commit(reserve(org, UsageKind.TOKENS, 250_000, idempotency_key="big"))
    subscription_before = Subscription.objects.for_org(org).values().get()

    response = client_for(owner).post(change_url(org), {"plan": "free"})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="plan-change-errors"' in html
    assert "4 seats are taken (members and open invitations), but the Free plan has 3." in html
    assert "The organization has 2 projects, but the Free plan allows 1." in html
    assert "This month&#x27;s usage of LLM tokens (250,000) is above the Free plan&#x27;s limit of 200,000." in html
    assert Subscription.objects.for_org(org).values().get() == subscription_before
    assert plan_of(org) == "pro"


def test_can_change_plan_lists_nothing_when_it_fits(org, owner, plans):
    subscribe(org, plans["pro"])
    assert can_change_plan(org, plans["free"]) == []
    assert can_change_plan(org, plans["pro"]) == ["The organization is already on the Pro plan."]
    plans["agency"].active = False
    plans["agency"].save()
    assert can_change_plan(org, plans["agency"]) == ["The Agency plan is not available."]


def test_unknown_plan_is_refused(client_for, org, owner, plans):
    response = client_for(owner).post(change_url(org), {"plan": "platinum"})
    assert response.status_code == 400
    assert "Choose a plan." in response.content.decode()
    assert plan_of(org) == "free"


@pytest.mark.parametrize(("who", "status"), [("admin", 403), ("editor", 403), ("viewer", 403), ("outsider", 404)])
def test_only_owners_change_the_plan(client_for, org, owner, admin_user, editor, viewer, outsider, plans, who, status):
    get_subscription(org)
    user = {"admin": admin_user, "editor": editor, "viewer": viewer, "outsider": outsider}[who]
    assert client_for(user).post(change_url(org), {"plan": "agency"}).status_code == status
    assert plan_of(org) == "free"


# --- soft-limit banner ---------------------------------------------------------------------


def test_banner_shows_for_members_once_the_soft_limit_is_crossed(
    client_for, client, org, other_org, owner, viewer, outsider
):
    subscribe(org, monthly_tokens=1000, soft_limit_percent=80)
    dashboard = reverse("org_dashboard", args=[org.slug])
    assert 'id="soft-limit-banner"' not in client_for(viewer).get(dashboard).content.decode()

    reserve(org, UsageKind.TOKENS, 800, idempotency_key="cross")

    html = client_for(viewer).get(dashboard).content.decode()
    assert 'id="soft-limit-banner"' in html
    assert "This organization has used more than 80% of this month's LLM tokens." in html
    assert usage_url(org) not in html  # the link is for admins and owners
    owner_html = client_for(owner).get(reverse("org_members", args=[org.slug])).content.decode()
    assert 'id="soft-limit-banner"' in owner_html and usage_url(org) in owner_html
    # Tenant isolation: the other organization's pages stay clean.
    other = client_for(outsider).get(reverse("org_dashboard", args=[other_org.slug])).content.decode()
    assert 'id="soft-limit-banner"' not in other


def test_banner_says_when_the_limit_is_used_up(client_for, org, viewer):
    subscribe(org, monthly_tokens=1000)
    commit(reserve(org, UsageKind.TOKENS, 1000, idempotency_key="all"))
    html = client_for(viewer).get(reverse("org_dashboard", args=[org.slug])).content.decode()
    assert "usage-banner-hard" in html and "This month's LLM tokens are used up." in html


# --- seats --------------------------------------------------------------------------------


def invite(client, org, email, role=Role.VIEWER, **extra):
    return client.post(reverse("member_invite", args=[org.slug]), {"email": email, "role": role}, **extra)


def test_invite_beyond_the_plans_seats_is_refused_and_creates_nothing(
    client_for, org, owner, admin_user, django_capture_on_commit_callbacks
):
    client = client_for(owner)
    with django_capture_on_commit_callbacks(execute=True):
        assert invite(client, org, "third@person.test").status_code == 302  # 2 members + 1 = 3 seats (Free)
        response = invite(client, org, "fourth@person.test", **HX)
    assert response.status_code == 400
    assert (
        "Your plan has 3 seats and 3 are taken (members and open invitations). "
        "Revoke an invitation or upgrade the plan to invite more people."
    ) in response.content.decode()
    assert list(Invitation.objects.for_org(org).values_list("email", flat=True)) == ["third@person.test"]
    assert len(mail.outbox) == 1
    assert seats_used(org) == 3


def test_expired_invitations_free_their_seat_and_reinviting_a_pending_one_is_allowed(
    client_for, org, owner, admin_user, django_capture_on_commit_callbacks
):
    Invitation.objects.create(
        organization=org, email="old@person.test", role=Role.VIEWER, expires_at=timezone.now() - timedelta(days=1)
    )
    pending = Invitation.objects.create(
        organization=org, email="pending@person.test", role=Role.VIEWER, expires_at=timezone.now() + timedelta(days=1)
    )
    assert seats_used(org) == 3
    client = client_for(owner)
    with django_capture_on_commit_callbacks(execute=True):
        assert invite(client, org, "pending@person.test", Role.EDITOR).status_code == 302  # a refresh: no new seat
        assert invite(client, org, "old@person.test").status_code == 400  # reviving takes a seat again
    pending.refresh_from_db()
    assert pending.role == Role.EDITOR


def test_extra_seats_on_the_subscription_and_upgrades_make_room(client_for, org, owner, admin_user, editor, plans):
    client = client_for(owner)
    assert invite(client, org, "x@person.test").status_code == 400
    subscription = get_subscription(org)
    subscription.seats = 4
    subscription.save()
    assert invite(client, org, "x@person.test").status_code == 302
    assert invite(client, org, "y@person.test").status_code == 400
    subscribe(org, plans["pro"])
    assert invite(client, org, "y@person.test").status_code == 302


# --- admin --------------------------------------------------------------------------------


@pytest.fixture
def staff(db):
    return make_user("staff@viralforge.test", is_staff=True, is_superuser=True)


def test_admin_ledger_is_read_only(client, staff, org):
    subscribe(org, monthly_tokens=1000)
    entry = commit(reserve(org, UsageKind.TOKENS, 5, source="ai.Run:9", idempotency_key="adm"))
    client.force_login(staff)
    changelist = client.get(reverse("admin:billing_usageledger_changelist"), {"q": "ai.Run"})
    assert changelist.status_code == 200 and "ai.Run:9" in changelist.content.decode()
    assert client.get(reverse("admin:billing_usageledger_add")).status_code == 403
    change = client.get(reverse("admin:billing_usageledger_change", args=[entry.pk]))
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    assert client.post(reverse("admin:billing_usageledger_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert UsageLedger.objects.for_org(org).count() == 1
    for name in ("usageaggregate", "reservation", "softlimitnotice"):
        assert client.get(reverse(f"admin:billing_{name}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:billing_{name}_add")).status_code == 403


def test_staff_change_the_plan_in_the_admin(client, staff, org, plans):
    subscription = get_subscription(org)
    client.force_login(staff)
    page = client.get(reverse("admin:billing_subscription_change", args=[subscription.pk]))
    assert page.status_code == 200
    response = client.post(
        reverse("admin:billing_subscription_change", args=[subscription.pk]),
        {
            "organization": org.pk,
            "plan": plans["agency"].pk,
            "status": "active",
            "current_period_start_0": "2025-01-01",
            "current_period_start_1": "00:00:00",
            "current_period_end_0": "2099-02-01",
            "current_period_end_1": "00:00:00",
            "seats": 25,
        },
    )
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.plan == plans["agency"] and subscription.effective_seats == 25
    assert client.get(reverse("admin:billing_plan_changelist")).status_code == 200
    assert Plan.objects.filter(slug__in=["free", "pro", "agency"]).count() == 3


def test_history_names_and_links_its_sources_instead_of_internal_ids(client_for, org, owner, plans):
    """Issue 16 (9): "planning.ContentPlan:<uuid>" and request ids become names with links."""
    from tests.support.posts import make_plan, make_project

    project = make_project(org)
    plan = make_plan(project, posts=1)
    post = plan.posts.get()
    commit(
        reserve(org, UsageKind.POSTS, 1, project=project, source=f"planning.ContentPlan:{plan.id}", idempotency_key="p")
    )
    commit(reserve(org, UsageKind.RENDERS, 1, project=project, source=f"posts.PostItem:{post.id}", idempotency_key="r"))
    commit(reserve(org, UsageKind.TOKENS, 5, source="posts.PostItem:not-a-uuid", idempotency_key="t"))
    html = client_for(owner).get(usage_url(org)).content.decode()
    assert "planning.ContentPlan:" not in html and "posts.PostItem:" not in html and str(plan.id) not in html
    calendar = reverse("project_calendar", args=[org.slug, project.slug, "2026-03"])
    assert f'<a href="{calendar}">Plan for March 2026 ({project.name}), version 1</a>' in html
    assert f'<a href="{reverse("post_detail", args=[org.slug, project.slug, post.id])}">Post: ' in html
    assert "<td>Post</td>" in html  # a source that cannot be found: its kind, no id
    # The plan buttons sit in the plan's first column (the wide table clipped them at its end).
    first_cells = html.split('<td class="plan-name">')[1:]
    assert sum("Switch to this plan" in cell.split("</td>")[0] for cell in first_cells) == 2


def test_offline_tokens_are_shown_as_such_not_charged(client_for, org, owner, plans):
    """Issue 16 (4): the decision log's offline tokens appear beside the LLM tokens as "not charged"."""
    from apps.ai.models import AIDecision

    AIDecision.objects.create(
        organization=org, agent="script", input_digest="c" * 64, outcome="ok", offline=True,
        prompt_tokens=1500, completion_tokens=700,
    )  # fmt: skip
    AIDecision.objects.create(
        organization=org, agent="script", input_digest="d" * 64, outcome="ok", prompt_tokens=9, completion_tokens=1
    )  # a charged call: counted by the ledger, not here
    html = client_for(owner).get(usage_url(org)).content.decode()
    assert 'id="uncharged-tokens">2,200 more by offline calls (offline provider, not charged)</p>' in html
    assert 'id="uncharged-video_seconds"' not in html
