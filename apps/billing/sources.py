"""What a usage row was for: the ledger stores `source` as "<app>.<Model>:<id>"; the history shows a name and a link.

Billing sits below the apps whose objects it meters, so they register how to name their sources:

    add_source_describer("planning.ContentPlan", describe_plans)  # (org, ids) -> {id: (label, url)}

A source nobody describes shows its kind only (never the internal id).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.apps import apps

_DESCRIBERS: dict[str, Callable] = {}


def add_source_describer(kind: str, describe: Callable) -> None:
    _DESCRIBERS[kind] = describe


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _kind_name(kind: str) -> str:
    try:
        return str(apps.get_model(kind)._meta.verbose_name).capitalize()
    except (LookupError, ValueError):
        return ""


def describe_sources(org, entries: Iterable) -> None:
    """Set `source_label` and `source_url` on each ledger entry (one query per kind on the page)."""
    entries = list(entries)
    wanted: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        kind, _sep, ident = (entry.source or "").partition(":")
        if kind in _DESCRIBERS and _is_uuid(ident):  # a malformed id: named by its kind only
            wanted[kind].add(ident)
    found = {kind: _DESCRIBERS[kind](org, sorted(ids)) for kind, ids in wanted.items()}
    for entry in entries:
        kind, _sep, ident = (entry.source or "").partition(":")
        label, url = found.get(kind, {}).get(ident, ("", ""))
        # A free-form source (no "<kind>:<id>") is already a name; a known kind never shows its id.
        entry.source_label = label or (_kind_name(kind) if ident else kind)
        entry.source_url = url


# Usage that is recorded but not charged (the offline provider's calls): kind -> count(org, month).
_UNCHARGED: dict[str, Callable] = {}


def add_uncharged_usage(kind: str, count: Callable) -> None:
    _UNCHARGED[kind] = count


def uncharged_usage(org, month) -> dict[str, int]:
    """What the page shows beside each kind as "offline, not charged" (kinds with none are left out)."""
    counts = {kind: count(org, month) for kind, count in _UNCHARGED.items()}
    return {kind: value for kind, value in counts.items() if value}
