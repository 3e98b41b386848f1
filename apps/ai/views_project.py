"""The AI app's sections of the project settings page: the brand kit (with the project's brand
voice) and the AI routing per agent. Registered with apps.projects.extensions; the page itself
and the section answers are apps.projects.views'."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.ai import actions
from apps.ai.contracts import AGENTS
from apps.ai.models import AgentRoute, BrandVoice
from apps.ai.project_forms import RoutingForm
from apps.orgs.access import OrgRequest, org_view
from apps.orgs.roles import Role
from apps.projects.access import get_project
from apps.projects.extensions import Section, add_settings_section
from apps.projects.forms import BrandKitForm
from apps.projects.views import apply_section

TEMPLATE = "ai/project_settings.html"


def _agents() -> list:
    return list(AGENTS.items())


def brand_context(request, project, form=None) -> dict:
    if form is None:
        voice = BrandVoice.objects.for_org(request.org).filter(project=project).first()
        form = BrandKitForm(initial=BrandKitForm.initial_for(project, voice))
    form.use_examples(project)
    return {"brand_form": form}


def routing_context(request, project, form=None) -> dict:
    if form is None:
        routes = AgentRoute.objects.for_org(request.org).filter(project=project)
        form = RoutingForm(initial=RoutingForm.initial_for(routes), agents=_agents())
    return {"routing_form": form}


def register() -> None:
    add_settings_section(Section("brand", 20, f"{TEMPLATE}#section_brand", brand_context, gettext_lazy("Brand kit")))
    add_settings_section(
        Section("routing", 50, f"{TEMPLATE}#section_routing", routing_context, gettext_lazy("AI routing"))
    )


def _save_brand(project, data):
    logo = data.get("logo")
    actions.do_save_project_brand(
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
    return apply_section(request, project, "brand", form, _save_brand, _("Brand kit saved."))


@require_POST
@org_view(Role.ADMIN)
def project_settings_routing(request: OrgRequest, project_slug: str) -> HttpResponse:
    project = get_project(request.org, project_slug)
    form = RoutingForm(request.POST, agents=_agents())

    def save(project, data):
        actions.do_save_project_routes(project, data["routes"])

    return apply_section(request, project, "routing", form, save, _("AI routing saved."))
