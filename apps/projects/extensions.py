"""What higher apps add to the project pages, registered from their `AppConfig.ready()`.

The project settings page is a list of sections and the dashboard a list of panels. Projects
brings its own sections (basics, publishing, budgets, delete); apps above it (ai: brand kit and
routing; posts: the month's plan and posts) add theirs here, because projects may not import them.

    extensions.add_settings_section(Section("routing", 50, "ai/project_settings.html#section_routing",
                                            routing_context, label=_("AI routing")))

A section's `context(request, project, form)` returns what its template needs; `form` is the bound
form after a failed POST, else None. A panel's `context(request, project)` likewise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Section:
    key: str
    order: int
    template: str  # a template or "template#partial", rendered inside the page
    context: Callable  # (request, project, form | None) -> dict
    label: Any = ""  # the settings tab's name (each section is one tab with its own Save)


@dataclass(frozen=True)
class Panel:
    key: str
    order: int
    template: str
    context: Callable  # (request, project) -> dict


_sections: dict[str, Section] = {}
_panels: dict[str, Panel] = {}


def add_settings_section(section: Section) -> None:
    _sections[section.key] = section


def add_dashboard_panel(panel: Panel) -> None:
    _panels[panel.key] = panel


def settings_sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda section: section.order)


def settings_keys() -> list[str]:
    return [section.key for section in settings_sections()]


def settings_section(key: str) -> Section:
    return _sections[key]


def dashboard_panels() -> list[Panel]:
    return sorted(_panels.values(), key=lambda panel: panel.order)
