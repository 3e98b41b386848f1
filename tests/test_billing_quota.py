"""The quota API: reserve / commit / release / metered, the limits, the ledger and the aggregates."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from apps.billing import quota
from apps.billing.models import (
    LedgerIsAppendOnly,
    Reservation,
    ReservationStatus,
    SoftLimitNotice,
    SubscriptionStatus,
    UsageAggregate,
    UsageKind,
    UsageLedger,
)
from apps.billing.plans import ensure_seed_plans
from apps.billing.quota import QuotaExceeded, check, commit, metered, release, reserve
from apps.billing.services import (
    get_subscription,
    month_of,
    plan_allows_managed_keys,
    verify_aggregates,
)
from apps.billing.tasks import release_stale_reservations
from apps.billing.testing import subscribe
from apps.orgs.roles import Role
from apps.projects.models import Project
from tests.support.accounts import make_member

TOKENS, VIDEO, POSTS = UsageKind.TOKENS, UsageKind.VIDEO_SECONDS, UsageKind.POSTS
RENDERS, REGENERATIONS = UsageKind.RENDERS, UsageKind.REGENERATIONS


def org_row(org, kind=TOKENS, month=None) -> UsageAggregate:
    return UsageAggregate.objects.for_org(org).get(project__isnull=True, kind=kind, month=month or month_of())


def project_row(project, kind=TOKENS) -> UsageAggregate:
    return UsageAggregate.objects.for_org(project.organization).get(project=project, kind=kind, month=month_of())


def ledger(org):
    return UsageLedger.objects.for_org(org)


@pytest.fixture
def project(org):
    return Project.objects.create(organization=org, name="Brand", slug="brand")


# --- reserve, commit, release ----------------------------------------------------------------


def test_reserve_then_commit_moves_reserved_to_used_and_writes_one_ledger_row(org, project):
    subscribe(org, monthly_tokens=1000)
    reservation = reserve(org, TOKENS, 300, project=project, source="ai.Run:1", idempotency_key="k1")
    assert reservation.status == ReservationStatus.RESERVED
    assert (org_row(org).used, org_row(org).reserved) == (0, 300)
    assert (project_row(project).used, project_row(project).reserved) == (0, 300)

    entry = commit(reservation, 250, cost=Decimal("0.0125"), request_id="req-1")

    assert (entry.quantity, entry.cost, entry.kind, entry.project_id) == (250, Decimal("0.0125"), TOKENS, project.id)
    assert (entry.source, entry.request_id, entry.idempotency_key) == ("ai.Run:1", "req-1", "k1")
    assert (org_row(org).used, org_row(org).reserved) == (250, 0)
    assert (project_row(project).used, project_row(project).reserved) == (250, 0)
    reservation.refresh_from_db()
    assert reservation.status == ReservationStatus.COMMITTED
    assert verify_aggregates(org) == []


def test_committing_twice_writes_one_ledger_row(org):
    subscribe(org, monthly_tokens=1000)
    reservation = reserve(org, TOKENS, 100, idempotency_key="once")
    first = commit(reservation, 90)
    again = commit(Reservation.objects.for_org(org).get(id=reservation.id), 70)
    assert again.id == first.id
    assert ledger(org).count() == 1
    assert (org_row(org).used, org_row(org).reserved) == (90, 0)
    assert verify_aggregates(org) == []


def test_reserving_with_the_same_key_twice_holds_the_units_once(org):
    subscribe(org, monthly_tokens=1000)
    first = reserve(org, TOKENS, 100, idempotency_key="same")
    second = reserve(org, TOKENS, 100, idempotency_key="same")
    assert second.id == first.id
    assert Reservation.objects.for_org(org).count() == 1
    assert org_row(org).reserved == 100


def test_release_gives_the_units_back_and_is_idempotent(org, project):
    subscribe(org, monthly_tokens=1000)
    reservation = reserve(org, TOKENS, 400, project=project, idempotency_key="r")
    release(reservation)
    release(reservation)
    assert reservation.status == ReservationStatus.RELEASED
    assert (org_row(org).used, org_row(org).reserved) == (0, 0)
    assert project_row(project).reserved == 0
    assert not ledger(org).exists()
    assert verify_aggregates(org) == []


def test_released_key_can_be_reserved_again(org):
    subscribe(org, monthly_tokens=1000)
    reservation = reserve(org, TOKENS, 400, idempotency_key="again")
    release(reservation)
    revived = reserve(org, TOKENS, 300, idempotency_key="again")
    assert revived.id == reservation.id
    assert revived.status == ReservationStatus.RESERVED
    assert org_row(org).reserved == 300
    assert verify_aggregates(org) == []


def test_release_after_commit_changes_nothing(org):
    subscribe(org, monthly_tokens=1000)
    reservation = reserve(org, TOKENS, 100, idempotency_key="c")
    commit(reservation)
    release(reservation)
    assert reservation.status == ReservationStatus.COMMITTED
    assert (org_row(org).used, org_row(org).reserved) == (100, 0)


def test_bad_arguments_are_refused(org, other_org):
    subscribe(org, monthly_tokens=1000)
    foreign = Project.objects.create(organization=other_org, name="Theirs", slug="theirs")
    with pytest.raises(ValueError):
        reserve(org, TOKENS, 0, idempotency_key="zero")
    with pytest.raises(ValueError):
        reserve(org, "gold", 1, idempotency_key="gold")
    with pytest.raises(ValueError):
        reserve(org, TOKENS, 1, project=foreign, idempotency_key="foreign")
    with pytest.raises(ValueError):
        reserve(org, RENDERS, 1, idempotency_key="no-source")
    assert not Reservation.objects.for_org(org).exists()


# --- stale reservations --------------------------------------------------------------------


def test_expired_reservations_are_released_by_the_periodic_job(org, other_org):
    subscribe(org, monthly_tokens=1000)
    subscribe(other_org, monthly_tokens=1000)
    stale = reserve(org, TOKENS, 100, idempotency_key="stale", ttl=60)
    fresh = reserve(org, TOKENS, 50, idempotency_key="fresh")
    done = reserve(org, TOKENS, 10, idempotency_key="done", ttl=60)
    commit(done)
    elsewhere = reserve(other_org, TOKENS, 20, idempotency_key="elsewhere", ttl=60)
    Reservation.objects.unscoped().filter(id__in=[stale.id, done.id, elsewhere.id]).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    assert release_stale_reservations() == 2
    assert release_stale_reservations() == 0  # idempotent

    states = dict(Reservation.objects.unscoped().values_list("idempotency_key", "status"))
    assert states == {"stale": "released", "fresh": "reserved", "done": "committed", "elsewhere": "released"}
    assert (org_row(org).used, org_row(org).reserved) == (10, 50)
    assert org_row(other_org).reserved == 0
    assert verify_aggregates(org) == [] and verify_aggregates(other_org) == []
    assert fresh.status == ReservationStatus.RESERVED


def test_the_release_job_is_scheduled():
    from dramatiq_crontab import scheduler

    job = next(job for job in scheduler.get_jobs() if job.name == "release_stale_reservations")
    assert job.trigger.interval.total_seconds() == settings.VF_QUOTA_RELEASE_INTERVAL_SECONDS


def test_a_real_worker_releases_stale_reservations(org, worker, broker):
    subscribe(org, monthly_tokens=1000)
    stale = reserve(org, TOKENS, 100, idempotency_key="worker-died", ttl=60)
    Reservation.objects.for_org(org).filter(id=stale.id).update(expires_at=timezone.now() - timedelta(seconds=1))

    release_stale_reservations.send()
    broker.join(release_stale_reservations.queue_name, timeout=10_000)
    worker.join()

    assert Reservation.objects.for_org(org).get(id=stale.id).status == ReservationStatus.RELEASED
    assert org_row(org).reserved == 0
    assert verify_aggregates(org) == []


def test_commit_after_expiry_still_records_the_spending(org):
    subscribe(org, monthly_tokens=1000)
    reservation = reserve(org, TOKENS, 100, idempotency_key="late", ttl=60)
    Reservation.objects.for_org(org).filter(id=reservation.id).update(expires_at=timezone.now())
    assert quota.release_expired() == 1
    entry = commit(reservation, 80)
    assert entry.quantity == 80
    assert (org_row(org).used, org_row(org).reserved) == (80, 0)
    assert verify_aggregates(org) == []


# --- aggregates and the ledger ------------------------------------------------------------


def test_verify_aggregates_finds_a_drifted_aggregate(org, project):
    subscribe(org, monthly_tokens=10_000)
    commit(reserve(org, TOKENS, 100, project=project, idempotency_key="a"))
    reserve(org, TOKENS, 30, idempotency_key="b")
    commit(reserve(org, VIDEO, 12, project=project, idempotency_key="c"), 10)
    assert verify_aggregates(org) == []

    UsageAggregate.objects.for_org(org).filter(project=project, kind=TOKENS).update(used=99)
    problems = verify_aggregates(org)
    assert len(problems) == 1
    assert "tokens" in problems[0] and str(project.id) in problems[0] and "99/0" in problems[0]

    UsageAggregate.objects.for_org(org).filter(project__isnull=True, kind=TOKENS).update(reserved=0)
    assert len(verify_aggregates(org)) == 2


def test_verify_aggregates_finds_ledger_rows_without_aggregate(org):
    subscribe(org, monthly_tokens=10_000)
    commit(reserve(org, TOKENS, 100, idempotency_key="x"))
    UsageAggregate.objects.for_org(org).delete()
    assert len(verify_aggregates(org)) == 1


def test_ledger_rows_cannot_be_changed_or_deleted(org, project):
    subscribe(org, monthly_tokens=1000)
    entry = commit(reserve(org, TOKENS, 100, project=project, idempotency_key="ledger"))
    entry.quantity = 1
    with pytest.raises(LedgerIsAppendOnly):
        entry.save()
    with pytest.raises(LedgerIsAppendOnly):
        entry.delete()
    with pytest.raises(LedgerIsAppendOnly):
        ledger(org).update(quantity=1)
    with pytest.raises(LedgerIsAppendOnly):
        ledger(org).delete()
    # Also for raw SQL: the database trigger refuses.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE billing_usageledger SET quantity = 1 WHERE id = %s", [entry.id])
    assert ledger(org).get().quantity == 100


def test_deleting_a_project_detaches_its_ledger_rows(org, project):
    subscribe(org, monthly_tokens=1000)
    commit(reserve(org, TOKENS, 100, project=project, idempotency_key="p"))
    project.delete()
    entry = ledger(org).get()
    assert entry.project_id is None and entry.quantity == 100
    assert verify_aggregates(org) == []


def test_deleting_the_organization_deletes_its_usage(org):
    subscribe(org, monthly_tokens=1000)
    commit(reserve(org, TOKENS, 100, idempotency_key="gone"))
    org_id = org.id
    org.delete()
    assert not UsageLedger.objects.unscoped().filter(organization_id=org_id).exists()


# --- hard limits -----------------------------------------------------------------------------


def test_metered_at_the_limit_raises_before_the_block_runs(org):
    subscribe(org, monthly_tokens=1000)
    commit(reserve(org, TOKENS, 900, idempotency_key="most"))
    ran = []
    with pytest.raises(QuotaExceeded) as raised:
        with metered(org, TOKENS, 101, idempotency_key="over"):
            ran.append("provider call")
    assert ran == []
    error = raised.value
    assert (error.scope, error.limit, error.left, error.requested) == ("plan", 1000, 100, 101)
    assert str(error) == (
        "Not enough LLM tokens left this month: your plan allows 1,000 per month, 100 are left and 101 are needed."
    )
    assert not Reservation.objects.for_org(org).filter(idempotency_key="over").exists()
    assert (org_row(org).used, org_row(org).reserved) == (900, 0)
    assert ledger(org).count() == 1


def test_reservations_count_against_the_limit(org):
    subscribe(org, monthly_tokens=1000)
    reserve(org, TOKENS, 600, idempotency_key="one")
    reserve(org, TOKENS, 400, idempotency_key="two")  # exactly at the limit: fine
    with pytest.raises(QuotaExceeded):
        reserve(org, TOKENS, 1, idempotency_key="three")


def test_metered_commits_the_actual_on_success(org):
    subscribe(org, monthly_tokens=1000)
    with metered(org, TOKENS, 500, source="ai.Run:7", idempotency_key="m") as use:
        assert org_row(org).reserved == 500
        use.actual, use.cost = 321, Decimal("0.5")
    assert use.entry.quantity == 321 and use.entry.cost == Decimal("0.5")
    assert (org_row(org).used, org_row(org).reserved) == (321, 0)


def test_metered_without_actual_commits_the_estimate(org):
    subscribe(org, monthly_tokens=1000)
    with metered(org, TOKENS, 200, idempotency_key="est"):
        pass
    assert org_row(org).used == 200


def test_metered_releases_on_error(org):
    subscribe(org, monthly_tokens=1000)
    with pytest.raises(RuntimeError):
        with metered(org, TOKENS, 500, idempotency_key="boom"):
            raise RuntimeError("provider down")
    assert (org_row(org).used, org_row(org).reserved) == (0, 0)
    assert not ledger(org).exists()
    assert Reservation.objects.for_org(org).get().status == ReservationStatus.RELEASED


def test_metered_error_after_spending_commits_what_was_spent(org):
    subscribe(org, monthly_tokens=1000)
    with pytest.raises(ValueError):
        with metered(org, TOKENS, 500, idempotency_key="spent") as use:
            use.actual = 450  # the provider answered (and billed) …
            raise ValueError("… but its output did not validate")
    assert (org_row(org).used, org_row(org).reserved) == (450, 0)
    assert ledger(org).get().quantity == 450


def test_metered_retry_of_committed_work_is_not_charged_twice(org):
    subscribe(org, monthly_tokens=1000)
    with metered(org, TOKENS, 100, idempotency_key="retry"):
        pass
    with metered(org, TOKENS, 100, idempotency_key="retry") as use:
        assert use.already_committed
    assert ledger(org).count() == 1 and org_row(org).used == 100


def test_project_budget_stops_the_project_but_not_the_others(org, project):
    subscribe(org, monthly_tokens=100_000)
    project.monthly_token_budget = 500
    project.save()
    other = Project.objects.create(organization=org, name="Other", slug="other")
    commit(reserve(org, TOKENS, 450, project=project, idempotency_key="p1"))
    ran = []
    with pytest.raises(QuotaExceeded) as raised:
        with metered(org, TOKENS, 51, project=project, idempotency_key="p2"):
            ran.append(1)
    assert ran == []
    assert (raised.value.scope, raised.value.limit, raised.value.left) == ("project", 500, 50)
    assert "Brand" in str(raised.value) and "500" in str(raised.value)
    assert project_row(project).reserved == 0 and org_row(org).reserved == 0
    reserve(org, TOKENS, 50, project=project, idempotency_key="p3")  # what is left still fits
    reserve(org, TOKENS, 5_000, project=other, idempotency_key="o1")


def test_video_seconds_budget_of_the_project(org, project):
    subscribe(org, monthly_video_seconds=3600)
    project.monthly_video_seconds_budget = 60
    project.save()
    reserve(org, VIDEO, 45, project=project, idempotency_key="v1")
    with pytest.raises(QuotaExceeded) as raised:
        reserve(org, VIDEO, 16, project=project, idempotency_key="v2")
    assert raised.value.left == 15


def test_renders_per_post_counts_ledger_and_open_reservations_of_that_post(org, project):
    subscribe(org, renders_per_post=2)
    post = "posts.PostItem:11111111-1111-1111-1111-111111111111"
    commit(reserve(org, RENDERS, 1, project=project, source=post, idempotency_key="r1"))
    reserve(org, RENDERS, 1, project=project, source=post, idempotency_key="r2")  # still running
    with pytest.raises(QuotaExceeded) as raised:
        reserve(org, RENDERS, 1, project=project, source=post, idempotency_key="r3")
    assert (raised.value.scope, raised.value.limit, raised.value.left) == ("per_post", 2, 0)
    assert "per post" in str(raised.value)
    # Another post has its own count.
    reserve(org, RENDERS, 1, project=project, source="posts.PostItem:other", idempotency_key="r4")


def test_regenerations_per_post_uses_the_lower_project_limit(org, project):
    subscribe(org, regenerations_per_post=5)
    project.max_regenerations_per_post = 2
    project.save()
    post = "posts.PostItem:abc"
    for i in range(2):
        commit(reserve(org, REGENERATIONS, 1, project=project, source=post, idempotency_key=f"g{i}"))
    with pytest.raises(QuotaExceeded) as raised:
        reserve(org, REGENERATIONS, 1, project=project, source=post, idempotency_key="g2")
    assert raised.value.limit == 2
    # Without the project's stricter limit the plan's 5 apply.
    for i in range(5):
        reserve(org, REGENERATIONS, 1, source="posts.PostItem:plain", idempotency_key=f"plain{i}")
    with pytest.raises(QuotaExceeded):
        reserve(org, REGENERATIONS, 1, source="posts.PostItem:plain", idempotency_key="plain5")


def test_posts_per_month(org, project):
    subscribe(org, posts_per_month=3)
    for i in range(3):
        commit(reserve(org, POSTS, 1, project=project, source=f"posts.PostItem:{i}", idempotency_key=f"post{i}"))
    with pytest.raises(QuotaExceeded) as raised:
        reserve(org, POSTS, 1, project=project, source="posts.PostItem:3", idempotency_key="post3")
    assert (raised.value.limit, raised.value.left) == (3, 0)
    assert "posts" in str(raised.value)


def test_check_tells_without_reserving(org):
    subscribe(org, monthly_tokens=1000, soft_limit_percent=50)
    commit(reserve(org, TOKENS, 400, idempotency_key="c1"))
    fits = check(org, TOKENS, 99)
    assert fits.allowed and bool(fits) and not fits.soft_limit
    crossing = check(org, TOKENS, 100)  # 500 of 1000: the 50 % soft limit
    assert crossing.allowed and crossing.soft_limit
    too_much = check(org, TOKENS, 601)
    assert not too_much.allowed and "600 are left" in too_much.message
    assert Reservation.objects.for_org(org).count() == 1
    assert org_row(org).reserved == 0


def test_other_orgs_usage_does_not_count(org, other_org):
    subscribe(org, monthly_tokens=100)
    subscribe(other_org, monthly_tokens=100)
    commit(reserve(other_org, TOKENS, 100, idempotency_key="theirs"))
    ours = reserve(org, TOKENS, 100, idempotency_key="ours")  # beta's full month does not count against alpha
    assert ours.organization == org and ours.quantity == 100
    assert (org_row(org).used, org_row(org).reserved) == (0, 100)
    assert (org_row(other_org).used, org_row(other_org).reserved) == (100, 0)


def test_usage_counts_per_month(org):
    subscribe(org, monthly_tokens=100)
    reservation = reserve(org, TOKENS, 100, idempotency_key="may")
    last_month = (month_of() - timedelta(days=1)).replace(day=1)
    # A reservation made in the previous month is settled against that month.
    Reservation.objects.for_org(org).filter(id=reservation.id).update(month=last_month)
    UsageAggregate.objects.for_org(org).update(month=last_month)
    commit(Reservation.objects.for_org(org).get(id=reservation.id))
    assert org_row(org, month=last_month).used == 100
    reserve(org, TOKENS, 100, idempotency_key="june")  # a new month starts at zero
    assert verify_aggregates(org) == []


# --- soft limit ---------------------------------------------------------------------------


def test_crossing_the_soft_limit_warns_and_emails_the_owners_once(
    org, other_org, owner, editor, outsider, django_capture_on_commit_callbacks
):
    co_owner = make_member(org, "co-owner@alpha.test", Role.OWNER)
    subscribe(org, monthly_tokens=1000, soft_limit_percent=80)
    subscribe(other_org, monthly_tokens=1000, soft_limit_percent=80)
    with django_capture_on_commit_callbacks(execute=True):
        below = reserve(org, TOKENS, 799, idempotency_key="s1")
    assert not below.soft_limit_warning
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        crossing = reserve(org, TOKENS, 1, idempotency_key="s2")
        again = reserve(org, TOKENS, 100, idempotency_key="s3")
        with metered(org, TOKENS, 50, idempotency_key="s4") as use:
            pass
    assert crossing.soft_limit_warning and again.soft_limit_warning and use.soft_limit_warning
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == sorted([owner.email, co_owner.email])
    assert editor.email not in message.to and outsider.email not in message.to
    assert "Alpha Agency" in message.subject and "80%" in message.subject
    assert "/o/alpha/billing/" in message.body
    assert SoftLimitNotice.objects.for_org(org).get().kind == TOKENS
    assert not SoftLimitNotice.objects.for_org(other_org).exists()

    # Another kind is another notice.
    with django_capture_on_commit_callbacks(execute=True):
        reserve(org, VIDEO, 3000, idempotency_key="s5")  # of 3600 seconds: 83 %
    assert len(mail.outbox) == 2
    assert "video seconds" in mail.outbox[1].subject


def test_soft_limit_crossed_by_the_actual_at_commit_also_warns(org, owner, django_capture_on_commit_callbacks):
    subscribe(org, monthly_tokens=1000, soft_limit_percent=80)
    with django_capture_on_commit_callbacks(execute=True):
        with metered(org, TOKENS, 100, idempotency_key="small estimate") as use:
            use.actual = 850
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [owner.email]


def test_no_soft_limit_email_when_the_reservation_rolls_back(org, owner, django_capture_on_commit_callbacks):
    subscribe(org, monthly_tokens=1000, soft_limit_percent=80)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            reserve(org, TOKENS, 900, idempotency_key="rolled back")
            raise RuntimeError
    assert mail.outbox == []
    assert not SoftLimitNotice.objects.for_org(org).exists()


# --- plans and subscriptions -----------------------------------------------------------------


def test_an_org_without_subscription_gets_free(org):
    subscription = get_subscription(org)
    assert subscription.plan.slug == "free"
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert subscription.current_period_start <= timezone.now() < subscription.current_period_end
    assert get_subscription(org).id == subscription.id


def test_plan_allows_managed_keys(org, other_org):
    plans = ensure_seed_plans()
    assert plan_allows_managed_keys(org) is False
    subscribe(other_org, plans["pro"])
    assert plan_allows_managed_keys(other_org) is True
    subscription = get_subscription(other_org)
    subscription.status = SubscriptionStatus.CANCELED
    subscription.save()
    assert plan_allows_managed_keys(other_org) is False  # canceled: back to Free


def test_free_plan_limits_apply_by_default(org):
    with pytest.raises(QuotaExceeded) as raised:
        reserve(org, TOKENS, 200_001, idempotency_key="big")
    assert raised.value.limit == 200_000
