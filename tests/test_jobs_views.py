"""Queue page, job detail and re-queue: roles, tenancy, HTMX partials, filters."""

import uuid

import pytest
from django.urls import reverse

from apps.jobs.actions import JobRuleError, do_requeue_job
from apps.jobs.models import JobRun, JobStatus
from apps.jobs.progress import current_job_run_id, report_progress
from tests.support import jobs_actors  # noqa: F401  (registers the vf_test_* actors with the broker)

HTMX = {"HX-Request": "true"}


def make_run(org, **fields) -> JobRun:
    values = {"kind": "render_video", "actor_name": "vf_test_succeed", "payload": {"token": uuid.uuid4().hex}}
    return JobRun.objects.create(organization=org, **(values | fields))


@pytest.fixture
def dead_run(org):
    return make_run(org, kind="dead_render", status=JobStatus.DEAD, attempts=3, last_error="RuntimeError: ffmpeg died")


@pytest.fixture
def done_run(org):
    return make_run(org, kind="done_caption", status=JobStatus.SUCCEEDED, progress=100, attempts=1)


@pytest.fixture
def foreign_run(other_org):
    return make_run(other_org, kind="beta_secret_job", status=JobStatus.DEAD)


def queue_url(org):
    return reverse("job_queue", args=[org.slug])


def detail_url(org, run):
    return reverse("job_detail", args=[org.slug, run.id])


def requeue_url(org, run):
    return reverse("job_requeue", args=[org.slug, run.id])


# --- queue page ------------------------------------------------------------------------


def test_queue_page_lists_own_jobs_only(client_for, viewer, org, dead_run, done_run, foreign_run):
    response = client_for(viewer).get(queue_url(org))
    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" in content
    assert "dead_render" in content and "done_caption" in content
    assert "RuntimeError: ffmpeg died" in content
    assert "beta_secret_job" not in content
    assert "1 in the dead-letter list" in content


def test_queue_htmx_request_gets_only_the_table(client_for, viewer, org, dead_run):
    response = client_for(viewer).get(queue_url(org), headers=HTMX)
    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" not in content
    assert content.lstrip().startswith('<section id="job-table"')
    assert 'hx-trigger="every 3s"' in content
    assert "dead_render" in content


def test_queue_filter_dead(client_for, viewer, org, dead_run, done_run):
    response = client_for(viewer).get(queue_url(org), {"status": "dead"}, headers=HTMX)
    content = response.content.decode()
    assert "dead_render" in content
    assert "done_caption" not in content
    assert "?status=dead" in content  # polling keeps the filter


def test_queue_filter_succeeded_and_active(client_for, viewer, org, dead_run, done_run):
    running = make_run(org, kind="running_job", status=JobStatus.RUNNING)
    content = client_for(viewer).get(queue_url(org), {"status": "succeeded"}).content.decode()
    assert "done_caption" in content and "dead_render" not in content and "running_job" not in content
    content = client_for(viewer).get(queue_url(org), {"status": "active"}).content.decode()
    assert running.kind in content and "done_caption" not in content and "dead_render" not in content


def test_queue_unknown_filter_shows_everything(client_for, viewer, org, dead_run, done_run):
    content = client_for(viewer).get(queue_url(org), {"status": "bogus"}).content.decode()
    assert "dead_render" in content and "done_caption" in content


def test_viewer_sees_no_requeue_button(client_for, viewer, org, dead_run):
    content = client_for(viewer).get(queue_url(org)).content.decode()
    assert "dead_render" in content
    assert requeue_url(org, dead_run) not in content


def test_admin_sees_requeue_button_for_dead_jobs_only(client_for, admin_user, org, dead_run, done_run):
    content = client_for(admin_user).get(queue_url(org)).content.decode()
    assert requeue_url(org, dead_run) in content
    assert requeue_url(org, done_run) not in content


def test_queue_page_still_renders_when_redis_is_down(client_for, viewer, org, dead_run):
    from django.test import override_settings

    from viralforge.redis import get_redis

    get_redis.cache_clear()
    try:
        with override_settings(REDIS_URL="unix:///nonexistent/redis.sock"):
            response = client_for(viewer).get(queue_url(org))
    finally:
        get_redis.cache_clear()
    assert response.status_code == 200
    assert "No worker has reported yet." in response.content.decode()
    assert "dead_render" in response.content.decode()


# --- job detail ------------------------------------------------------------------------


def test_detail_page(client_for, viewer, org, dead_run):
    response = client_for(viewer).get(detail_url(org, dead_run))
    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" in content
    assert "dead_render" in content and "RuntimeError: ffmpeg died" in content
    assert requeue_url(org, dead_run) not in content  # viewer


def test_detail_shows_requeue_to_owner(client_for, owner, org, dead_run):
    assert requeue_url(org, dead_run) in client_for(owner).get(detail_url(org, dead_run)).content.decode()


def test_detail_htmx_partial_for_active_job_keeps_polling(client_for, viewer, org):
    run = make_run(org, status=JobStatus.RUNNING, progress=35, step="Rendering scene 2")
    response = client_for(viewer).get(detail_url(org, run), headers=HTMX)
    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" not in content
    assert content.lstrip().startswith('<div id="job-progress"')
    assert 'aria-valuenow="35"' in content and "Rendering scene 2" in content
    assert 'hx-trigger="every 1s"' in content
    assert "HX-Trigger" not in response.headers


@pytest.mark.parametrize("status", [JobStatus.SUCCEEDED, JobStatus.DEAD])
def test_detail_htmx_partial_for_finished_job_triggers_event(client_for, viewer, org, status):
    run = make_run(org, status=status, progress=100 if status == JobStatus.SUCCEEDED else 10)
    response = client_for(viewer).get(detail_url(org, run), headers=HTMX)
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "jobFinished"
    assert "hx-trigger" not in response.content.decode()  # polling stops


def test_detail_full_page_has_no_trigger_header(client_for, viewer, org, done_run):
    response = client_for(viewer).get(detail_url(org, done_run))
    assert "HX-Trigger" not in response.headers


def test_detail_unknown_job_is_404(client_for, viewer, org):
    assert client_for(viewer).get(reverse("job_detail", args=[org.slug, uuid.uuid4()])).status_code == 404


# --- re-queue --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "admin_user"])
def test_requeue_dead_job(request, role, client_for, org, dead_run, broker, django_capture_on_commit_callbacks):
    user = request.getfixturevalue(role)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_for(user).post(requeue_url(org, dead_run), headers={"X-Request-ID": "req-requeue-1"})
    assert response.status_code == 302
    assert response["Location"] == queue_url(org)
    assert len(callbacks) == 1  # the message is sent only after commit
    run = JobRun.objects.for_org(org).get(id=dead_run.id)
    assert (run.status, run.progress, run.requeued_count, run.finished_at) == (JobStatus.QUEUED, 0, 1, None)
    assert run.message_id  # handed to the broker
    assert run.request_id == "req-requeue-1"
    assert run.last_error == "RuntimeError: ffmpeg died"  # kept until the next attempt says otherwise
    # The success message shows on the page the redirect leads to.
    assert "Job re-queued." in client_for(user).get(queue_url(org)).content.decode()


def test_requeue_job_that_is_not_dead_is_409(client_for, owner, org, done_run):
    response = client_for(owner).post(requeue_url(org, done_run))
    assert response.status_code == 409
    content = response.content.decode()
    assert "Only failed jobs can be re-queued." in content
    assert "<html" in content
    run = JobRun.objects.for_org(org).get(id=done_run.id)
    assert (run.status, run.requeued_count) == (JobStatus.SUCCEEDED, 0)


def test_requeue_htmx_job_that_is_not_dead_is_409_partial(client_for, owner, org, done_run):
    response = client_for(owner).post(requeue_url(org, done_run), headers=HTMX)
    assert response.status_code == 409
    content = response.content.decode()
    assert "<html" not in content
    assert 'hx-swap-oob="true"' in content and "Only failed jobs can be re-queued." in content
    assert JobRun.objects.for_org(org).get(id=done_run.id).requeued_count == 0


def test_requeue_rule_in_action(org, done_run):
    with pytest.raises(JobRuleError):
        do_requeue_job(done_run)


def test_requeue_of_job_whose_actor_is_gone_lands_in_dead_letters_again(
    client_for, owner, org, django_capture_on_commit_callbacks
):
    run = make_run(org, actor_name="vf_test_actor_that_was_removed", status=JobStatus.DEAD, last_error="old")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(owner).post(requeue_url(org, run))
    assert response.status_code == 302  # the re-queue itself was saved; sending it failed afterwards
    run.refresh_from_db()
    assert run.status == JobStatus.DEAD
    assert run.requeued_count == 1
    assert run.last_error.startswith("Could not queue the job: ActorNotFound")


# --- progress reporting ----------------------------------------------------------------


def test_report_progress_clamps_and_never_goes_back(org):
    run = make_run(org, status=JobStatus.RUNNING)
    token = current_job_run_id.set(str(run.id))
    try:
        report_progress(30, "one")
        report_progress(10, "two")
        run.refresh_from_db()
        assert (run.progress, run.step) == (30, "two")
        report_progress(250, "x" * 500)
        run.refresh_from_db()
        assert run.progress == 100 and len(run.step) == 200
    finally:
        current_job_run_id.reset(token)


def test_report_progress_outside_a_job_does_nothing(org):
    run = make_run(org, status=JobStatus.RUNNING)
    report_progress(50, "nowhere")
    run.refresh_from_db()
    assert (run.progress, run.step) == (0, "")
