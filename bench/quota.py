"""Quota reservations under contention: `python -m bench.quota [--workers N] [--seconds S] [--burst N]`.

N processes (each with its own database connection) run reserve+commit cycles against one
organization and one project for S seconds: every cycle locks the same two aggregate rows,
so this measures the serialised hot path. The baseline is the same processes running a
trivial transaction. Then a burst: the plan's limit is set to leave `--burst` units and every
process reserves until refused; the aggregate must end exactly at the limit (no overshoot)
and equal the ledger. The throwaway organization and plan are deleted afterwards.
"""

import argparse
import multiprocessing
import sys
import time
import uuid
from decimal import Decimal

from bench.common import emit, setup_django


def _cycles(mode: str, org_id, project_id, tag: str, worker: int, barrier, seconds: float, results) -> None:
    from django.db import connection, connections, transaction

    from apps.billing.models import UsageKind
    from apps.billing.quota import QuotaExceeded, commit, reserve
    from apps.orgs.models import Organization
    from apps.projects.models import Project

    done = refused = 0
    try:
        org = Organization.objects.get(id=org_id)
        project = Project.objects.for_org(org).get(id=project_id)
        connection.ensure_connection()
        barrier.wait(timeout=60)
        deadline = time.perf_counter() + seconds
        i = 0
        while time.perf_counter() < deadline:
            i += 1
            if mode == "trivial":
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute("SELECT 1")
                done += 1
                continue
            try:
                reservation = reserve(
                    org,
                    UsageKind.TOKENS,
                    1,
                    project=project,
                    source="bench",
                    idempotency_key=f"{tag}-{mode}-{worker}-{i}",
                )
            except QuotaExceeded:
                refused += 1
                if mode == "burst":
                    break
                continue
            commit(reservation, 1, cost=Decimal("0.000002"))
            done += 1
    finally:
        results.put((done, refused))
        connections.close_all()


def _run(mode: str, workers: int, org, project, tag: str, seconds: float) -> tuple[int, int, float]:
    from django.db import connections

    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(workers + 1), ctx.Queue()
    connections.close_all()  # each child opens its own connection
    processes = [
        ctx.Process(target=_cycles, args=(mode, org.id, project.id, tag, w, barrier, seconds, results))
        for w in range(workers)
    ]
    for process in processes:
        process.start()
    barrier.wait(timeout=60)
    start = time.perf_counter()
    counts = [results.get(timeout=seconds + 60) for _ in processes]
    elapsed = time.perf_counter() - start
    for process in processes:
        process.join(timeout=30)
    return sum(c[0] for c in counts), sum(c[1] for c in counts), elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--burst", type=int, default=200, help="units left for the final race to the limit")
    args = parser.parse_args()
    setup_django()

    from apps.billing.models import Plan, Subscription, UsageAggregate, UsageKind
    from apps.billing.plans import SEED_PLANS
    from apps.billing.services import month_of, verify_aggregates
    from apps.orgs.models import Organization
    from apps.projects.models import Project

    tag = uuid.uuid4().hex[:8]
    plan = Plan.objects.create(
        slug=f"bench-{tag}", **(SEED_PLANS["agency"] | {"name": f"Bench {tag}", "monthly_tokens": 10**12})
    )
    org = Organization.objects.create(name=f"Bench {tag}", slug=f"bench-{tag}")
    try:
        Subscription.objects.create(
            organization=org,
            plan=plan,
            current_period_start=org.created_at,
            current_period_end=org.created_at.replace(year=org.created_at.year + 1),
        )
        project = Project.objects.create(organization=org, name="Bench", slug="bench")

        trivial, _refused, trivial_s = _run("trivial", args.workers, org, project, tag, args.seconds)
        cycles, _refused, cycles_s = _run("cycle", args.workers, org, project, tag, args.seconds)

        row = UsageAggregate.objects.for_org(org).get(project__isnull=True, kind=UsageKind.TOKENS, month=month_of())
        limit = row.used + row.reserved + args.burst
        Plan.objects.filter(id=plan.id).update(monthly_tokens=limit)
        burst, burst_refused, _burst_s = _run("burst", args.workers, org, project, tag, args.seconds + 30)

        row.refresh_from_db()
        problems = verify_aggregates(org)
        overshoot = max(0, row.used + row.reserved - limit)
        rate, baseline = cycles / cycles_s, trivial / trivial_s
        emit("quota", "trivial_tx_per_s", baseline, "per_s", better="higher")
        emit("quota", "reservations_ratio_to_trivial_tx", rate / baseline, "ratio", better="higher")
        emit("quota", "aggregate_ledger_mismatches", len(problems), "count", target=0)
        emit("quota", "overshoot_units", overshoot, "count", target=0)
        emit("quota", "burst_units_granted", burst, "count", target=args.burst, better="higher")
        emit("quota", "reservations_per_s", rate, "per_s", better="higher")
        ok = not problems and overshoot == 0 and burst == args.burst and burst_refused == args.workers
        print(
            f"check: {'ok' if ok else 'FAILED'}: aggregate used={row.used} reserved={row.reserved} "
            f"{'equals' if not problems else 'differs from'} the ledger; limit={limit}, overshoot={overshoot}, "
            f"burst granted {burst}/{args.burst}, refused {burst_refused}",
            file=sys.stderr,
        )
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        if not ok:
            sys.exit(1)
    finally:
        _cleanup(org, plan)


def _cleanup(org, plan) -> None:
    from django.db import DatabaseError, connection, transaction

    try:
        org.delete()
    except DatabaseError:
        # Another app's tables are not migrated in this database yet: remove exactly what the bench made.
        with transaction.atomic(), connection.cursor() as cursor:
            for table in (
                "billing_usageledger",
                "billing_reservation",
                "billing_usageaggregate",
                "billing_softlimitnotice",
                "billing_subscription",
                "planning_project",
            ):
                cursor.execute(f"DELETE FROM {table} WHERE organization_id = %s", [org.id])  # noqa: S608 (fixed names)
            cursor.execute("DELETE FROM orgs_organization WHERE id = %s", [org.id])
    plan.delete()


if __name__ == "__main__":
    main()
