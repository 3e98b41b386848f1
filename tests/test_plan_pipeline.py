"""The month-plan pipeline end to end: through a real Dramatiq worker on the real Redis, with the
offline provider; failure, retry, regeneration with locked posts, idempotent redelivery."""

from datetime import date
from itertools import combinations

import pytest
from django.db import transaction

from apps.ai.embeddings import get_embedder
from apps.ai.models import AIDecision, SimilarityEntry
from apps.billing.models import Reservation, ReservationStatus, UsageKind, UsageLedger
from apps.billing.testing import subscribe
from apps.jobs.models import JobRun, JobStatus
from apps.jobs.progress import current_job_run_id
from apps.orgs.models import Membership
from apps.planning import plan_actions
from apps.planning.models import ContentPlan, PlanStatus
from apps.posts import plan_runs
from apps.posts.models import PostItem, PostStatus
from apps.posts.tasks import generate_month_plan
from apps.projects.models import Project
from tests.support.jobs_actors import wait_for_run
from tests.support.policy_corpus import default_rule_set

MONTH = date(2027, 6, 1)  # 30 days: 90 posts
POSTS = 90
THRESHOLD = 0.90


@pytest.fixture
def project(org):
    default_rule_set()  # a transactional test flushes the data migrations' rows
    subscribe(org, posts_per_month=10_000, monthly_tokens=50_000_000)
    return Project.objects.create(
        organization=org,
        name="Alpenglow Coffee",
        slug="alpenglow",
        language="de",
        topics=["Kaffee", "Espresso", "Latte Art", "Heilkraft von Kräutertee"],
        content_pillars=["Barista-Tipps", "Hinter den Kulissen"],
        target_platforms=["tiktok", "instagram"],
        audience="Kaffeeliebhaber in Städten",
        cta="Folge uns für mehr Kaffeewissen",
        hashtags=["#alpenglow"],
    )


@pytest.fixture
def membership(org, editor):
    return Membership.objects.for_org(org).get(user=editor)


def request_plan(membership, project, month=MONTH) -> ContentPlan:
    with transaction.atomic():
        return plan_actions.do_request_month_plan(membership, project, month, language="en")


def posts_of(plan) -> list[PostItem]:
    return list(PostItem.objects.for_org(plan.organization_id).filter(plan=plan).order_by("date", "slot"))


def max_hook_similarity(hooks) -> float:
    vectors = get_embedder().embed(hooks)
    return max(sum(a * b for a, b in zip(x, y, strict=True)) for x, y in combinations(vectors, 2))


def test_month_plan_through_the_worker(project, membership, worker, settings):
    settings.VF_SIMILARITY_THRESHOLD = THRESHOLD
    plan = request_plan(membership, project)
    assert plan.status == PlanStatus.GENERATING and plan.job_run_id
    run = wait_for_run(plan.job_run_id, JobStatus.SUCCEEDED, JobStatus.DEAD, timeout=60)
    assert run.status == JobStatus.SUCCEEDED, run.last_error
    assert run.progress == 100 and run.target == f"planning.ContentPlan:{plan.id}"
    assert run.step == "Saving the plan"  # the language of the person who asked (English here)

    plans = list(ContentPlan.objects.for_org(project.organization).filter(project=project))
    assert [(p.id, p.status, p.version) for p in plans] == [(plan.id, PlanStatus.READY, 1)]
    assert plans[0].offline and plans[0].error == ""
    posts = posts_of(plan)
    assert len(posts) == POSTS
    assert {(p.date.day, p.slot) for p in posts} == {(d, s) for d in range(1, 31) for s in (1, 2, 3)}
    for post in posts:
        assert post.hook and post.format and post.caption and post.hashtags
        assert post.script["scenes"] and post.storyboard and post.video_prompt["prompts"]
        assert len(post.storyboard) == len(post.script["scenes"])
        assert 0 < post.confidence <= 1 and post.rationale and post.offline
        assert post.policy["outcome"] in ("pass", "needs_review", "hard_block")
        if post.policy["outcome"] == "pass" and "planning.hook_too_close" not in codes(post):
            assert post.status == PostStatus.NEEDS_APPROVAL  # the project's rule: an editor approves
        else:
            assert post.status == PostStatus.NEEDS_REVIEW and post.review_reason
    flagged = [post for post in posts if post.policy["outcome"] != "pass"]
    assert flagged, "the topic “Heilkraft …” must trip the healing-claims rule"
    assert all(post.review_reason for post in flagged)
    assert any(
        (match.get("reason") or {}).get("code", "").startswith("policy.medical")
        for post in flagged
        for match in post.policy["matches"]
    )
    # No two hooks of a plan at or above the guard's threshold (the guard's own embedder).
    assert max_hook_similarity([post.hook for post in posts]) < THRESHOLD
    assert len({post.hook.casefold() for post in posts}) == POSTS

    # Quota: 90 posts used; the hooks are remembered for the guard.
    ledger = UsageLedger.objects.for_org(project.organization).filter(kind=UsageKind.POSTS)
    assert [row.quantity for row in ledger] == [POSTS]
    hooks = SimilarityEntry.objects.filter(organization=project.organization, project=project, kind="hook")
    assert hooks.count() == POSTS
    assert AIDecision.objects.for_org(project.organization).filter(project=project).count() >= 2 + 30 + 2 * POSTS


def test_a_redelivered_or_stale_message_does_nothing(project, membership, worker):
    plan = request_plan(membership, project)
    wait_for_run(plan.job_run_id, JobStatus.SUCCEEDED, timeout=60)
    decisions = AIDecision.objects.for_org(project.organization).count()
    token = current_job_run_id.set(str(plan.job_run_id))
    try:
        generate_month_plan.fn(plan_id=str(plan.id))  # the same message again: the plan is ready
    finally:
        current_job_run_id.reset(token)
    assert plan_runs.run_month_plan(plan.id, job_run_id="another-job") is None  # not this job's plan
    assert AIDecision.objects.for_org(project.organization).count() == decisions
    assert len(posts_of(plan)) == POSTS
    assert ContentPlan.objects.for_org(project.organization).count() == 1


def test_budget_refused_fails_the_plan_without_posts_then_retry_succeeds(project, membership, worker):
    subscribe(project.organization, posts_per_month=10_000, monthly_tokens=10)  # far too small
    plan = request_plan(membership, project)
    run = wait_for_run(plan.job_run_id, JobStatus.DEAD, JobStatus.SUCCEEDED, timeout=30)
    assert run.status == JobStatus.DEAD  # no retries: the user has to act
    assert run.attempts == 1
    plan.refresh_from_db()
    assert plan.status == PlanStatus.FAILED
    assert "failed, so no plan was saved" in plan.error and "token" in plan.error.lower()
    assert run.last_error.endswith(plan.error)
    assert PostItem.objects.for_org(project.organization).count() == 0
    reservation = Reservation.objects.for_org(project.organization).get(kind=UsageKind.POSTS)
    assert reservation.status == ReservationStatus.RELEASED
    assert not UsageLedger.objects.for_org(project.organization).filter(kind=UsageKind.POSTS).exists()

    # Retry: the same row (no new version), a new job, a full plan.
    subscribe(project.organization, posts_per_month=10_000, monthly_tokens=50_000_000)
    retried = request_plan(membership, project)
    assert (retried.id, retried.version) == (plan.id, 1)
    assert retried.job_run_id != plan.job_run_id
    wait_for_run(retried.job_run_id, JobStatus.SUCCEEDED, timeout=60)
    retried.refresh_from_db()
    assert retried.status == PlanStatus.READY and retried.error == ""
    assert len(posts_of(retried)) == POSTS
    assert ContentPlan.objects.for_org(project.organization).count() == 1


def test_regenerate_keeps_locked_posts_and_supersedes_the_old_version(project, membership, worker, editor):
    old = plan_runs.do_generate_month_plan_now(project, MONTH, user=editor)
    old_posts = posts_of(old)
    kept = {(p.date, p.slot): p for p in old_posts[:3]}
    edited = old_posts[0]
    PostItem.objects.for_org(project.organization).filter(id=edited.id).update(
        hook="Unser eigener Hook, von Hand geschrieben", status=PostStatus.APPROVED
    )
    PostItem.objects.for_org(project.organization).filter(id__in=[p.id for p in kept.values()]).update(locked=True)
    kept = {(p.date, p.slot): p for p in PostItem.objects.for_org(project.organization).filter(locked=True)}

    with transaction.atomic():
        current = plan_actions.do_regenerate_month_plan(membership, project, MONTH, language="en")
        # During the regeneration the old version stays current (and the calendar shows it).
        assert current.id == old.id and current.status == PlanStatus.READY
    assert plan_actions.is_running(plan_actions.current_plan(project, MONTH))
    run = wait_for_run(current.job_run_id, JobStatus.SUCCEEDED, JobStatus.DEAD, timeout=60)
    assert run.status == JobStatus.SUCCEEDED, run.last_error

    old.refresh_from_db()
    assert old.status == PlanStatus.SUPERSEDED
    new = plan_actions.current_plan(project, MONTH)
    assert (new.version, new.status, new.job_run_id) == (2, PlanStatus.READY, run.id)
    assert new.created_by_id == membership.user_id
    new_posts = posts_of(new)
    assert len(new_posts) == POSTS
    assert len(posts_of(old)) == POSTS  # the old version is kept as it was
    by_slot = {(p.date, p.slot): p for p in new_posts}
    for key, before in kept.items():
        after = by_slot[key]
        assert after.id != before.id and after.locked
        assert (after.hook, after.caption, after.status, after.script) == (
            before.hook,
            before.caption,
            before.status,
            before.script,
        )
    assert by_slot[(edited.date, edited.slot)].hook == "Unser eigener Hook, von Hand geschrieben"
    regenerated = [p for key, p in by_slot.items() if key not in kept]
    old_hooks = {p.hook for p in old_posts}
    assert sum(p.hook not in old_hooks for p in regenerated) == len(regenerated)  # the history guard
    assert max_hook_similarity([p.hook for p in new_posts]) < THRESHOLD
    usage = UsageLedger.objects.for_org(project.organization).filter(kind=UsageKind.POSTS)
    # Only the first generation counts: the regeneration replaces posts the plan already has and
    # adds none, so it costs no posts quota (issue 16: honest quotas).
    assert sorted(row.quantity for row in usage) == [POSTS]
    current_plans = ContentPlan.objects.for_org(project.organization).filter(
        project=project, month=MONTH, status__in=[PlanStatus.READY, PlanStatus.GENERATING]
    )
    assert current_plans.count() == 1


def test_job_requeued_from_the_dead_letters_retries_a_failed_plan(project, membership, worker):
    from apps.jobs.actions import do_requeue_job

    subscribe(project.organization, posts_per_month=10_000, monthly_tokens=10)
    plan = request_plan(membership, project)
    wait_for_run(plan.job_run_id, JobStatus.DEAD, timeout=30)
    subscribe(project.organization, posts_per_month=10_000, monthly_tokens=50_000_000)
    do_requeue_job(JobRun.objects.for_org(project.organization).get(id=plan.job_run_id))
    wait_for_run(plan.job_run_id, JobStatus.SUCCEEDED, timeout=60)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.READY
    assert len(posts_of(plan)) == POSTS


def codes(post) -> set[str]:
    return {reason["code"] for reason in post.review_reason}
