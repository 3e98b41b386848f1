"""Project pages: list, create, dashboard (all members see the list and dashboards), settings
sections, client reviewers and delete (admins and owners).

Each settings section is its own form and endpoint. With HTMX the response is the section's
partial (with inline errors); a plain POST redirects back to the page, or renders the whole page
with the errors. Bad input answers 400 and changes nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.billing.services import get_plan, project_limit_error
from apps.orgs.access import OrgRequest, get_member, org_view
from apps.orgs.actions import do_switch_organization
from apps.orgs.roles import Role
from apps.projects import actions, extensions, sections
from apps.projects.access import get_project
from apps.projects.forms import BudgetsForm, DeleteProjectForm, ProjectBasicsForm, PublishingForm
from apps.projects.links import calendar_url
from apps.projects.models import Project
from viralforge.htmx import htmx_redirect, wants_partial

SETTINGS_PAGE = "projects/project_settings.html"
LOGO_CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "svg": "image/svg+xml", "webp": "image/webp"}


def add_error(form, error: actions.ProjectError) -> None:
    """Show a refused action's reason at its field (or above the form)."""
    form.add_error(error.field if error.field in form.fields else None, str(error))


def project_context(request: OrgRequest, project: Project) -> dict:
    return {
        "project": project,
        "calendar_url": calendar_url(request.org.slug, project.slug, project.today().replace(day=1)),
        "can_manage": request.membership.has_role(Role.ADMIN),
    }


# --- list and create --------------------------------------------------------------------------


@require_GET
@org_view()
def project_list(request: OrgRequest) -> HttpResponse:
    org = request.org
    do_switch_organization(request.user, org)
    projects = list(Project.objects.for_org(org).order_by("name"))
    plan = get_plan(org)
    context = {
        "projects": projects,
        "plan": plan,
        "at_limit": len(projects) >= plan.max_projects,
        "can_manage": request.membership.has_role(Role.ADMIN),
    }
    return render(request, "projects/project_list.html", context)


def _create_initial() -> dict:
    return {"language": "de", "time_zone": "Europe/Berlin", "slot_1": "09:00", "slot_2": "13:00", "slot_3": "19:00"}


@require_http_methods(["GET", "POST"])
@org_view(Role.ADMIN)
def project_create(request: OrgRequest) -> HttpResponse:
    org = request.org
    form = ProjectBasicsForm(request.POST if request.method == "POST" else None, initial=_create_initial())
    if request.method == "POST" and form.is_valid():
        try:
            project = actions.do_create_project(org, **form.basics())
        except actions.ProjectError as exc:
            add_error(form, exc)
        else:
            messages.success(
                request,
                _("Project %(name)s created. Now fill in its brand kit.") % {"name": project.name},
            )
            return htmx_redirect(request, "project_settings", org.slug, project.slug)
    context = {"form": form, "limit_error": project_limit_error(org)}
    return render(request, "projects/project_create.html", context, status=400 if form.errors else 200)


# --- settings -------------------------------------------------------------------------------


def _sections_context(request: OrgRequest, project: Project, forms: dict) -> dict:
    """The tabs and the open one: `?tab=<key>`, else the section of a bound form (its errors), else the first."""
    sections = extensions.settings_sections()
    keys = [section.key for section in sections]
    wanted = request.GET.get("tab", "")
    active = wanted if wanted in keys else next((key for key in forms if key in keys), keys[0])
    section = extensions.settings_section(active)
    base = reverse("project_settings", args=[request.org.slug, project.slug])
    tabs = [
        {"key": s.key, "label": s.label or s.key, "url": f"{base}?tab={s.key}", "active": s.key == active}
        for s in sections
    ]
    return {"sections": [section], "tabs": tabs} | section.context(request, project, forms.get(active))


def settings_page(request: OrgRequest, project: Project, status: int = 200, **forms) -> HttpResponse:
    """The settings page with one tab open; `forms` holds bound forms (by section key) and extra context."""
    context = project_context(request, project) | _sections_context(request, project, forms)
    keys = set(extensions.settings_keys())
    context |= {key: value for key, value in forms.items() if key not in keys}
    return render(request, SETTINGS_PAGE, context, status=status)


def section_response(
    request: OrgRequest, project: Project, key: str, form=None, status: int = 200, **extra
) -> HttpResponse:
    """After a section POST: the section's partial (HTMX), else a redirect (saved) or the page (errors)."""
    section = extensions.settings_section(key)
    if wants_partial(request):
        context = project_context(request, project) | section.context(request, project, form) | extra
        return render(request, section.template, context, status=status)
    if status == 200:
        response = redirect("project_settings", request.org.slug, project.slug)
        response["Location"] += f"?tab={key}"
        return response
    return settings_page(request, project, status, **{key: form}, **extra)


def apply_section(request, project: Project, key: str, form, save, saved_message) -> HttpResponse:
    """Validate `form`, run `save(project, cleaned_data)`, answer for the section (or with the
    response `save` returns, e.g. a redirect when the page's address changed)."""
    if form.is_valid():
        try:
            response = save(project, form.cleaned_data)
        except actions.ProjectError as exc:
            add_error(form, exc)
        else:
            messages.success(request, saved_message)
            return response or section_response(request, project, key)
    return section_response(request, project, key, form, status=400)


@require_GET
@org_view(Role.ADMIN)
def project_settings(request: OrgRequest, project_slug: str) -> HttpResponse:
    project = get_project(request.org, project_slug)
    return settings_page(request, project)


@require_POST
@org_view(Role.ADMIN)
def project_settings_basics(request: OrgRequest, project_slug: str) -> HttpResponse:
    project = get_project(request.org, project_slug)
    form = ProjectBasicsForm(request.POST)

    def save(project, data):
        old_slug = project.slug
        actions.do_update_project_basics(project, **form.basics())
        if project.slug != old_slug:  # every link on the page changes: load the new address
            return htmx_redirect(request, reverse("project_settings", args=[request.org.slug, project.slug]))
        return None

    return apply_section(request, project, "basics", form, save, _("Project settings saved."))


@require_POST
@org_view(Role.ADMIN)
def project_settings_publishing(request: OrgRequest, project_slug: str) -> HttpResponse:
    project = get_project(request.org, project_slug)
    form = PublishingForm(request.POST)

    def save(project, data):
        actions.do_update_publishing(
            project,
            target_platforms=data["target_platforms"],
            autopilot=data["autopilot"],
            approval_rule=data["approval_rule"],
        )

    return apply_section(request, project, "publishing", form, save, _("Publishing settings saved."))


@require_POST
@org_view(Role.ADMIN)
def project_settings_budgets(request: OrgRequest, project_slug: str) -> HttpResponse:
    project = get_project(request.org, project_slug)
    form = BudgetsForm(request.POST)

    def save(project, data):
        actions.do_update_budgets(project, **{name: data[name] for name in BudgetsForm.FIELDS})

    return apply_section(request, project, "budgets", form, save, _("Budgets saved."))


def _reviewer_change(request: OrgRequest, project_slug: str, membership_id, change, done: str) -> HttpResponse:
    project = get_project(request.org, project_slug)
    member = get_member(request.org, membership_id)
    try:
        change(project, member)
    except actions.ProjectError as exc:
        error = str(exc)
    else:
        messages.success(request, done % {"email": member.user.email})
        if not wants_partial(request):
            return section_response(request, project, "publishing")
        error = ""
    status = 400 if error else 200
    if wants_partial(request):
        context = project_context(request, project) | sections.reviewers_context(request, project)
        return render(request, f"{SETTINGS_PAGE}#reviewers", context | {"reviewers_error": error}, status=status)
    return settings_page(request, project, status, reviewers_error=error)


@require_POST
@org_view(Role.ADMIN)
def project_reviewer_grant(request: OrgRequest, project_slug: str, membership_id) -> HttpResponse:
    return _reviewer_change(
        request,
        project_slug,
        membership_id,
        actions.do_grant_project_reviewer,
        _("%(email)s may now approve this project's posts."),
    )


@require_POST
@org_view(Role.ADMIN)
def project_reviewer_revoke(request: OrgRequest, project_slug: str, membership_id) -> HttpResponse:
    return _reviewer_change(
        request,
        project_slug,
        membership_id,
        actions.do_revoke_project_reviewer,
        _("%(email)s no longer approves this project's posts."),
    )


@require_POST
@org_view(Role.ADMIN)
def project_delete(request: OrgRequest, project_slug: str) -> HttpResponse:
    project = get_project(request.org, project_slug)
    form = DeleteProjectForm(request.POST)
    if form.is_valid():
        name = project.name
        try:
            actions.do_delete_project(project, form.cleaned_data["confirmation"])
        except actions.ProjectError as exc:
            form.add_error("confirmation", str(exc))
        else:
            messages.success(request, _("Project %(name)s deleted.") % {"name": name})
            return htmx_redirect(request, "project_list", request.org.slug)
    return section_response(request, project, "delete", form, status=400)


@require_GET
@org_view()
def project_logo(request: OrgRequest, project_slug: str) -> HttpResponse:
    """The project's logo, for members only (media files are not served publicly)."""
    project = get_project(request.org, project_slug)
    name = project.logo.name if project.logo else ""
    content_type = LOGO_CONTENT_TYPES.get(name.rsplit(".", 1)[-1].lower()) if name else None
    if content_type is None:
        raise Http404
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    # An SVG opened on its own must not run anything.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- dashboard ------------------------------------------------------------------------------


@require_GET
@org_view()
def project_dashboard(request: OrgRequest, project_slug: str) -> HttpResponse:
    project = get_project(request.org, project_slug)
    do_switch_organization(request.user, request.org)
    context = project_context(request, project) | {"panels": extensions.dashboard_panels()}
    for panel in context["panels"]:
        context |= panel.context(request, project)
    return render(request, "projects/project_dashboard.html", context)
