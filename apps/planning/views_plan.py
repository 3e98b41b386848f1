"""The month plan's "Generate" area: the button, the live progress bar, the failure and retry.

- `POST /o/<org>/p/<project>/plan/<YYYY-MM>/generate/` (`plan_generate`, editors and above):
  the first plan of the month, a retry after a failure, or a regeneration of the ready plan
  (keeping its locked posts). With HTMX the answer is the area's partial (with the progress bar;
  409 with the reason when it cannot start now); without HTMX a redirect to the calendar.
- `GET /o/<org>/p/<project>/plan/<YYYY-MM>/status/` (`plan_status`, every member): the area as
  a partial (HTMX) or as a page. While a generation runs, the partial embeds the job's progress
  bar (`jobs/detail.html#progress`, which polls the JobRun every second and sends the
  `jobFinished` event when the job ends); on that event the area asks again with `?done=1` and
  the answer tells the browser to reload the page (`HX-Refresh`), so the calendar shows the
  new plan, or the failure with its reason and a Retry button.

The calendar includes `planning/_generate_cta.html`, which loads this area.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from apps.core.months import month_or_404
from apps.orgs.access import OrgRequest, org_view
from apps.orgs.roles import Role
from apps.planning import plan_actions
from apps.planning.models import PlanStatus
from apps.planning.slots import month_slots
from apps.projects.access import get_project
from apps.projects.links import calendar_url
from apps.projects.models import Project
from viralforge.htmx import wants_partial

TEMPLATE = "planning/plan_status.html"


def cta_context(request: OrgRequest, project: Project, month: date, *, error: str = "") -> dict:
    """What the area shows: one of none / running / ready / failed / over, and the plan's facts."""
    plan = plan_actions.latest_plan(project, month)
    running = plan_actions.is_running(plan)
    failure = ""
    if running:
        state = "running"
    elif plan is None:
        state = "over" if plan_actions.month_is_over(project, month) else "none"
    elif plan.status == PlanStatus.READY:
        state = "ready"
        failure = plan.error  # the last regeneration failed; the plan itself is unchanged
    else:  # failed, or generating with a job that is over (a dead letter, a crash)
        state = "failed"
        failure = (
            plan.error
            or (plan.job_run.last_error if plan.job_run_id else "")
            or _("The plan could not be generated. Please try again.")
        )
    slug = request.org.slug
    month_param = f"{month:%Y-%m}"
    can_edit = request.membership.has_role(Role.EDITOR)
    # The current month is planned from today on by default; a box asks for the days already past.
    first_day = plan_actions.first_planned_day(project, month)
    slots = len(month_slots(month, first_day))
    # What "Regenerate" does by default: these posts are kept (locked, approved, edited, past), the rest replaced.
    kept = 0
    if state == "ready":
        slots, kept = plan_actions.regenerated_size(plan, first_day)
    # The approved and edited posts "Also replace" would draft again: not the locked ones nor the past ones.
    reviewed = 0
    if state == "ready":
        reviewed_posts = plan.posts.filter(plan_actions.kept_posts()).exclude(locked=True)
        reviewed = (reviewed_posts.filter(date__gte=first_day) if first_day else reviewed_posts).count()
    return {
        "kept": kept,
        "replaced": slots - kept,
        "first_day": first_day if first_day is not None and first_day.day > 1 else None,
        "reviewed": reviewed,
        "project": project,
        "plan": plan,
        "job_run": plan.job_run if running and plan.job_run_id else None,
        "state": state,
        "failure": failure,
        "error": error,
        "month_start": month,
        "month": month_param,
        "slots": slots,
        "can_generate": can_edit and state in ("none", "ready", "failed"),
        "can_manage": request.membership.has_role(Role.ADMIN),
        "generate_url": reverse("plan_generate", args=[slug, project.slug, month_param]),
        "status_url": reverse("plan_status", args=[slug, project.slug, month_param]),
        "calendar_url": calendar_url(slug, project.slug, month),
    }


def _render(request: OrgRequest, context: dict, status: int = 200) -> HttpResponse:
    partial = wants_partial(request)
    template = f"{TEMPLATE}#cta" if partial else TEMPLATE
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_POST
@org_view(Role.EDITOR)
def plan_generate(request: OrgRequest, project_slug: str, month: str) -> HttpResponse:
    month_start = month_or_404(month)
    project = get_project(request.org, project_slug)
    try:
        plan = plan_actions.do_generate_or_regenerate(
            request.membership,
            project,
            month_start,
            language=get_language(),
            replace_reviewed=request.POST.get("replace_reviewed") == "on",
            include_past=request.POST.get("include_past") == "on",
        )
    except plan_actions.PlanError as exc:
        if request.htmx:
            context = cta_context(request, project, month_start, error=exc.message)
            context["error_is_quota"] = exc.quota
            return _render(request, context, exc.status)
        messages.error(request, exc.message)
        return _render(request, cta_context(request, project, month_start), exc.status)
    if request.htmx:
        return _render(request, cta_context(request, project, month_start))
    if plan.status == PlanStatus.READY:
        messages.success(request, _("The plan is being regenerated. Locked posts stay as they are."))
    else:
        messages.success(request, _("The plan is being generated."))
    return redirect(calendar_url(request.org.slug, project.slug, month_start))


@require_GET
@org_view()
def plan_status(request: OrgRequest, project_slug: str, month: str) -> HttpResponse:
    month_start = month_or_404(month)
    project = get_project(request.org, project_slug)
    context = cta_context(request, project, month_start)
    response = _render(request, context)
    if request.htmx and request.GET.get("done") and context["state"] != "running":
        response["HX-Refresh"] = "true"  # the job ended: show the new plan (or the failure) everywhere
    return response
