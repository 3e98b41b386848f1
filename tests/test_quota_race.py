"""Parallel workers reserving the last units never overshoot: separate processes (and threads, as a
brief's calls run), one real Postgres.

Transactional tests: the rows must be committed so the forked children and the threads (each with
its own connection to the test database) see them.
"""

import multiprocessing
import os
import threading
import time
import traceback

import pytest
from django.db import OperationalError, connection, connections

from apps.billing.models import Reservation, ReservationStatus, UsageAggregate, UsageKind, UsageLedger
from apps.billing.quota import QuotaExceeded, commit, release, reserve
from apps.billing.services import month_of, verify_aggregates
from apps.billing.testing import subscribe
from apps.orgs.models import Organization
from apps.projects.models import Project

OK, EXCEEDED, FAILED = 0, 3, 1


def _connect_with_retry() -> None:
    for attempt in range(20):
        try:
            connection.ensure_connection()
            return
        except OperationalError:  # the shared server is busy: try again shortly
            if attempt == 19:
                raise
            time.sleep(0.1)


def _child(barrier, org_id, project_id, kind, index, do_commit) -> None:
    code = FAILED
    try:
        _connect_with_retry()
        org = Organization.objects.get(id=org_id)
        project = Project.objects.for_org(org).get(id=project_id) if project_id else None
        barrier.wait(timeout=60)
        try:
            reservation = reserve(org, kind, 1, project=project, idempotency_key=f"race-{index}")
            if do_commit:
                commit(reservation)
            code = OK
        except QuotaExceeded:
            code = EXCEEDED
    except BaseException:
        traceback.print_exc()
    finally:
        connections.close_all()
        os._exit(code)


def _race(org, *, workers: int, kind=UsageKind.TOKENS, project=None, do_commit=False) -> list[int]:
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(workers)
    connections.close_all()  # never share the parent's socket with the children
    processes = [
        ctx.Process(
            target=_child, args=(barrier, org.id, project.id if project else None, kind, i, do_commit), daemon=True
        )
        for i in range(workers)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=90)
    codes = [process.exitcode for process in processes]
    assert FAILED not in codes and None not in codes, codes
    return codes


@pytest.mark.django_db(transaction=True)
def test_fifty_processes_reserving_the_last_ten_units_get_exactly_ten(org):
    subscribe(org, monthly_tokens=1000)
    filler = reserve(org, UsageKind.TOKENS, 990, idempotency_key="filler")
    commit(filler)

    codes = _race(org, workers=50)

    assert codes.count(OK) == 10
    assert codes.count(EXCEEDED) == 40
    row = UsageAggregate.objects.for_org(org).get(project__isnull=True, kind=UsageKind.TOKENS, month=month_of())
    assert (row.used, row.reserved) == (990, 10)
    assert row.used + row.reserved <= 1000
    assert Reservation.objects.for_org(org).filter(status=ReservationStatus.RESERVED).count() == 10
    assert verify_aggregates(org) == []


@pytest.mark.django_db(transaction=True)
def test_parallel_reserve_and_commit_on_a_project_budget_keep_aggregates_equal_to_the_ledger(org):
    subscribe(org, monthly_tokens=1000)
    project = Project.objects.create(organization=org, name="Brand", slug="brand", monthly_token_budget=7)

    codes = _race(org, workers=16, project=project, do_commit=True)

    assert codes.count(OK) == 7
    assert UsageLedger.objects.for_org(org).count() == 7
    rows = {
        row.project_id: (row.used, row.reserved)
        for row in UsageAggregate.objects.for_org(org).filter(kind=UsageKind.TOKENS, month=month_of())
    }
    assert rows == {None: (7, 0), project.id: (7, 0)}
    assert verify_aggregates(org) == []


def _threads(count: int, work) -> list:
    """Run `work(index)` in `count` threads started together; each thread has its own connection."""
    barrier, results = threading.Barrier(count), [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=60)
            results[index] = work(index)
        except BaseException as exc:  # a deadlock or any other error fails the test below
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return results


@pytest.mark.django_db(transaction=True)
def test_threads_reserving_on_plan_and_project_budget_never_overshoot_and_settle_to_the_ledger(org):
    """A brief's calls in threads: reservations with and without a project against the plan's
    limit and the project's budget at once, then settled in parallel (commit less than reserved,
    or release) while others still reserve. Never more than either limit is held, nothing is lost."""
    subscribe(org, monthly_tokens=1000)
    project = Project.objects.create(organization=org, name="Brand", slug="brand", monthly_token_budget=300)

    def reserve_50(index: int):
        try:
            return reserve(
                org, UsageKind.TOKENS, 50, project=project if index % 2 else None, idempotency_key=f"t{index}"
            )
        except QuotaExceeded as refused:
            return refused

    results = _threads(60, reserve_50)
    assert not [r for r in results if not isinstance(r, (Reservation, QuotaExceeded))], results
    held = [r for r in results if isinstance(r, Reservation)]
    on_project = [r for r in held if r.project_id == project.id]
    # 30 reservations without a project alone could take 1,500: the plan's 1,000 is filled exactly.
    assert len(held) * 50 == 1000
    assert len(on_project) * 50 <= 300
    refusals = {r.scope for r in results if isinstance(r, QuotaExceeded)}
    assert refusals <= {"plan", "project"} and "plan" in refusals
    rows = {
        row.project_id: (row.used, row.reserved)
        for row in UsageAggregate.objects.for_org(org).filter(kind=UsageKind.TOKENS, month=month_of())
    }
    assert rows == {None: (0, 1000), project.id: (0, len(on_project) * 50)}

    # Settle them all in parallel (even: 40 of 50 used; odd: released) while 20 more try to reserve.
    def settle_or_reserve(index: int):
        if index < len(held):
            reservation = held[index]
            return commit(reservation, 40) if index % 2 == 0 else release(reservation)
        try:
            return reserve(org, UsageKind.TOKENS, 50, idempotency_key=f"late{index}")
        except QuotaExceeded as refused:
            return refused

    results = _threads(len(held) + 20, settle_or_reserve)
    errors = [r for r in results if isinstance(r, BaseException) and not isinstance(r, QuotaExceeded)]
    assert errors == []
    late = [r for r in results[len(held) :] if isinstance(r, Reservation)]
    committed = (len(held) + 1) // 2
    assert UsageLedger.objects.for_org(org).count() == committed
    org_aggregate = UsageAggregate.objects.for_org(org).get(project__isnull=True, kind=UsageKind.TOKENS)
    assert org_aggregate.used == committed * 40
    assert org_aggregate.reserved == len(late) * 50
    assert org_aggregate.used + org_aggregate.reserved <= 1000
    assert Reservation.objects.for_org(org).filter(status=ReservationStatus.RESERVED).count() == len(late)
    assert verify_aggregates(org) == []


@pytest.mark.django_db(transaction=True)
def test_threads_reserving_the_renders_of_one_post_get_exactly_the_per_post_limit(org):
    subscribe(org, renders_per_post=3)
    post = "posts.PostItem:00000000-0000-0000-0000-000000000001"

    def reserve_render(index: int):
        try:
            return reserve(org, UsageKind.RENDERS, 1, source=post, idempotency_key=f"render{index}")
        except QuotaExceeded as refused:
            return refused.scope

    results = _threads(12, reserve_render)
    assert sum(isinstance(r, Reservation) for r in results) == 3
    assert sorted(r for r in results if not isinstance(r, Reservation)) == ["per_post"] * 9
    assert verify_aggregates(org) == []
