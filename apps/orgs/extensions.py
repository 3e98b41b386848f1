"""What apps above orgs add to organization actions and pages, registered from their `AppConfig.ready()`.

- `add_seat_check(check)`: `check(org)` returns a translated reason when one more seat (a member or
  an open invitation) does not fit, else None; billing adds the plan's seat limit.
- `add_dashboard_context(provider)`: `provider(request)` returns extra context for the
  organization dashboard; jobs adds the recent jobs.
"""

from __future__ import annotations

from collections.abc import Callable

_seat_checks: list[Callable] = []
_dashboard_context: list[Callable] = []


def add_seat_check(check: Callable) -> None:
    if check not in _seat_checks:
        _seat_checks.append(check)


def seat_limit_error(org) -> str | None:
    """The first reason a seat check gives, else None. Call it inside the transaction that adds the seat."""
    for check in _seat_checks:
        error = check(org)
        if error:
            return error
    return None


def add_dashboard_context(provider: Callable) -> None:
    if provider not in _dashboard_context:
        _dashboard_context.append(provider)


def dashboard_context(request) -> dict:
    context: dict = {}
    for provider in _dashboard_context:
        context |= provider(request)
    return context
