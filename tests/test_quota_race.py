"""Parallel workers reserving the last units never overshoot: separate processes, one real Postgres.

Transactional tests: the rows must be committed so the forked children (each with its own
connection to the test database) see them.
"""

import multiprocessing
import os
import time
import traceback

import pytest
from django.db import OperationalError, connection, connections

from apps.billing.models import Reservation, ReservationStatus, UsageAggregate, UsageKind, UsageLedger
from apps.billing.quota import QuotaExceeded, commit, reserve
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
