"""Addresses of a project's pages that other apps serve (by URL name, so nothing here imports them)."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils.http import urlencode

from apps.core.months import month_param


def calendar_url(org_slug: str, project_slug: str, month: date, **query) -> str:
    """The project's calendar of `month`, with the non-empty `query` parameters (filters)."""
    url = reverse("project_calendar", args=[org_slug, project_slug, month_param(month)])
    query = {key: value for key, value in query.items() if value}
    return f"{url}?{urlencode(query)}" if query else url
