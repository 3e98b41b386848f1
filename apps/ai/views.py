"""AI control-plane pages: the prompt library, brand voice and the AI decision log.

- Prompt library (`prompt_list`): editors and above see every agent's effective prompt;
  admins and owners edit the organization's overrides (`prompt_edit`, with an HTMX diff
  preview against the global default, `prompt_diff`) and reset them (`prompt_reset`).
- Brand voice (`brand_voice`): admins and owners, for the organization or one project.
- Decision log (`ai_decisions`, `ai_decision_detail`): every member.
"""

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.ai import actions, prompts
from apps.ai.models import AIDecision, BrandVoice, PromptTemplate
from apps.ai.orchestrator import out_of_credits_today
from apps.ai.prompt_forms import BrandVoiceForm, DecisionFilterForm, PromptOverrideForm
from apps.core.forms import first_error
from apps.orgs.access import OrgRequest, org_view
from apps.orgs.roles import Role
from apps.projects.models import Project

PAGE_SIZE = 50


# --- access helpers ---------------------------------------------------------------------------


def get_prompt_spec(key: str):
    """The agent whose prompt has this key, or 404."""
    from apps.ai.contracts import AGENTS

    for spec in AGENTS.values():
        if spec.prompt_key == key:
            return spec
    raise Http404


def get_decision(org, decision_id) -> AIDecision:
    """The organization's AI decision with this id, or 404 (also for another organization's)."""
    return get_object_or_404(AIDecision.objects.for_org(org).select_related("project"), id=decision_id)


# --- prompt library ---------------------------------------------------------------------------


def _prompt_rows(org) -> list[dict]:
    from apps.ai.contracts import AGENTS

    keys = sorted({spec.prompt_key for spec in AGENTS.values()})
    overrides = {t.key: t for t in PromptTemplate.objects.filter(organization=org, key__in=keys, active=True)}
    defaults = {t.key: t for t in PromptTemplate.objects.filter(organization__isnull=True, key__in=keys, active=True)}
    specs = {spec.prompt_key: spec for spec in AGENTS.values()}
    rows = []
    for key in keys:
        default = defaults.get(key) or prompts.global_default(key)
        override = overrides.get(key)
        rows.append(
            {"key": key, "spec": specs[key], "template": override or default, "default": default, "override": override}
        )
    return rows


@require_GET
@org_view(Role.EDITOR)
def prompt_list(request: OrgRequest) -> HttpResponse:
    context = {"rows": _prompt_rows(request.org), "can_edit": request.membership.has_role(Role.ADMIN)}
    return render(request, "ai/prompts.html", context)


def _edit_context(request: OrgRequest, spec, form, **extra) -> dict:
    # Typing in either prompt refreshes the diff preview (HTMX posts the whole form).
    preview = {
        "hx-post": reverse("prompt_diff", args=[request.org.slug, spec.prompt_key]),
        "hx-trigger": "input changed delay:600ms",
        "hx-target": "#prompt-diff",
        "hx-swap": "outerHTML",
    }
    for name in ("system_template", "user_template"):
        form.fields[name].widget.attrs.update(preview)
    default = prompts.global_default(spec.prompt_key)
    override = prompts.org_override(request.org, spec.prompt_key)
    if form.is_bound and form.is_valid():
        system, user = form.cleaned_data["system_template"], form.cleaned_data["user_template"]
    else:
        current = override or default
        system = form.data.get("system_template", current.system_template) if form.is_bound else current.system_template
        user = form.data.get("user_template", current.user_template) if form.is_bound else current.user_template
    return {
        "spec": spec,
        "key": spec.prompt_key,
        "form": form,
        "default": default,
        "override": override,
        "diff": prompts.template_diff(default, system, user),
        "history": PromptTemplate.objects.filter(organization=request.org, key=spec.prompt_key).order_by("-version")[
            :10
        ],
    } | extra


@require_http_methods(["GET", "POST"])
@org_view(Role.ADMIN)
def prompt_edit(request: OrgRequest, key: str) -> HttpResponse:
    spec = get_prompt_spec(key)
    if request.method == "GET":
        current = prompts.effective_template(request.org, spec.prompt_key)
        form = PromptOverrideForm(
            initial={"system_template": current.system_template, "user_template": current.user_template}
        )
        return render(request, "ai/prompts_edit.html", _edit_context(request, spec, form))
    form = PromptOverrideForm(request.POST)
    if form.is_valid():
        try:
            template, changed = actions.do_save_prompt_override(
                request.org,
                spec.prompt_key,
                system_template=form.cleaned_data["system_template"],
                user_template=form.cleaned_data["user_template"],
                actor=request.user,
            )
        except actions.AIRuleError as exc:
            form.add_error(None, str(exc))
        else:
            if changed:
                messages.success(
                    request,
                    _("The prompt “%(agent)s” was saved as version %(version)s.")
                    % {"agent": spec.label or key, "version": template.version},
                )
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("prompt_list", request.org.slug)
    return render(request, "ai/prompts_edit.html", _edit_context(request, spec, form), status=400)


@require_POST
@org_view(Role.ADMIN)
def prompt_diff(request: OrgRequest, key: str) -> HttpResponse:
    """HTMX preview: the diff of the texts in the form against the global default. Saves nothing."""
    spec = get_prompt_spec(key)
    form = PromptOverrideForm(request.POST)
    status = 200 if form.is_valid() else 400
    context = _edit_context(request, spec, form, diff_error="" if status == 200 else first_error(form))
    return render(request, "ai/prompts_edit.html#diff", context, status=status)


@require_POST
@org_view(Role.ADMIN)
def prompt_reset(request: OrgRequest, key: str) -> HttpResponse:
    spec = get_prompt_spec(key)
    if actions.do_reset_prompt_override(request.org, spec.prompt_key, actor=request.user):
        messages.success(request, _("Prompt %(key)s uses the default again.") % {"key": key})
    else:
        messages.info(request, _("Prompt %(key)s already uses the default.") % {"key": key})
    return redirect("prompt_list", request.org.slug)


# --- brand voice ------------------------------------------------------------------------------


def _voice_initial(org, project) -> dict:
    rows = BrandVoice.objects.for_org(org)
    voice = (rows.filter(project=project) if project else rows.filter(project__isnull=True)).first()
    initial = {"project": project.slug if project else ""}
    if voice is not None:
        initial |= {name: getattr(voice, name) for name in actions.VOICE_FIELDS}
    return initial


def _voice_form(request: OrgRequest, *args, **kwargs) -> BrandVoiceForm:
    form = BrandVoiceForm(*args, org=request.org, **kwargs)
    # Picking another scope loads that scope's voice into the form (HTMX).
    form.fields["project"].widget.attrs.update(
        {"hx-get": reverse("brand_voice", args=[request.org.slug]), "hx-target": "#voice-form", "hx-swap": "outerHTML"}
    )
    return form


@require_http_methods(["GET", "POST"])
@org_view(Role.ADMIN)
def brand_voice(request: OrgRequest) -> HttpResponse:
    org = request.org
    voices = BrandVoice.objects.for_org(org).select_related("project").order_by("project__name")
    if request.method == "GET":
        project = None
        slug = request.GET.get("project", "")
        if slug:
            project = get_object_or_404(Project.objects.for_org(org), slug=slug)
        form = _voice_form(request, initial=_voice_initial(org, project))
        template = "ai/prompts_voice.html#voice_form" if request.htmx and not request.htmx.boosted else None
        return render(request, template or "ai/prompts_voice.html", {"form": form, "voices": voices})
    form = _voice_form(request, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_save_brand_voice(
                org,
                data["project"],
                voice=data["voice"],
                tone=data["tone"],
                do_list=data["do_list"],
                dont_list=data["dont_list"],
            )
        except actions.AIRuleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Brand voice saved."))
            response = redirect("brand_voice", org.slug)
            if data["project"] is not None:
                response["Location"] += "?" + urlencode({"project": data["project"].slug})
            return response
    return render(request, "ai/prompts_voice.html", {"form": form, "voices": voices}, status=400)


# --- decision log -----------------------------------------------------------------------------


def _agents() -> list[tuple[str, str]]:
    from apps.ai.contracts import AGENTS

    return [(key, str(spec.label or key)) for key, spec in sorted(AGENTS.items())]


@require_GET
@org_view()
def ai_decisions(request: OrgRequest) -> HttpResponse:
    org = request.org
    form = DecisionFilterForm(request.GET or None, org=org, agents=_agents())
    decisions = AIDecision.objects.for_org(org).select_related("project").order_by("-created_at")
    status, query = 200, ""
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            if data["agent"]:
                decisions = decisions.filter(agent=data["agent"])
            if data["project"] is not None:
                decisions = decisions.filter(project=data["project"])
            if data["outcome"]:
                decisions = decisions.filter(outcome=data["outcome"])
            params = {
                "agent": data["agent"],
                "project": data["project"].slug if data["project"] else "",
                "outcome": data["outcome"],
            }
            query = urlencode({name: value for name, value in params.items() if value})
        else:
            status, decisions = 400, decisions.none()
    page = Paginator(decisions, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "query": query,
        "filter_error": first_error(form) if status == 400 else "",
        "out_of_credits": out_of_credits_today(org),
    }
    template = "ai/decisions.html#decision_table" if request.htmx and not request.htmx.boosted else "ai/decisions.html"
    return render(request, template, context, status=status)


@require_GET
@org_view()
def ai_decision_detail(request: OrgRequest, decision_id) -> HttpResponse:
    decision = get_decision(request.org, decision_id)
    context = {
        "decision": decision,
        "output_json": json.dumps(decision.output, indent=2, ensure_ascii=False) if decision.output is not None else "",
        "total_tokens": decision.prompt_tokens + decision.completion_tokens,
    }
    return render(request, "ai/decisions_detail.html", context)
