"""Writes for projects: create, the settings sections (basics, brand kit, publishing, budgets,
AI routing), client reviewers, delete.

Every rule violation raises `ProjectError` with a translated message (and the form field it
belongs to, if any) and changes nothing. The brand voice and the agent routes belong to the
AI app (apps.ai.actions writes them, the brand voice in the same transaction as the brand kit).
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from apps.billing.services import project_limit_error
from apps.orgs.models import Membership, Organization
from apps.orgs.roles import Role
from apps.projects.access import grant_project_reviewer, revoke_project_reviewer
from apps.projects.forms import LOGO_KINDS, PLATFORM_CHOICES, RESERVED_SLUGS, time_zone_names
from apps.projects.models import ApprovalRule, Project

logger = logging.getLogger("viralforge.projects")

SLOT_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
LOGO_FILE_EXTENSIONS = {"png": "png", "jpeg": "jpg", "svg": "svg", "webp": "webp"}


class ProjectError(Exception):
    """A request that breaks a project rule; the message is translated and shown to the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- helpers --------------------------------------------------------------------------------


def brand_prefix(project: Project) -> str:
    """Where a project's brand files live in the default storage (see DESIGN.md)."""
    return f"org_{project.organization_id}/project_{project.id}/brand/"


def _slug_taken(org: Organization, slug: str, exclude: Project | None = None) -> bool:
    rows = Project.objects.for_org(org).filter(slug=slug)
    if exclude is not None:
        rows = rows.exclude(pk=exclude.pk)
    return rows.exists()


def _free_slug(org: Organization, name: str, exclude: Project | None = None) -> str:
    base = slugify(name)[:50].strip("-") or "project"
    if base in RESERVED_SLUGS:
        base = f"{base}-project"
    slug, n = base, 2
    while _slug_taken(org, slug, exclude):
        slug = f"{base}-{n}"
        n += 1
    return slug


def _check_basics(name: str, slug: str, language: str, time_zone: str, slot_times) -> list[str]:
    if not name.strip():
        raise ProjectError(_("Please enter a name for the project."), "name")
    if slug and (slugify(slug) != slug or slug in RESERVED_SLUGS or len(slug) > 60):
        raise ProjectError(_("Use only lower-case letters, digits and hyphens in the address."), "slug")
    if language not in dict(settings.LANGUAGES):
        raise ProjectError(_("Choose a content language."), "language")
    if time_zone not in time_zone_names():
        raise ProjectError(
            _("“%(zone)s” is not a known time zone. Use a name such as Europe/Berlin.") % {"zone": time_zone[:60]},
            "time_zone",
        )
    times = list(slot_times or [])
    if len(times) != 3 or not all(isinstance(t, str) and SLOT_RE.match(t) for t in times):
        raise ProjectError(_("Enter a time as HH:MM, for example 09:30."), "slot_1")
    if len(set(times)) != 3:
        raise ProjectError(_("The three slot times must be different."), "slot_3")
    return sorted(times)


def _slug_clash(slug: str) -> ProjectError:
    return ProjectError(_("Another project already uses the address “%(slug)s”.") % {"slug": slug}, "slug")


# --- create ---------------------------------------------------------------------------------


@transaction.atomic
def do_create_project(
    org: Organization,
    *,
    name: str,
    slug: str = "",
    language: str = "de",
    time_zone: str = "Europe/Berlin",
    slot_times=("09:00", "13:00", "19:00"),
) -> Project:
    """Create a project within the plan's project limit. An empty slug is derived from the name."""
    name, slug = name.strip(), slug.strip()
    times = _check_basics(name, slug, language, time_zone, slot_times)
    # Serialise project creation per organization, so two requests cannot both take the last project.
    list(Organization.objects.select_for_update().filter(pk=org.pk).values_list("pk", flat=True))
    error = project_limit_error(org)
    if error:
        raise ProjectError(error)
    if slug and _slug_taken(org, slug):
        raise _slug_clash(slug)
    slug = slug or _free_slug(org, name)
    try:
        with transaction.atomic():
            return Project.objects.create(
                organization=org, name=name, slug=slug, language=language, time_zone=time_zone, slot_times=times
            )
    except IntegrityError:
        raise _slug_clash(slug) from None


# --- settings sections ------------------------------------------------------------------------


@transaction.atomic
def do_update_project_basics(
    project: Project, *, name: str, slug: str, language: str, time_zone: str, slot_times
) -> Project:
    name, slug = name.strip(), slug.strip()
    times = _check_basics(name, slug, language, time_zone, slot_times)
    org = project.organization
    if not slug:
        slug = _free_slug(org, name, project)
    elif slug != project.slug and _slug_taken(org, slug, project):
        raise _slug_clash(slug)
    project.name, project.slug, project.language, project.time_zone, project.slot_times = (
        name,
        slug,
        language,
        time_zone,
        times,
    )
    try:
        with transaction.atomic():
            project.save(update_fields=["name", "slug", "language", "time_zone", "slot_times"])
    except IntegrityError:
        project.refresh_from_db()
        raise _slug_clash(slug) from None
    return project


def _store_logo(project: Project, upload, kind: str) -> str:
    if kind not in LOGO_KINDS:
        raise ProjectError(_("Upload the logo as PNG, JPEG, SVG or WebP."), "logo")
    name = f"{brand_prefix(project)}logo-{uuid.uuid4().hex[:12]}.{LOGO_FILE_EXTENSIONS[kind]}"
    upload.seek(0)
    return default_storage.save(name, upload)


def _delete_file(name: str) -> None:
    try:
        default_storage.delete(name)
    except Exception:  # a leftover file is harmless; never fail the request for it
        logger.warning("Could not delete stored file %s.", name, exc_info=True)


def do_save_brand_kit(
    project: Project,
    *,
    audience: str = "",
    colors=(),
    cta: str = "",
    hashtags=(),
    topics=(),
    content_pillars=(),
    logo=None,
    logo_kind: str = "",
    remove_logo: bool = False,
    also: Callable[[], None] | None = None,
) -> Project:
    """Save the brand kit on the project; `also()` runs inside the same transaction (the AI app
    saves the brand voice with it: apps.ai.actions.do_save_project_brand).

    A new logo is stored under the project's brand prefix before the transaction; if the
    transaction fails it is deleted again, and the replaced logo is deleted only after commit."""
    new_logo = _store_logo(project, logo, logo_kind) if logo is not None else ""
    try:
        with transaction.atomic():
            if also is not None:
                also()
            old_logo = project.logo.name if project.logo else ""
            project.audience = audience.strip()
            project.colors = list(colors)
            project.cta = cta.strip()
            project.hashtags = list(hashtags)
            project.topics = list(topics)
            project.content_pillars = list(content_pillars)
            fields = ["audience", "colors", "cta", "hashtags", "topics", "content_pillars"]
            if new_logo or remove_logo:
                project.logo.name = new_logo
                fields.append("logo")
            project.save(update_fields=fields)
            if old_logo and "logo" in fields:
                transaction.on_commit(lambda: _delete_file(old_logo))
    except BaseException:
        if new_logo:
            _delete_file(new_logo)
        project.refresh_from_db()
        raise
    return project


@transaction.atomic
def do_update_publishing(project: Project, *, target_platforms, autopilot: bool, approval_rule: str) -> Project:
    known = {value for value, _label in PLATFORM_CHOICES}
    unknown = [p for p in target_platforms if p not in known]
    if unknown:
        raise ProjectError(_("Unknown platform %(platform)s.") % {"platform": unknown[0]}, "target_platforms")
    if approval_rule not in ApprovalRule.values:
        raise ProjectError(_("Choose an approval rule."), "approval_rule")
    project.target_platforms = [value for value, _label in PLATFORM_CHOICES if value in set(target_platforms)]
    project.autopilot = bool(autopilot)
    project.approval_rule = approval_rule
    project.save(update_fields=["target_platforms", "autopilot", "approval_rule"])
    return project


BUDGET_FIELDS = ("monthly_token_budget", "monthly_video_seconds_budget", "max_regenerations_per_post")


@transaction.atomic
def do_update_budgets(project: Project, **budgets) -> Project:
    """Set the project's budgets; None means "only the plan's limits apply"."""
    for name in BUDGET_FIELDS:
        value = budgets.get(name)
        if value is not None and (not isinstance(value, int) or value < 0):
            raise ProjectError(_("Enter a whole number of at least 0, or leave it empty."), name)
        setattr(project, name, value)
    project.save(update_fields=list(BUDGET_FIELDS))
    return project


# --- client reviewers -----------------------------------------------------------------------


def _check_member(project: Project, membership: Membership) -> None:
    if membership.organization_id != project.organization_id:
        raise ProjectError(_("This person is not a member of the organization."))


@transaction.atomic
def do_grant_project_reviewer(project: Project, membership: Membership) -> None:
    """Let a member below editor (typically a client with the viewer role) approve this project's posts."""
    _check_member(project, membership)
    if membership.has_role(Role.EDITOR):
        raise ProjectError(
            _("%(email)s already approves posts as %(role)s.")
            % {"email": membership.user.email, "role": membership.get_role_display()}
        )
    grant_project_reviewer(membership.user, project)


@transaction.atomic
def do_revoke_project_reviewer(project: Project, membership: Membership) -> None:
    _check_member(project, membership)
    revoke_project_reviewer(membership.user, project)


# --- delete ---------------------------------------------------------------------------------


def _delete_brand_files(prefix: str) -> None:
    try:
        _dirs, files = default_storage.listdir(prefix)
    except (FileNotFoundError, NotImplementedError, OSError):
        return
    for name in files:
        _delete_file(prefix + name)


@transaction.atomic
def do_delete_project(project: Project, confirmation: str) -> None:
    """Delete the project with its plans, posts, brand voice, routes, keys and brand files."""
    if confirmation.strip() != project.slug:
        raise ProjectError(_("Type the project's address (slug) to confirm deletion."), "confirmation")
    prefix = brand_prefix(project)
    project.delete()
    transaction.on_commit(lambda: _delete_brand_files(prefix))
