"""The month plan's Generate / Regenerate button and its status area (apps/planning/views_plan.py).

No worker here: jobs stay queued (the message goes out on commit, which these tests never do)."""

from datetime import date

import pytest
from django.urls import reverse

from apps.billing.testing import subscribe
from apps.jobs.models import JobRun, JobStatus
from apps.planning import plan_actions
from apps.planning.models import ContentPlan, PlanStatus
from apps.posts.models import PostItem
from apps.projects.models import Project

MONTH = "2027-06"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def project(org):
    subscribe(org, posts_per_month=10_000)
    return Project.objects.create(organization=org, name="Alpenglow Coffee", slug="alpenglow", language="de")


def generate_url(org, project, month=MONTH):
    return reverse("plan_generate", args=[org.slug, project.slug, month])


def status_url(org, project, month=MONTH):
    return reverse("plan_status", args=[org.slug, project.slug, month])


def plans(project):
    return list(ContentPlan.objects.for_org(project.organization).filter(project=project))


def ready_plan(project, *, locked=0, error="") -> ContentPlan:
    plan = ContentPlan.objects.create(
        organization=project.organization,
        project=project,
        month=date(2027, 6, 1),
        status=PlanStatus.READY,
        offline=True,
        error=error,
    )
    for n in range(locked):
        PostItem.objects.create(
            organization=project.organization,
            project=project,
            plan=plan,
            date=date(2027, 6, 1 + n),
            slot=1,
            format="Tutorial",
            hook=f"Hook {n}",
            locked=True,
        )
    return plan


# --- generate ---------------------------------------------------------------------------------


def test_editor_starts_a_plan_and_sees_the_progress_bar(client_for, editor, org, project):
    response = client_for(editor).post(generate_url(org, project), **HTMX)
    assert response.status_code == 200
    [plan] = plans(project)
    assert (plan.status, plan.version, plan.created_by) == (PlanStatus.GENERATING, 1, editor)
    job = JobRun.objects.for_org(org).get(id=plan.job_run_id)
    assert job.status == JobStatus.QUEUED
    assert (job.actor_name, job.target) == ("generate_month_plan", f"planning.ContentPlan:{plan.id}")
    assert job.payload["plan_id"] == str(plan.id) and job.payload["regenerate"] is False
    html = response.content.decode()
    assert 'id="job-progress"' in html  # the jobs progress partial, polling the JobRun
    assert reverse("job_detail", args=[org.slug, job.id]) in html
    assert 'hx-trigger="jobFinished from:body"' in html and "?done=1" in html
    assert "Generating the plan for June 2027" in html
    assert 'id="plan-generate"' not in html


def test_plain_post_redirects_to_the_calendar(client_for, editor, org, project):
    response = client_for(editor).post(generate_url(org, project))
    assert response.status_code == 302
    assert plans(project)[0].status == PlanStatus.GENERATING


def test_unknown_project_or_bad_month_is_404(client_for, editor, org, project):
    client = client_for(editor)
    assert client.post(reverse("plan_generate", args=[org.slug, "nope", MONTH])).status_code == 404
    assert client.post(generate_url(org, project, "2027-13")).status_code == 404
    assert client.get(status_url(org, project, "27-06")).status_code == 404


def test_second_request_while_generating_is_409(client_for, editor, owner, org, project):
    assert client_for(editor).post(generate_url(org, project), **HTMX).status_code == 200
    response = client_for(owner).post(generate_url(org, project), **HTMX)
    assert response.status_code == 409
    assert "is being generated already" in response.content.decode()
    assert len(plans(project)) == 1
    assert JobRun.objects.for_org(org).count() == 1
    # Without HTMX: the page with the message, same status.
    page = client_for(owner).post(generate_url(org, project))
    assert page.status_code == 409 and "is being generated already" in page.content.decode()


def test_quota_too_small_refuses_and_writes_nothing(client_for, editor, org, project):
    subscribe(org, posts_per_month=30)
    response = client_for(editor).post(generate_url(org, project), **HTMX)
    assert response.status_code == 409
    assert 'role="alert"' in response.content.decode()
    assert plans(project) == [] and JobRun.objects.for_org(org).count() == 0


def test_a_month_that_is_over_is_refused(client_for, editor, org, project):
    response = client_for(editor).post(generate_url(org, project, "2020-01"), **HTMX)
    assert response.status_code == 400
    assert "is over" in response.content.decode()
    assert plans(project) == []


def test_regenerate_keeps_the_ready_plan_current(client_for, editor, org, project):
    plan = ready_plan(project, locked=2)
    response = client_for(editor).post(generate_url(org, project), **HTMX)
    assert response.status_code == 200
    assert "Regenerating the plan for June 2027" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.READY and plan.job_run_id
    job = JobRun.objects.for_org(org).get(id=plan.job_run_id)
    assert job.payload["regenerate"] is True
    assert len(plans(project)) == 1
    again = client_for(editor).post(generate_url(org, project), **HTMX)
    assert again.status_code == 409


def test_regenerate_with_every_post_locked_is_refused(org, project, editor):
    from apps.orgs.models import Membership

    plan = ready_plan(project)
    month = date(2027, 6, 1)
    PostItem.objects.bulk_create(
        PostItem(
            organization=org, project=project, plan=plan, date=day, slot=n, format="F", hook=f"{day} {n}", locked=True
        )
        for day in [date(2027, 6, d) for d in range(1, 31)]
        for n in (1, 2, 3)
    )
    membership = Membership.objects.for_org(org).get(user=editor)
    with pytest.raises(plan_actions.PlanError, match="Every post of June 2027 is locked, so"):
        plan_actions.do_regenerate_month_plan(membership, project, month)


# --- status -------------------------------------------------------------------------------------


def test_status_of_an_empty_month(client_for, editor, viewer, org, project):
    html = client_for(editor).get(status_url(org, project), **HTMX).content.decode()
    assert 'id="plan-generate"' in html and "There is no plan for this month yet." in html
    assert "<html" not in html  # the partial
    viewer_html = client_for(viewer).get(status_url(org, project), **HTMX).content.decode()
    assert "There is no plan for this month yet." in viewer_html and 'id="plan-generate"' not in viewer_html
    page = client_for(viewer).get(status_url(org, project))
    assert page.status_code == 200 and "<html" in page.content.decode()


def test_status_of_a_ready_plan_offers_regenerate_to_editors_only(client_for, editor, viewer, org, project):
    ready_plan(project, error="The AI provider is not available right now.")
    html = client_for(editor).get(status_url(org, project), **HTMX).content.decode()
    assert 'id="plan-regenerate"' in html and "Retry regenerating" in html
    assert "The last regeneration failed" in html and "not available right now" in html
    assert 'id="plan-regenerate"' not in client_for(viewer).get(status_url(org, project), **HTMX).content.decode()


def test_status_of_a_failed_plan_shows_the_reason_and_retry(client_for, editor, org, project):
    ContentPlan.objects.create(
        organization=org,
        project=project,
        month=date(2027, 6, 1),
        status=PlanStatus.FAILED,
        error="Research failed, so no plan was saved: budget.",
    )
    html = client_for(editor).get(status_url(org, project), **HTMX).content.decode()
    assert "could not be generated" in html and "budget." in html and 'id="plan-retry"' in html


def test_finished_job_tells_the_page_to_reload(client_for, editor, org, project):
    client = client_for(editor)
    client.post(generate_url(org, project), **HTMX)
    [plan] = plans(project)
    running = client.get(status_url(org, project) + "?done=1", **HTMX)
    assert "HX-Refresh" not in running  # still queued
    JobRun.objects.for_org(org).filter(id=plan.job_run_id).update(status=JobStatus.DEAD, last_error="Boom")
    done = client.get(status_url(org, project) + "?done=1", **HTMX)
    assert done["HX-Refresh"] == "true"
    html = done.content.decode()
    assert "Boom" in html and 'id="plan-retry"' in html  # a stalled generation shows as failed
    # ... and the retry reuses the row.
    assert client.post(generate_url(org, project), **HTMX).status_code == 200
    assert [(p.id, p.status) for p in plans(project)] == [(plan.id, PlanStatus.GENERATING)]


def test_calendar_placeholder_loads_the_status(client_for, editor, org, project):
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.org = org
    request.user = editor
    html = render_to_string(
        "planning/_generate_cta.html",
        {"project": project, "month": MONTH, "plan": None, "can_edit": True},
        request=request,
    )
    assert status_url(org, project) in html and 'hx-trigger="load"' in html
    assert generate_url(org, project) in html
