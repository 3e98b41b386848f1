"""Writes for plans and subscriptions. Usage is written only through `apps.billing.quota`."""

from django.db import transaction
from django.utils.translation import gettext as _

from apps.billing.models import Plan, Subscription, SubscriptionStatus
from apps.billing.services import can_change_plan, get_subscription
from apps.orgs.models import Membership
from apps.orgs.roles import Role


class PlanChangeRefused(Exception):
    """The plan cannot be changed; `reasons` are translated messages for the user."""

    def __init__(self, reasons: list[str]):
        super().__init__(" ".join(reasons))
        self.reasons = reasons


@transaction.atomic
def do_change_plan(actor: Membership, plan: Plan) -> Subscription:
    if actor.role != Role.OWNER:
        raise PlanChangeRefused([_("Only an owner can change the plan.")])
    org = actor.organization
    get_subscription(org)
    # Serialises plan changes with seat checks on invitations (they lock the same row).
    subscription = Subscription.objects.for_org(org).select_for_update(of=("self",)).get()
    reasons = can_change_plan(org, plan)
    if reasons:
        raise PlanChangeRefused(reasons)
    subscription.plan = plan
    subscription.status = SubscriptionStatus.ACTIVE
    subscription.save(update_fields=["plan", "status", "updated_at"])
    return subscription
