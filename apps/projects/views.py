"""Project pages: list, create, dashboard (all members see the list and dashboards), settings
sections, client reviewers and delete (admins and owners).

Each settings section is its own form and endpoint. With HTMX the response is the section's
partial (with inline errors); a plain POST redirects back to the page, or renders the whole page
with the errors. Bad input answers 400 and changes nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.files.storage import default_storage
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.ai.models import AgentRoute, BrandVoice
from apps.billing.services import get_plan, project_limit_error
from apps.core import clock
from apps.core.months import next_month
from apps.orgs.access import OrgRequest, get_member, org_view
from apps.orgs.actions import do_switch_organization
from apps.orgs.models import Membership
from apps.orgs.roles import Role
from apps.planning.models import ContentPlan, PlanStatus
from apps.projects import actions
from apps.projects.access import get_project, reviewer_user_ids
from apps.projects.forms import (
    BrandKitForm,
    BudgetsForm,
    DeleteProjectForm,
    ProjectBasicsForm,
    PublishingForm,
    RoutingForm,
    sorted_time_zones,
)
from apps.projects.links import calendar_url
from apps.projects.models import ApprovalRule, Project
from viralforge.htmx import htmx_redirect

SETTINGS_PAGE = "projects/project_settings.html"
CURRENT_PLAN_STATUSES = (PlanStatus.GENERATING, PlanStatus.READY)
LOGO_CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "svg": "image/svg+xml", "webp": "image/webp"}


def _agents():
    from apps.ai.contracts import AGENTS

    return list(AGENTS.items())


def _partial(request) -> bool:
    return bool(request.htmx) and not request.htmx.boosted


def _project_context(request: OrgRequest, project: Project) -> dict:
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
        data = form.cleaned_data
        try:
            project = actions.do_create_project(
                org,
                name=data["name"],
                slug=data["slug"],
                language=data["language"],
                time_zone=data["time_zone"],
                slot_times=data["slot_times"],
            )
        except actions.ProjectError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(
                request,
                _("Project %(name)s created. Now fill in its brand kit.") % {"name": project.name},
            )
            return htmx_redirect(request, "project_settings", org.slug, project.slug)
    context = {"form": form, "time_zones": sorted_time_zones(), "limit_error": project_limit_error(org)}
    return render(request, "projects/project_create.html", context, status=400 if form.errors else 200)


# --- settings -------------------------------------------------------------------------------


def _reviewers_context(request: OrgRequest, project: Project) -> dict:
    granted = reviewer_user_ids(project)
    members = Membership.objects.for_org(request.org).select_related("user").order_by("user__email")
    rows = [{"member": m, "granted": m.user_id in granted, "by_role": m.has_role(Role.EDITOR)} for m in members]
    return {
        "reviewer_rows": rows,
        "show_reviewers": project.approval_rule == ApprovalRule.CLIENT_REVIEWER or bool(granted),
    }


def _section_context(request: OrgRequest, project: Project, section: str, form=None) -> dict:
    org = request.org
    if section == "basics":
        return {
            "basics_form": form or ProjectBasicsForm(initial=ProjectBasicsForm.initial_for(project)),
            "time_zones": sorted_time_zones(),
        }
    if section == "brand":
        if form is None:
            voice = BrandVoice.objects.for_org(org).filter(project=project).first()
            form = BrandKitForm(initial=BrandKitForm.initial_for(project, voice))
        return {"brand_form": form}
    if section == "publishing":
        form = form or PublishingForm(initial=PublishingForm.initial_for(project))
        return {"publishing_form": form} | _reviewers_context(request, project)
    if section == "budgets":
        return {"budgets_form": form or BudgetsForm(initial=BudgetsForm.initial_for(project)), "plan": get_plan(org)}
    if section == "routing":
        if form is None:
            routes = AgentRoute.objects.for_org(org).filter(project=project)
            form = RoutingForm(initial=RoutingForm.initial_for(routes), agents=_agents())
        return {"routing_form": form}
    if section == "delete":
        return {"delete_form": form or DeleteProjectForm()}
    raise ValueError(section)


SECTIONS = ("basics", "brand", "publishing", "budgets", "routing", "delete")


def _settings_page(request: OrgRequest, project: Project, status: int = 200, **forms) -> HttpResponse:
    context = _project_context(request, project)
    for section in SECTIONS:
        context |= _section_context(request, project, section, forms.get(section))
    context |= {key: value for key, value in forms.items() if key not in SECTIONS}
    return render(request, SETTINGS_PAGE, context, status=status)


def _section_response(
    request: OrgRequest, project: Project, section: str, form=None, status: int = 200, **extra
) -> HttpResponse:
    """After a section POST: the section's partial (HTMX), else a redirect (saved) or the page (errors)."""
    if _partial(request):
        context = _project_context(request, project) | _section_context(request, project, section, form) | extra
        return render(request, f"{SETTINGS_PAGE}#section_{section}", context, status=status)
    if status == 200:
        response = redirect("project_settings", request.org.slug, project.slug)
        response["Location"] += f"#section-{section}"
        return response
    return _settings_page(request, project, status, **{section: form}, **extra)


def _apply(request, project: Project, section: str, form, save, saved_message) -> HttpResponse:
    """Validate `form`, run `save(project, cleaned_data)`, answer for the section."""
    if form.is_valid():
        try:
            save(project, form.cleaned_data)
        except actions.ProjectError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, saved_message)
            return _section_response(request, project, section)
    return _section_response(request, project, section, form, status=400)


@require_GET
@org_view(Role.ADMIN)
def project_settings(request: OrgRequest, project_slug: str) -> HttpResponse:
    project = get_project(request.org, project_slug)
    return _settings_page(request, project)


@require_POST
@org_view(Role.ADMIN)
def project_settings_basics(request: OrgRequest, project_slug: str) -> HttpResponse:
    project = get_project(request.org, project_slug)
    form = ProjectBasicsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        old_slug = project.slug
        try:
            actions.do_update_project_basics(
                project,
                name=data["name"],
                slug=data["slug"],
                language=data["language"],
                time_zone=data["time_zone"],
                slot_times=data["slot_times"],
            )
        except actions.ProjectError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("Project settings saved."))
            if project.slug != old_slug:  # every link on the page changes: load the new address
                return htmx_redirect(request, reverse("project_settings", args=[request.org.slug, project.slug]))
            return _section_response(request, project, "basics")
    return _section_response(request, project, "basics", form, status=400)


def _save_brand(project, data):
    logo = data.get("logo")
    actions.do_save_brand_kit(
        project,
        voice=data["voice"],
        tone=data["tone"],
        do_list=data["do_list"],
        dont_list=data["dont_list"],
        audience=data["audience"],
        colors=data["colors"],
        cta=data["cta"],
        hashtags=data["hashtags"],
        topics=data["topics"],
        content_pillars=data["content_pillars"],
        logo=logo,
        logo_kind=getattr(logo, "logo_kind", ""),
        remove_logo=data["remove_logo"],
    )


@require_POST
@org_view(Role.ADMIN)
def project_settings_brand(request: OrgRequest, project_slug: str) -> HttpResponse:
    project = get_project(request.org, project_slug)
    form = BrandKitForm(request.POST, request.FILES)
    return _apply(request, project, "brand", form, _save_brand, _("Brand kit saved."))


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

    return _apply(request, project, "publishing", form, save, _("Publishing settings saved."))


@require_POST
@org_view(Role.ADMIN)
def project_settings_budgets(request: OrgRequest, project_slug: str) -> HttpResponse:
    project = get_project(request.org, project_slug)
    form = BudgetsForm(request.POST)

    def save(project, data):
        actions.do_update_budgets(project, **{name: data[name] for name in BudgetsForm.FIELDS})

    return _apply(request, project, "budgets", form, save, _("Budgets saved."))


@require_POST
@org_view(Role.ADMIN)
def project_settings_routing(request: OrgRequest, project_slug: str) -> HttpResponse:
    project = get_project(request.org, project_slug)
    form = RoutingForm(request.POST, agents=_agents())

    def save(project, data):
        actions.do_save_project_routes(project, data["routes"])

    return _apply(request, project, "routing", form, save, _("AI routing saved."))


def _reviewer_change(request: OrgRequest, project_slug: str, membership_id, change, done: str) -> HttpResponse:
    project = get_project(request.org, project_slug)
    member = get_member(request.org, membership_id)
    try:
        change(project, member)
    except actions.ProjectError as exc:
        error = str(exc)
    else:
        messages.success(request, done % {"email": member.user.email})
        if not _partial(request):
            return _section_response(request, project, "publishing")
        error = ""
    status = 400 if error else 200
    if _partial(request):
        context = _project_context(request, project) | _reviewers_context(request, project)
        return render(request, f"{SETTINGS_PAGE}#reviewers", context | {"reviewers_error": error}, status=status)
    return _settings_page(request, project, status, reviewers_error=error)


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
    return _section_response(request, project, "delete", form, status=400)


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


def _dashboard_data(org, project: Project) -> dict:
    """This month's counts and the next posts due, in a fixed number of queries."""
    from apps.posts.models import PostItem, PostStatus

    now = clock.now().astimezone(project.zone)
    today = now.date()
    month = today.replace(day=1)
    plans = list(ContentPlan.objects.for_org(org).filter(project=project, month=month).order_by("-version"))
    current = next((plan for plan in plans if plan.status in CURRENT_PLAN_STATUSES), None)
    posts = PostItem.objects.for_org(org).filter(project=project, plan__status__in=CURRENT_PLAN_STATUSES)
    counts = posts.filter(date__gte=month, date__lt=next_month(month)).aggregate(
        total=Count("id"),
        locked=Count("id", filter=Q(locked=True)),
        **{status: Count("id", filter=Q(status=status)) for status in PostStatus.values},
    )
    slot_times = list(project.slot_times or [])
    remaining_today = [index + 1 for index, time in enumerate(slot_times) if time >= now.strftime("%H:%M")]
    upcoming = list(
        posts.filter(Q(date__gt=today) | Q(date=today, slot__in=remaining_today))
        .order_by("date", "slot")
        .only("id", "date", "slot", "format", "hook", "status", "locked", "confidence", "offline")[:5]
    )
    for post in upcoming:
        post.slot_time = slot_times[post.slot - 1] if 0 < post.slot <= len(slot_times) else ""
    return {
        "month": month,
        "today": today,
        "plan": current,
        "latest_plan": plans[0] if plans else None,
        "counts": counts,
        "status_counts": [(value, label, counts[value]) for value, label in PostStatus.choices],
        "upcoming": upcoming,
    }


@require_GET
@org_view()
def project_dashboard(request: OrgRequest, project_slug: str) -> HttpResponse:
    project = get_project(request.org, project_slug)
    do_switch_organization(request.user, request.org)
    context = _project_context(request, project) | _dashboard_data(request.org, project)
    return render(request, "projects/project_dashboard.html", context)
