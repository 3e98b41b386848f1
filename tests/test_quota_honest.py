"""Issue 16, item 4: quotas that make sense. A month plan's posts count against the plan's month;
regenerating a full plan adds no posts, so it costs no posts quota; a refusal with posts left does
not say "reached" and links to Plan & usage."""

from datetime import date

import pytest
from django.urls import reverse

from apps.billing import quota, services
from apps.billing.models import Reservation, UsageAggregate, UsageKind
from apps.billing.testing import subscribe
from apps.planning.models import PlanStatus
from tests.support.posts import make_plan, make_project

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
JUNE = date(2027, 6, 1)  # a month of 30 days: 90 slots


def generate(client, org, project, month="2027-06"):
    return client.post(reverse("plan_generate", args=[org.slug, project.slug, month]), **HTMX)


def used_posts(org, month) -> int:
    row = UsageAggregate.objects.for_org(org).filter(kind=UsageKind.POSTS, month=month, project=None).first()
    return (row.used + row.reserved) if row else 0


def spend_posts(org, project, month, quantity):
    reservation = quota.reserve(
        org, UsageKind.POSTS, quantity, project=project, idempotency_key=f"spent-{month}", month=month
    )
    quota.commit(reservation)


def test_a_plans_posts_count_against_its_month(client_for, org, editor):
    subscribe(org, posts_per_month=100)
    project = make_project(org)
    assert generate(client_for(editor), org, project).status_code == 200
    reservation = Reservation.objects.for_org(org).get(kind=UsageKind.POSTS)
    assert reservation.month == JUNE and reservation.quantity == 90
    assert used_posts(org, JUNE) == 90
    assert used_posts(org, services.month_of()) == 0  # not this month's


def test_regenerating_a_full_plan_costs_no_posts(client_for, org, editor):
    subscribe(org, posts_per_month=100)
    project = make_project(org)
    make_plan(project, month=JUNE, posts=90, status=PlanStatus.READY)
    spend_posts(org, project, JUNE, 93)  # the first plan (and a few more): 7 left
    response = generate(client_for(editor), org, project)
    assert response.status_code == 200, response.content.decode()
    assert used_posts(org, JUNE) == 93  # nothing more reserved: it replaces posts, it adds none


def test_refusal_with_posts_left_says_so_and_links_to_plan_and_usage(client_for, org, editor):
    subscribe(org, posts_per_month=100)
    spend_posts(org, make_project(org, slug="first"), JUNE, 93)
    response = generate(client_for(editor), org, make_project(org, slug="second"))
    html = response.content.decode()
    assert response.status_code == 409
    assert "reached" not in html and "Not enough posts left this month" in html and "7 are left" in html
    assert reverse("billing_usage", args=[org.slug]) in html
