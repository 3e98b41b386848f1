from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.billing.actions import PlanChangeRefused, do_change_plan
from apps.billing.models import Plan, UsageLedger
from apps.billing.services import usage_summary
from apps.billing.sources import describe_sources, uncharged_usage
from apps.orgs.access import OrgRequest, org_view
from apps.orgs.roles import Role
from viralforge.htmx import htmx_redirect

HISTORY_PAGE_SIZE = 50


def _usage_context(request: OrgRequest, change_errors: list[str] | None = None) -> dict:
    org = request.org
    summary = usage_summary(org)
    history = Paginator(UsageLedger.objects.for_org(org).select_related("project"), HISTORY_PAGE_SIZE)
    page = history.get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    describe_sources(org, page.object_list)  # names and links, not "planning.ContentPlan:<uuid>"
    uncharged = uncharged_usage(org, summary["month"])
    for kind in summary["kinds"]:
        kind["uncharged"] = uncharged.get(kind["kind"], 0)
    return summary | {
        "plans": list(Plan.objects.filter(active=True)),
        "history": page,
        "can_change_plan": request.membership.role == Role.OWNER,
        "change_errors": change_errors or [],
    }


@require_GET
@org_view(Role.ADMIN)
def billing_usage(request: OrgRequest) -> HttpResponse:
    context = _usage_context(request)
    if request.htmx and not request.htmx.boosted and request.GET.get("page"):
        return render(request, "billing/usage.html#history", context)
    return render(request, "billing/usage.html", context)


@require_POST
@org_view(Role.OWNER)
def billing_change_plan(request: OrgRequest) -> HttpResponse:
    plan = Plan.objects.filter(slug=request.POST.get("plan", "")).first()
    try:
        if plan is None:
            raise PlanChangeRefused([_("Choose a plan.")])
        do_change_plan(request.membership, plan)
    except PlanChangeRefused as refused:
        return render(request, "billing/usage.html", _usage_context(request, refused.reasons), status=400)
    messages.success(request, _("The organization is now on the %(plan)s plan.") % {"plan": plan.name})
    return htmx_redirect(request, "billing_usage", request.org.slug)
