"""Helpers for tests (here and in other apps): put an organization on a plan with test-sized limits."""

import uuid

from apps.billing.models import Plan
from apps.billing.plans import SEED_PLANS
from apps.billing.services import get_subscription


def make_plan(**limits) -> Plan:
    values = SEED_PLANS["pro"] | {"name": f"Test {uuid.uuid4().hex[:6]}"} | limits
    return Plan.objects.create(slug=f"test-{uuid.uuid4().hex[:10]}", **values)


def subscribe(org, plan: Plan | None = None, **limits) -> Plan:
    """Put `org` on `plan` (or on a new plan with these limits)."""
    plan = plan or make_plan(**limits)
    subscription = get_subscription(org)
    subscription.plan = plan
    subscription.save()
    return plan
