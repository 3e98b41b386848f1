"""Writes of the AI control plane: prompt overrides and global defaults, brand voice, agent routes.

Prompt versions: a template that was never used is edited in place; a used one (`used_at`) is
frozen, so saving different texts creates the next version and deactivates the old one (one
active template per organization and key). Resetting an override deactivates it: the global
default applies again. Every rule violation raises `AIRuleError` with a translated message and
changes nothing.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from apps.ai.contracts import AGENTS
from apps.ai.models import AgentRoute, BrandVoice, PromptTemplate
from apps.ai.prompts import PromptError, check_template_source, is_changed
from apps.projects.actions import ProjectError, do_save_brand_kit


class AIRuleError(Exception):
    """A write the rules do not allow; the message is translated and meant for the user."""


def _known_prompt_key(key: str) -> None:
    if key not in {spec.prompt_key for spec in AGENTS.values()}:
        raise AIRuleError(_("There is no prompt with the key %(key)s.") % {"key": key})


def _check_texts(system_template: str, user_template: str) -> None:
    if not system_template.strip() or not user_template.strip():
        raise AIRuleError(_("Both the system prompt and the user prompt are required."))
    for source in (system_template, user_template):
        try:
            check_template_source(source)
        except PromptError as exc:
            raise AIRuleError(str(exc)) from None


def _scope(org) -> dict:
    return {"organization__isnull": True} if org is None else {"organization": org}


def _save_version(org, key: str, system_template: str, user_template: str, model_hints, actor):
    """Edit the active template (of `org`, or the global one) in place if unused, else add the
    next version and deactivate the old one. Returns (template, changed)."""
    rows = PromptTemplate.objects.filter(key=key, **_scope(org))
    current = rows.filter(active=True).select_for_update().first()
    if current is not None:
        hints = current.model_hints if model_hints is None else model_hints
        if not is_changed(current, system_template, user_template) and hints == current.model_hints:
            return current, False
        if current.used_at is None:
            current.system_template, current.user_template, current.model_hints = (
                system_template,
                user_template,
                hints,
            )
            current.save(update_fields=["system_template", "user_template", "model_hints"])
            return current, True
        rows.filter(pk=current.pk).update(active=False)
    latest = rows.aggregate(latest=Max("version"))["latest"] or 0
    template = PromptTemplate.objects.create(
        organization=org,
        key=key,
        version=latest + 1,
        system_template=system_template,
        user_template=user_template,
        model_hints=(current.model_hints if current is not None and model_hints is None else model_hints or {}),
        active=True,
        created_by=actor,
    )
    return template, True


def _concurrent_save(save, *args):
    try:
        with transaction.atomic():
            return save(*args)
    except IntegrityError:  # two saves raced for the next version number or the active flag
        raise AIRuleError(
            _("Someone else changed this prompt at the same moment. Reload the page and try again.")
        ) from None


def do_save_prompt_override(org, key: str, *, system_template: str, user_template: str, actor=None):
    """Save the organization's override of prompt `key`. Returns (template, changed)."""
    _known_prompt_key(key)
    _check_texts(system_template, user_template)
    return _concurrent_save(_save_version, org, key, system_template, user_template, None, actor)


@transaction.atomic
def do_reset_prompt_override(org, key: str, *, actor=None) -> bool:
    """Stop using the organization's override (deactivated, kept for the record). True if there was one."""
    _known_prompt_key(key)
    return bool(PromptTemplate.objects.filter(organization=org, key=key, active=True).update(active=False))


def do_save_global_prompt(key: str, *, system_template: str, user_template: str, model_hints=None, actor=None):
    """Staff: save the global default of prompt `key`. Returns (template, changed)."""
    _check_texts(system_template, user_template)
    if model_hints is not None and not isinstance(model_hints, dict):
        raise AIRuleError(_("Model hints must be a JSON object."))
    return _concurrent_save(_save_version, None, key, system_template, user_template, model_hints, actor)


@transaction.atomic
def do_add_prompt_version(org, key: str, *, system_template: str, user_template: str, model_hints=None, actor=None):
    """Always a new version (of `org`'s override, or the global default when `org` is None); it
    becomes the active one and the previous active version is deactivated (Django admin)."""
    _check_texts(system_template, user_template)
    rows = PromptTemplate.objects.filter(key=key, **_scope(org))
    list(rows.select_for_update())
    rows.filter(active=True).update(active=False)
    latest = rows.aggregate(latest=Max("version"))["latest"] or 0
    return PromptTemplate.objects.create(
        organization=org,
        key=key,
        version=latest + 1,
        system_template=system_template,
        user_template=user_template,
        model_hints=model_hints or {},
        active=True,
        created_by=actor,
    )


@transaction.atomic
def do_activate_prompt_version(template: PromptTemplate) -> PromptTemplate:
    """Make an older version the active one again (staff, admin)."""
    scope = (
        {"organization__isnull": True}
        if template.organization_id is None
        else {"organization": template.organization_id}
    )
    PromptTemplate.objects.filter(key=template.key, active=True, **scope).exclude(pk=template.pk).update(active=False)
    PromptTemplate.objects.filter(pk=template.pk, **scope).update(active=True)
    template.active = True
    return template


# --- brand voice -----------------------------------------------------------------------------

VOICE_FIELDS = ("voice", "tone", "do_list", "dont_list")


@transaction.atomic
def do_save_brand_voice(org, project=None, *, voice="", tone="", do_list="", dont_list="") -> BrandVoice | None:
    """Set the organization's (or one project's) brand voice. All fields empty removes it."""
    if project is not None and project.organization_id != org.id:
        raise AIRuleError(_("This project belongs to another organization."))
    values = {"voice": voice.strip(), "tone": tone.strip(), "do_list": do_list.strip(), "dont_list": dont_list.strip()}
    scope = (
        BrandVoice.objects.for_org(org).filter(project=project)
        if project
        else BrandVoice.objects.for_org(org).filter(project__isnull=True)
    )
    if not any(values.values()):
        scope.delete()
        return None
    current = scope.select_for_update().first()
    if current is None:
        return BrandVoice.objects.create(organization=org, project=project, **values)
    for name, value in values.items():
        setattr(current, name, value)
    current.save()
    return current


# --- routes ---------------------------------------------------------------------------------


@transaction.atomic
def do_save_agent_route(
    org,
    agent: str,
    *,
    project=None,
    provider: str = AgentRoute.ProviderName.OFFLINE,
    model: str = "",
    fallback_models=(),
    escalation_model: str = "",
    escalate_below: float = 0.5,
) -> AgentRoute:
    """Create or change the route of `agent` for the organization (or one project)."""
    if agent not in AGENTS:
        raise AIRuleError(_("There is no agent %(agent)s.") % {"agent": agent})
    if project is not None and project.organization_id != org.id:
        raise AIRuleError(_("This project belongs to another organization."))
    if provider not in AgentRoute.ProviderName.values:
        raise AIRuleError(_("Unknown provider %(provider)s.") % {"provider": provider})
    if not 0 <= float(escalate_below) <= 1:
        raise AIRuleError(_("The escalation threshold must be between 0 and 1."))
    fallbacks = [m.strip() for m in fallback_models if isinstance(m, str) and m.strip()]
    values = {
        "provider": provider,
        "model": model.strip(),
        "fallback_models": fallbacks,
        "escalation_model": escalation_model.strip(),
        "escalate_below": float(escalate_below),
    }
    route = (
        AgentRoute.objects.for_org(org).filter(project=project, agent=agent).first()
        if project is not None
        else AgentRoute.objects.for_org(org).filter(project__isnull=True, agent=agent).first()
    )
    if route is None:
        return AgentRoute.objects.create(organization=org, project=project, agent=agent, **values)
    for name, value in values.items():
        setattr(route, name, value)
    route.save()
    return route


@transaction.atomic
def do_delete_agent_route(org, agent: str, *, project=None) -> bool:
    rows = AgentRoute.objects.for_org(org).filter(agent=agent)
    rows = rows.filter(project=project) if project is not None else rows.filter(project__isnull=True)
    return bool(rows.delete()[0])


# --- a project's brand kit and routes (the AI sections of the project settings) -----------------


def do_save_project_brand(project, *, voice="", tone="", do_list="", dont_list="", **brand_kit):
    """The brand kit (apps.projects) and the project's brand voice, in one transaction."""

    def save_voice():
        try:
            do_save_brand_voice(
                project.organization, project, voice=voice, tone=tone, do_list=do_list, dont_list=dont_list
            )
        except AIRuleError as exc:
            raise ProjectError(str(exc)) from None

    return do_save_brand_kit(project, also=save_voice, **brand_kit)


@transaction.atomic
def do_save_project_routes(project, routes: dict) -> None:
    """Per agent: a dict (provider, model, escalation_model, escalate_below) saves the project's
    own route; None removes it, so the organization's route or the default applies."""
    org = project.organization
    for agent, route in routes.items():
        try:
            if route is None:
                do_delete_agent_route(org, agent, project=project)
            else:
                do_save_agent_route(
                    org,
                    agent,
                    project=project,
                    provider=route["provider"],
                    model=route.get("model", ""),
                    escalation_model=route.get("escalation_model", ""),
                    escalate_below=route.get("escalate_below", 0.5),
                )
        except AIRuleError as exc:
            raise ProjectError(str(exc), f"{agent}-provider") from None
