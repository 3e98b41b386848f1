from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from redis import RedisError

from apps.jobs.access import get_job_run
from apps.jobs.actions import JobRuleError, do_requeue_job
from apps.jobs.heartbeat import newest_heartbeat_age
from apps.jobs.models import JobRun, JobStatus
from apps.orgs.access import OrgRequest, org_view
from apps.orgs.roles import Role

FILTERS = {
    "active": JobRun.ACTIVE,
    "dead": (JobStatus.DEAD,),
    "succeeded": (JobStatus.SUCCEEDED,),
}
PAGE_SIZE = 50


def _queue_context(request: OrgRequest) -> dict:
    selected = request.GET.get("status", "")
    runs = JobRun.objects.for_org(request.org)
    if selected in FILTERS:
        runs = runs.filter(status__in=FILTERS[selected])
    else:
        selected = ""
    by_status = dict(
        JobRun.objects.for_org(request.org).values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    counts = {name: sum(by_status.get(s, 0) for s in statuses) for name, statuses in FILTERS.items()}
    try:
        heartbeat_age = newest_heartbeat_age()
    except RedisError:
        heartbeat_age = None
    return {
        "runs": runs[:PAGE_SIZE],
        "selected": selected,
        "counts": counts,
        "can_requeue": request.membership.has_role(Role.ADMIN),
        "heartbeat_age": heartbeat_age,
        "filters": [
            ("", _("All")),
            ("active", _("Active")),
            ("dead", _("Dead letters")),
            ("succeeded", _("Succeeded")),
        ],
    }


@require_GET
@org_view()
def job_queue(request: OrgRequest) -> HttpResponse:
    template = "jobs/queue.html#job_table" if request.htmx and not request.htmx.boosted else "jobs/queue.html"
    return render(request, template, _queue_context(request))


@require_GET
@org_view()
def job_detail(request: OrgRequest, job_run_id) -> HttpResponse:
    run = get_job_run(request.org, job_run_id)
    template = "jobs/detail.html#progress" if request.htmx else "jobs/detail.html"
    context = {"run": run, "can_requeue": request.membership.has_role(Role.ADMIN)}
    response = render(request, template, context)
    if request.htmx and not run.is_active:
        # Tell the page the job ended so listeners (e.g. a calendar) can refresh themselves.
        response["HX-Trigger"] = "jobFinished"
    return response


@require_POST
@org_view(Role.ADMIN)
def job_requeue(request: OrgRequest, job_run_id) -> HttpResponse:
    run = get_job_run(request.org, job_run_id)
    try:
        do_requeue_job(run)
    except JobRuleError as exc:
        messages.error(request, str(exc))
        status = 409
    else:
        messages.success(request, _("Job re-queued."))
        status = 200
    if request.htmx:
        # The message reaches the page out-of-band (viralforge.htmx.HtmxMessagesMiddleware).
        return render(request, "jobs/queue.html#job_table", _queue_context(request), status=status)
    if status == 409:
        return render(request, "jobs/queue.html", _queue_context(request), status=status)
    return redirect("job_queue", request.org.slug)
