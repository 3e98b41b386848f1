"""The quota API: every feature that spends money goes through it.

    from apps.billing.quota import QuotaExceeded, metered

    with metered(org, UsageKind.TOKENS, estimate=2_000, project=project,
                 source=f"posts.PostItem:{post.id}", idempotency_key=f"script:{post.id}:{attempt}") as use:
        result = provider.complete(...)          # never runs when the budget is exhausted
        use.actual = result.usage.total_tokens   # what was really used (default: the estimate)
        use.cost = result.cost                   # Decimal

`reserve` checks the limits and holds the estimate, `commit` records what was used (one
append-only ledger row per idempotency key, however often it is called), `release` gives an
unused reservation back. A reservation that is neither committed nor released (its worker
died) is released by the periodic job `apps.billing.tasks.release_stale_reservations` once
`expires_at` has passed.

Limits checked at `reserve` (a hard limit raises `QuotaExceeded` and writes nothing):
- the plan's monthly limit for the kind (tokens, video seconds, posts), organization-wide;
- the project's monthly budget (`Project.monthly_token_budget` / `monthly_video_seconds_budget`);
- per object (`source`, e.g. one post): the plan's `renders_per_post` and
  `regenerations_per_post` (or the project's `max_regenerations_per_post` if lower),
  counted over the ledger and the open reservations of that source.
Crossing the plan's soft limit (`Plan.soft_limit_percent`) succeeds, sets
`Reservation.soft_limit_warning` and e-mails the owners once per organization, kind and month.

Race safety: the aggregate rows of the month and kind — the organization's, then the project's,
always in that order — are locked, checked against the limits and bumped in one statement
(`_bump`), the last one of its transaction, so a lock is held for that statement and the commit,
not while anything else runs (a brief's 24 parallel calls reserve and settle against the same
organization row). Everything else a write does comes before it, in the same transaction: the
reservation row (inserted, or locked first when it exists), the ledger row. A refused reservation
rolls back whole. Missing aggregate rows are created in their own transaction first
(`_with_rows`). So parallel workers never overshoot a limit and never deadlock.

Call `reserve`/`metered` outside long transactions: the locks are held until the enclosing
transaction ends.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.billing import services
from apps.billing.models import (
    Plan,
    Reservation,
    ReservationStatus,
    SoftLimitNotice,
    UsageAggregate,
    UsageKind,
    UsageLedger,
)
from apps.billing.services import format_number
from viralforge.request_id import get_request_id

logger = logging.getLogger("viralforge.billing")


class QuotaExceeded(Exception):
    """A hard limit would be exceeded. `str(error)` is a translated message for the user."""

    def __init__(self, message: str, *, kind: str, scope: str, limit: int, left: int, requested: int):
        super().__init__(message)
        self.kind, self.scope, self.limit, self.left, self.requested = kind, scope, limit, left, requested


@dataclass(frozen=True)
class QuotaCheck:
    allowed: bool
    message: str  # translated reason when not allowed
    soft_limit: bool  # would cross the plan's soft limit
    error: QuotaExceeded | None = None

    def __bool__(self) -> bool:
        return self.allowed


# --- the rules ------------------------------------------------------------------------------


def _per_post_limit(plan: Plan, kind: str, project) -> int | None:
    limit = plan.per_post_limit(kind)
    if kind == UsageKind.REGENERATIONS and project is not None and project.max_regenerations_per_post is not None:
        limit = min(limit, project.max_regenerations_per_post)
    return limit


def _exceeded(template: str, *, kind: str, scope: str, limit: int, used: int, quantity: int, **extra):
    left = max(0, limit - used)
    numbers = {"limit": format_number(limit), "left": format_number(left), "requested": format_number(quantity)}
    message = template % ({"kind": UsageKind(kind).label} | numbers | extra)
    return QuotaExceeded(message, kind=kind, scope=scope, limit=limit, left=left, requested=quantity)


def _evaluate(
    org, plan: Plan, kind: str, quantity: int, project, source: str, org_total: int, project_total: int
) -> tuple[QuotaExceeded | None, bool]:
    """(the hard limit this would break or None, whether it crosses the soft limit)."""
    monthly = plan.monthly_limit(kind)
    if monthly is not None and org_total + quantity > monthly:
        if org_total >= monthly:
            template = _(
                "Monthly limit for %(kind)s reached: your plan allows %(limit)s per month, "
                "%(left)s are left and %(requested)s were requested."
            )
        else:  # some are left, just not enough: "reached" would be wrong
            template = _(
                "Not enough %(kind)s left this month: your plan allows %(limit)s per month, "
                "%(left)s are left and %(requested)s are needed."
            )
        return _exceeded(template, kind=kind, scope="plan", limit=monthly, used=org_total, quantity=quantity), False
    budget_field = services.PROJECT_BUDGET_FIELDS.get(kind)
    budget = getattr(project, budget_field) if project is not None and budget_field else None
    if budget is not None and project_total + quantity > budget:
        template = _(
            "Budget for %(kind)s reached: the project %(project)s may use %(limit)s per month, "
            "%(left)s are left and %(requested)s were requested."
        )
        error = _exceeded(
            template,
            kind=kind,
            scope="project",
            limit=budget,
            used=project_total,
            quantity=quantity,
            project=project.name,
        )
        return error, False
    per_post = _per_post_limit(plan, kind, project)
    if per_post is not None:
        count = services.counts_by_source(org, kind, source)
        if count + quantity > per_post:
            template = _(
                "Limit for %(kind)s reached: %(limit)s per post are allowed, "
                "%(left)s are left for this post and %(requested)s were requested."
            )
            return _exceeded(
                template, kind=kind, scope="per_post", limit=per_post, used=count, quantity=quantity
            ), False
    soft = bool(monthly) and (org_total + quantity) * 100 >= monthly * plan.soft_limit_percent
    return None, soft


def _validate(org, kind: str, quantity: int, project, source: str) -> str:
    kind = UsageKind(kind)  # ValueError for an unknown kind
    if not isinstance(quantity, int) or quantity < 1:
        raise ValueError(f"Quantity must be a positive integer, got {quantity!r}.")
    if project is not None and project.organization_id != org.id:
        raise ValueError("The project belongs to another organization.")
    if kind in services.PER_POST_KINDS and not source:
        raise ValueError(f"Usage of {kind} is limited per object: pass its source (e.g. 'posts.PostItem:<uuid>').")
    return kind


# --- locking --------------------------------------------------------------------------------

_BUMP_SQL = """
WITH locked AS MATERIALIZED (
    SELECT id, project_id, used, reserved FROM {table}
    WHERE organization_id = %(org)s AND month = %(month)s AND kind = %(kind)s
      AND (project_id IS NULL OR project_id = %(project)s)
    ORDER BY project_id NULLS FIRST
    FOR UPDATE
), totals AS (
    SELECT count(*) AS found,
           coalesce(max(used + reserved) FILTER (WHERE project_id IS NULL), 0) AS org_total,
           coalesce(max(used + reserved) FILTER (WHERE project_id IS NOT NULL), 0) AS project_total
    FROM locked
), bumped AS (
    UPDATE {table} AS agg
    SET used = agg.used + %(used)s, reserved = agg.reserved + %(reserved)s, updated_at = %(now)s
    FROM totals
    WHERE agg.id IN (SELECT id FROM locked) AND totals.found = %(wanted)s AND %(apply)s
      AND (%(monthly)s::bigint IS NULL OR totals.org_total + %(reserved)s <= %(monthly)s::bigint)
      AND (%(budget)s::bigint IS NULL OR totals.project_total + %(reserved)s <= %(budget)s::bigint)
    RETURNING agg.id
)
SELECT found, org_total, project_total, (SELECT count(*) FROM bumped) FROM totals
"""


@dataclass(frozen=True)
class _Totals:
    org: int  # the organization's used + reserved before the statement
    project: int  # the project's (0 without a project)
    bumped: bool


class _Refused(Exception):
    def __init__(self, totals: _Totals):
        self.totals = totals


def _bump(
    org_id, project_id, month: date, kind: str, *, used: int = 0, reserved: int = 0,
    monthly: int | None = None, budget: int | None = None, apply: bool = True,
) -> _Totals:  # fmt: skip
    """One statement: lock the organization's aggregate row of (month, kind), then the project's (in
    that order, always), and add `used`/`reserved` to both — only if the organization's total plus
    `reserved` stays within `monthly` and the project's within `budget` (None: no limit) — in the
    same statement, so a refused reservation has changed nothing. `apply=False` only locks.

    Call it as the last statement of its transaction: the locks are held until the transaction
    ends, and every caller that waits for them waits that long. Raises `_MissingRows` when the
    rows do not exist yet (see `_with_rows`).
    """
    params = {
        "org": org_id, "project": project_id, "month": month, "kind": str(kind), "used": used,
        "reserved": reserved, "now": timezone.now(), "wanted": 1 if project_id is None else 2, "apply": apply,
        "monthly": monthly, "budget": budget,
    }  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(_BUMP_SQL.format(table=UsageAggregate._meta.db_table), params)
        found, org_total, project_total, bumped = cursor.fetchone()
    if found != params["wanted"]:
        raise _MissingRows
    return _Totals(org=org_total, project=project_total, bumped=bool(bumped))


class _MissingRows(Exception):
    pass


def _with_rows(org_id, project_id, month: date, kind: str, work):
    """`work()`, a transaction that ends with `_bump`; when the aggregate rows of (month, kind) do not
    exist yet, they are created (ON CONFLICT DO NOTHING: a concurrent creator wins quietly) and
    `work` runs again. Created in their own transaction, not in `work`'s: a new row is locked by its
    uncommitted creator, so creating the project's row there would hold it before the
    organization's, out of order, and deadlock with a transaction that holds the organization's.
    """
    try:
        return work()
    except _MissingRows:
        UsageAggregate.objects.bulk_create(
            [UsageAggregate(organization_id=org_id, project_id=p, month=month, kind=kind) for p in [None, project_id]],
            ignore_conflicts=True,
        )
    return work()


def _note_soft_limit(org_id, kind: str, month: date) -> None:
    """Record the crossing once per organization, kind and month; e-mail the owners after commit."""
    _notice, created = SoftLimitNotice.objects.get_or_create(organization_id=org_id, kind=kind, month=month)
    if created:
        transaction.on_commit(lambda: _send_soft_limit_email(org_id, kind, month))


def _send_soft_limit_email(org_id, kind: str, month: date) -> None:
    try:
        services.send_soft_limit_email(org_id, kind, month)
    except Exception:  # mail server down: forget the notice so the next crossing tries again
        logger.exception("Could not send the soft-limit e-mail for organization %s (%s).", org_id, kind)
        SoftLimitNotice.objects.filter(organization_id=org_id, kind=kind, month=month).delete()


# --- the API --------------------------------------------------------------------------------


def check(org, kind: str, quantity: int, *, project=None, source: str = "", month: date | None = None) -> QuotaCheck:
    """Would `quantity` of `kind` fit (in `month`, default this one)? Reserves nothing and locks nothing."""
    kind = _validate(org, kind, quantity, project, source)
    plan = services.get_plan(org)
    month = services.month_of() if month is None else month.replace(day=1)
    totals = {
        row.project_id: row.used + row.reserved
        for row in UsageAggregate.objects.for_org(org).filter(month=month, kind=kind)
        if row.project_id is None or (project is not None and row.project_id == project.id)
    }
    project_total = totals.get(project.id, 0) if project is not None else 0
    error, soft = _evaluate(org, plan, kind, quantity, project, source, totals.get(None, 0), project_total)
    return QuotaCheck(allowed=error is None, message=str(error) if error else "", soft_limit=soft, error=error)


def reserve(
    org,
    kind: str,
    quantity: int,
    *,
    project=None,
    source: str = "",
    idempotency_key: str,
    ttl: int | None = None,
    month: date | None = None,
) -> Reservation:
    """Hold `quantity` of `kind` against the limits, or raise `QuotaExceeded` (writing nothing).

    The same `idempotency_key` returns the same reservation (a retried job does not reserve
    twice); a key whose reservation was released is reserved anew. `reservation.soft_limit_warning`
    tells whether this crossed the plan's soft limit. `ttl`: seconds until the stale-reservation
    job may release it (default `VF_QUOTA_RESERVATION_TTL_SECONDS`). `month`: the usage month it
    counts against (default: this one; a month plan's posts count against the plan's month).
    """
    kind = _validate(org, kind, quantity, project, source)
    if not idempotency_key:
        raise ValueError("An idempotency key is required.")
    plan = services.get_plan(org)
    month = services.month_of() if month is None else month.replace(day=1)
    ttl = settings.VF_QUOTA_RESERVATION_TTL_SECONDS if ttl is None else ttl
    for attempt in range(2):
        # Read outside the locks (keeps them short); a concurrent twin is caught by the unique key below.
        existing = Reservation.objects.for_org(org).filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.kind != kind:
                raise ValueError(f"Idempotency key {idempotency_key!r} was used for {existing.kind}.")
            if existing.status != ReservationStatus.RELEASED:
                return existing
        try:
            reservation = _reserve_locked(
                org, plan, kind, quantity, project, source, idempotency_key, month, ttl, existing
            )
        except IntegrityError:
            if attempt:
                raise
            continue  # the same key was reserved concurrently: return that one
        if reservation is not None:
            reservation._vf_plan = plan
            return reservation
    raise RuntimeError("Could not reserve.")  # pragma: no cover


def _reserve_locked(org, plan, kind, quantity, project, source, key, month, ttl, existing) -> Reservation | None:
    project_id = project.id if project is not None else None
    monthly = plan.monthly_limit(kind)
    budget_field = services.PROJECT_BUDGET_FIELDS.get(kind)
    budget = getattr(project, budget_field) if project is not None and budget_field else None

    def work() -> tuple[Reservation, _Totals] | None:
        with transaction.atomic():
            if existing is not None:  # the reservation row first, the aggregates after (as commit/release)
                reservation = Reservation.objects.for_org(org).select_for_update().get(pk=existing.pk)
                if reservation.status != ReservationStatus.RELEASED:
                    return None  # re-reserved meanwhile: the caller looks again
            if _per_post_limit(plan, kind, project) is not None:
                # The object's count must be read under the organization's lock, or two parallel
                # reservations of the last render of a post would both see it free.
                totals = _bump(org.id, project_id, month, kind, apply=False)
                error, _soft = _evaluate(org, plan, kind, quantity, project, source, totals.org, totals.project)
                if error is not None:
                    raise error
            values = {
                "project": project,
                "kind": kind,
                "month": month,
                "quantity": quantity,
                "source": source,
                "status": ReservationStatus.RESERVED,
                "soft_limit_warning": False,
                "expires_at": timezone.now() + timedelta(seconds=ttl),
                "closed_at": None,
            }
            if existing is None:
                reservation = Reservation.objects.create(organization=org, idempotency_key=key, **values)
            else:
                for name, value in values.items():
                    setattr(reservation, name, value)
                reservation.save(update_fields=list(values))
            # Last: the limits are checked and the units held in one statement under the row locks,
            # which the commit right after releases.
            totals = _bump(org.id, project_id, month, kind, reserved=quantity, monthly=monthly, budget=budget)
            if not totals.bumped:
                raise _Refused(totals)  # rolls the reservation back
        return reservation, totals

    try:
        done = _with_rows(org.id, project_id, month, kind, work)
    except _Refused as refused:
        error, _soft = _evaluate(org, plan, kind, quantity, project, source, refused.totals.org, refused.totals.project)
        if error is None:  # pragma: no cover - the statement and _evaluate apply the same limits
            raise RuntimeError("The limits refused a reservation that fits.") from None
        raise error from None
    if done is None:
        return None
    reservation, totals = done
    if monthly and (totals.org + quantity) * 100 >= monthly * plan.soft_limit_percent:
        with transaction.atomic():  # after the locks: telling about it needs no lock
            Reservation.objects.for_org(org).filter(pk=reservation.pk).update(soft_limit_warning=True)
            reservation.soft_limit_warning = True
            _note_soft_limit(org.id, kind, month)
    return reservation


def _close(reservation: Reservation, status: str, *, allow_released: bool) -> tuple[str | None, int]:
    """Move the reservation to `status` (its row is locked first, the aggregates after it).

    Returns (its previous status, the units it held), or (None, 0) when it was already closed.
    """
    org_id, now = reservation.organization_id, timezone.now()
    rows = Reservation.objects.filter(organization_id=org_id, pk=reservation.pk)
    same = {
        "quantity": reservation.quantity,
        "month": reservation.month,
        "kind": reservation.kind,
        "project_id": reservation.project_id,
    }
    if rows.filter(status=ReservationStatus.RESERVED, **same).update(status=status, closed_at=now):
        reservation.status, reservation.closed_at = status, now
        return ReservationStatus.RESERVED, reservation.quantity
    current = rows.select_for_update().get()
    if (current.month, current.kind, current.project_id) != (
        reservation.month,
        reservation.kind,
        reservation.project_id,
    ):
        raise RuntimeError(f"Reservation {reservation.pk} was reserved anew meanwhile; settle the fresh one.")
    previous, held = current.status, current.quantity if current.status == ReservationStatus.RESERVED else 0
    if previous == ReservationStatus.RESERVED or (previous == ReservationStatus.RELEASED and allow_released):
        current.status, current.closed_at = status, now
        current.save(update_fields=["status", "closed_at"])
    else:
        previous, held = None, 0
    reservation.status, reservation.closed_at, reservation.quantity = (
        current.status,
        current.closed_at,
        current.quantity,
    )
    return previous, held


def commit(
    reservation: Reservation,
    actual_quantity: int | None = None,
    *,
    cost: Decimal | int | str = Decimal("0"),
    request_id: str | None = None,
) -> UsageLedger:
    """Record what was really used (default: the reserved quantity) as one ledger row.

    Idempotent: committing a reservation again returns the same ledger row and changes nothing.
    A reservation released meanwhile (it expired) is still recorded: the spending happened.
    """
    actual = reservation.quantity if actual_quantity is None else actual_quantity
    if not isinstance(actual, int) or actual < 0:
        raise ValueError(f"The actual quantity must be a non-negative integer, got {actual!r}.")
    cost = Decimal(str(cost))
    org_id = reservation.organization_id
    # Before taking the locks, to keep them short; `reserve` left the plan it checked on the object.
    plan = getattr(reservation, "_vf_plan", None) or services.get_plan(reservation.organization)

    def work() -> tuple[UsageLedger, int | None]:  # (the entry, the organization's total after it)
        with transaction.atomic():
            previous, held = _close(reservation, ReservationStatus.COMMITTED, allow_released=True)
            if previous is None:  # committed before: the same ledger row
                ledger = UsageLedger.objects.filter(organization_id=org_id)
                return ledger.get(idempotency_key=reservation.idempotency_key), None
            entry = UsageLedger.objects.create(
                organization_id=org_id,
                project_id=reservation.project_id,
                kind=reservation.kind,
                month=reservation.month,
                quantity=actual,
                cost=cost,
                source=reservation.source,
                idempotency_key=reservation.idempotency_key,
                request_id=(request_id or get_request_id() or "")[:128],
            )
            totals = _bump(
                org_id, reservation.project_id, reservation.month, reservation.kind, used=actual, reserved=-held
            )
        return entry, totals.org + actual - held

    entry, org_total = _with_rows(org_id, reservation.project_id, reservation.month, reservation.kind, work)
    monthly = plan.monthly_limit(reservation.kind)
    if org_total is not None and monthly and org_total * 100 >= monthly * plan.soft_limit_percent:
        with transaction.atomic():
            _note_soft_limit(org_id, reservation.kind, reservation.month)
    return entry


def _release(reservation: Reservation) -> bool:
    def work() -> bool:
        with transaction.atomic():
            previous, held = _close(reservation, ReservationStatus.RELEASED, allow_released=False)
            if previous is not None:
                _bump(org_id, reservation.project_id, reservation.month, reservation.kind, reserved=-held)
        return previous is not None

    org_id = reservation.organization_id
    return _with_rows(org_id, reservation.project_id, reservation.month, reservation.kind, work)


def release(reservation: Reservation) -> Reservation:
    """Give an unused reservation back. A committed or already released one is left as it is."""
    _release(reservation)
    return reservation


def release_expired(now=None, limit: int = 1000) -> int:
    """Release reservations whose `expires_at` has passed (their worker died). Returns how many."""
    now = now or timezone.now()
    # Crosses organizations on purpose: the periodic job cleans up after every tenant.
    stale = list(
        Reservation.objects.unscoped()
        .filter(status=ReservationStatus.RESERVED, expires_at__lte=now)
        .order_by("expires_at")[:limit]
    )
    released = 0
    for reservation in stale:
        if _release(reservation):
            released += 1
            logger.info(
                "Released stale reservation %s (%s %s).", reservation.id, reservation.quantity, reservation.kind
            )
    return released


class MeteredUse:
    """The handle `metered` yields: set `actual` (and `cost`) to what the work really used."""

    def __init__(self, reservation: Reservation):
        self.reservation = reservation
        self.actual: int | None = None
        self.cost: Decimal = Decimal("0")
        self.request_id: str | None = None
        self.entry: UsageLedger | None = None

    @property
    def soft_limit_warning(self) -> bool:
        return self.reservation.soft_limit_warning

    @property
    def already_committed(self) -> bool:
        """The key was committed before (a retry of finished work): it will not be charged again."""
        return self.reservation.status == ReservationStatus.COMMITTED


@contextmanager
def metered(
    org,
    kind: str,
    estimate: int,
    *,
    project=None,
    source: str = "",
    idempotency_key: str,
    ttl: int | None = None,
) -> Iterator[MeteredUse]:
    """Reserve `estimate`, run the block, commit `use.actual` (default: the estimate).

    The reservation happens before the block: at a hard limit `QuotaExceeded` is raised and the
    block (the provider call) never runs. If the block raises, the reservation is released,
    unless it had already set `use.actual` (money was spent): then that is committed.
    """
    reservation = reserve(org, kind, estimate, project=project, source=source, idempotency_key=idempotency_key, ttl=ttl)
    use = MeteredUse(reservation)
    try:
        yield use
    except BaseException:
        try:
            if use.actual is not None:
                use.entry = commit(reservation, use.actual, cost=use.cost, request_id=use.request_id)
            else:
                release(reservation)
        except Exception:  # keep the original error; the stale-reservation job cleans up
            logger.exception("Could not settle reservation %s after an error.", reservation.id)
        raise
    use.entry = commit(
        reservation, estimate if use.actual is None else use.actual, cost=use.cost, request_id=use.request_id
    )
