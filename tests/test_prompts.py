"""The prompt library: effective template, composition, versions and immutability, routing, admin."""

import pytest
from django.contrib import admin
from django.urls import reverse

from apps.ai import prompts
from apps.ai.actions import (
    AIRuleError,
    do_reset_prompt_override,
    do_save_agent_route,
    do_save_brand_voice,
    do_save_global_prompt,
    do_save_prompt_override,
)
from apps.ai.contracts import AGENTS
from apps.ai.default_prompts import DEFAULT_PROMPTS
from apps.ai.models import AgentRoute, BrandVoice, PromptTemplate
from apps.ai.routing import build_provider, close_pooled_providers, resolve_route
from apps.projects.models import Project
from tests.support.accounts import make_user
from tests.support.credentials import add

pytestmark = pytest.mark.django_db

SYSTEM = "You check captions. Be strict."
USER = "Check: {{ caption }}\n{{ inputs_json }}"


@pytest.fixture
def project(org):
    return Project.objects.create(organization=org, name="Alpenglow", slug="alpenglow")


def active(org, key):
    scope = {"organization": org} if org else {"organization__isnull": True}
    return PromptTemplate.objects.filter(key=key, active=True, **scope)


# --- defaults and resolution --------------------------------------------------------------------


def test_every_agent_has_a_seeded_global_default():
    keys = {spec.prompt_key for spec in AGENTS.values()}
    assert keys <= set(DEFAULT_PROMPTS)
    seeded = set(PromptTemplate.objects.filter(organization__isnull=True, active=True).values_list("key", flat=True))
    assert keys <= seeded


def test_missing_default_is_installed_from_the_built_in_texts():
    PromptTemplate.objects.filter(organization__isnull=True, key="script").delete()
    template = prompts.global_default("script")
    assert template.version == 1 and template.organization_id is None
    assert template.system_template == DEFAULT_PROMPTS["script"]["system"]


def test_override_beats_default_only_while_active(org, other_org):
    default = prompts.effective_template(org, "compliance")
    assert default.organization_id is None
    override, changed = do_save_prompt_override(org, "compliance", system_template=SYSTEM, user_template=USER)
    assert changed and prompts.effective_template(org, "compliance") == override
    assert prompts.effective_template(other_org, "compliance") == default
    assert do_reset_prompt_override(org, "compliance")
    assert prompts.effective_template(org, "compliance") == default
    assert not do_reset_prompt_override(org, "compliance")


def test_compose_orders_template_voice_language_schema(org, project):
    do_save_brand_voice(org, voice="Org voice", do_list="Use du\n- short sentences")
    do_save_brand_voice(org, project, tone="calm")
    do_save_prompt_override(org, "compliance", system_template=SYSTEM, user_template=USER)
    prompt = prompts.compose(org, AGENTS["compliance"], {"caption": "Hallo"}, project=project, language="en")
    system = prompt.system
    order = [
        system.index(s)
        for s in (
            SYSTEM,
            "Org voice",
            "- Use du",
            "- short sentences",
            "Tone: calm",
            "Write in English.",
            "JSON schema",
        )
    ]
    assert order == sorted(order)
    assert prompt.user.startswith("Check: Hallo")
    assert '"caption": "Hallo"' in prompt.user
    assert [m.role for m in prompt.messages] == ["system", "user"]


def test_compose_without_voice_or_project(org):
    prompt = prompts.compose(org, AGENTS["script"], {"brief": "Herbst"}, language="de")
    assert "Brand voice" not in prompt.system and "Write in German." in prompt.system


def test_templates_are_not_html_escaped(org):
    do_save_prompt_override(org, "compliance", system_template=SYSTEM, user_template="{{ caption }}")
    prompt = prompts.compose(org, AGENTS["compliance"], {"caption": 'Tom & Jerry <3 "quotes"'})
    assert prompt.user == 'Tom & Jerry <3 "quotes"'


def test_templates_cannot_include_files(org):
    with pytest.raises(AIRuleError):
        do_save_prompt_override(org, "compliance", system_template=SYSTEM, user_template="{% load static %}")
    do_save_prompt_override(org, "compliance", system_template=SYSTEM, user_template='{% include "_base.html" %}')
    with pytest.raises(prompts.PromptError):
        prompts.compose(org, AGENTS["compliance"], {})


def test_knowledge_is_rendered_into_the_default_user_prompt(org):
    prompt = prompts.compose(org, AGENTS["script"], {"brief": "x"}, knowledge=["Never mention prices."])
    assert "- Never mention prices." in prompt.user


# --- versions and immutability ------------------------------------------------------------------


def test_unused_override_is_edited_in_place(org):
    first, _ = do_save_prompt_override(org, "compliance", system_template=SYSTEM, user_template=USER)
    second, changed = do_save_prompt_override(org, "compliance", system_template=SYSTEM + "!", user_template=USER)
    assert changed and second.pk == first.pk and second.version == 1
    same, changed = do_save_prompt_override(org, "compliance", system_template=SYSTEM + "!", user_template=USER)
    assert not changed and same.pk == first.pk


def test_used_override_becomes_a_new_version(org):
    first, _ = do_save_prompt_override(org, "compliance", system_template=SYSTEM, user_template=USER)
    prompts.mark_used(first)
    second, changed = do_save_prompt_override(org, "compliance", system_template="New", user_template=USER)
    assert changed and second.version == 2 and second.pk != first.pk
    first.refresh_from_db()
    assert first.active is False and first.system_template == SYSTEM
    assert list(active(org, "compliance")) == [second]


def test_reset_then_edit_continues_the_version_line(org):
    first, _ = do_save_prompt_override(org, "compliance", system_template=SYSTEM, user_template=USER)
    prompts.mark_used(first)
    do_reset_prompt_override(org, "compliance")
    again, _ = do_save_prompt_override(org, "compliance", system_template=SYSTEM, user_template=USER)
    assert again.version == 2


def test_a_used_template_refuses_in_place_changes(org):
    template, _ = do_save_prompt_override(org, "compliance", system_template=SYSTEM, user_template=USER)
    prompts.mark_used(template)
    template.refresh_from_db()
    template.system_template = "sneaky edit"
    with pytest.raises(prompts.PromptTemplateImmutable):
        template.save()
    template.refresh_from_db()
    assert template.system_template == SYSTEM
    template.active = False
    template.save()  # (de)activating is allowed


@pytest.mark.parametrize(
    ("system", "user", "message"),
    [
        ("", USER, "required"),
        (SYSTEM, "   ", "required"),
        (SYSTEM, "{% if %}", "syntax error"),
        ("x" * (prompts.MAX_TEMPLATE_CHARS + 1), USER, "at most"),
    ],
)
def test_bad_templates_are_refused_and_change_nothing(org, system, user, message):
    with pytest.raises(AIRuleError, match=message):
        do_save_prompt_override(org, "compliance", system_template=system, user_template=user)
    assert not PromptTemplate.objects.filter(organization=org).exists()


def test_unknown_prompt_key_is_refused(org):
    with pytest.raises(AIRuleError):
        do_save_prompt_override(org, "nope", system_template=SYSTEM, user_template=USER)


def test_global_default_versions(org):
    default = prompts.global_default("qa_judge")
    prompts.mark_used(default)
    new, changed = do_save_global_prompt("qa_judge", system_template="Judge harder.", user_template=USER)
    assert changed and new.version == default.version + 1 and new.organization_id is None
    assert prompts.effective_template(org, "qa_judge") == new


def test_diff_against_the_default(org):
    default = prompts.global_default("compliance")
    diff = prompts.template_diff(default, default.system_template + "\nExtra rule.", default.user_template)
    assert diff["user"] == []
    kinds = {line.kind for line in diff["system"]}
    assert {"header", "hunk", "add"} <= kinds
    assert any(line.text == "+Extra rule." for line in diff["system"])


# --- brand voice --------------------------------------------------------------------------------


def test_brand_voice_save_update_and_remove(org, project, other_org):
    voice = do_save_brand_voice(org, voice="A", tone="B")
    again = do_save_brand_voice(org, voice="C")
    assert again.pk == voice.pk and (again.voice, again.tone) == ("C", "")
    do_save_brand_voice(org, project, voice="P")
    assert BrandVoice.objects.for_org(org).count() == 2
    assert do_save_brand_voice(org) is None
    assert list(BrandVoice.objects.for_org(org).values_list("project", flat=True)) == [project.id]
    foreign = Project.objects.create(organization=other_org, name="X", slug="x")
    with pytest.raises(AIRuleError):
        do_save_brand_voice(org, foreign, voice="no")


# --- routing ------------------------------------------------------------------------------------


def test_default_route_is_offline_without_a_key(org):
    route = resolve_route(org, "script")
    assert route.provider == "offline" and route.source == "default"
    assert build_provider(route).name == "offline"


def test_default_route_is_openrouter_cheap_with_a_key(org, settings):
    add(org, "openrouter")
    route = resolve_route(org, "script")
    assert (route.provider, route.model, route.escalation_model) == (
        "openrouter",
        settings.VF_DEFAULT_CHEAP_MODEL,
        settings.VF_DEFAULT_STRONG_MODEL,
    )
    assert route.escalate_below == settings.VF_AI_ESCALATE_BELOW
    provider = build_provider(route)
    assert provider.name == "openrouter" and build_provider(route) is provider  # pooled
    close_pooled_providers()


def test_project_route_beats_org_route(org, project):
    add(org, "openrouter")
    do_save_agent_route(org, "script", provider="openrouter", model="org/model")
    do_save_agent_route(
        org, "script", project=project, provider="openrouter", model="project/model", fallback_models=["fb/1"]
    )
    assert resolve_route(org, "script").model == "org/model"
    route = resolve_route(org, "script", project)
    assert (route.model, route.fallback_models, route.source) == ("project/model", ("fb/1",), "project")
    assert resolve_route(org, "research", project).source == "default"


def test_offline_route_and_openrouter_route_without_key(org):
    do_save_agent_route(org, "script", provider="offline")
    assert resolve_route(org, "script").provider == "offline"
    do_save_agent_route(org, "script", provider="openrouter", model="m")
    route = resolve_route(org, "script")
    assert route.provider == "offline" and "missing" in route.note
    assert resolve_route(org, "script", check_credential=False).model == "m"


def test_route_rules(org):
    with pytest.raises(AIRuleError):
        do_save_agent_route(org, "nope")
    with pytest.raises(AIRuleError):
        do_save_agent_route(org, "script", escalate_below=2)
    assert not AgentRoute.objects.for_org(org).exists()


# --- admin --------------------------------------------------------------------------------------


@pytest.fixture
def staff(client, db):
    client.force_login(make_user("staff@viralforge.test", is_staff=True, is_superuser=True))
    return client


def _form(template, **changes):
    data = {
        "system_template": template.system_template,
        "user_template": template.user_template,
        "model_hints": "{}",
        "active": "on" if template.active else "",
    }
    return data | changes


def test_admin_edit_of_a_used_default_creates_a_new_version(staff):
    default = prompts.global_default("research")
    prompts.mark_used(default)
    response = staff.post(
        reverse("admin:ai_prompttemplate_change", args=[default.pk]), _form(default, system_template="Research better.")
    )
    assert response.status_code == 302
    new = active(None, "research").get()
    assert response["Location"] == reverse("admin:ai_prompttemplate_change", args=[new.pk])
    assert new.version == default.version + 1 and new.system_template == "Research better."
    default.refresh_from_db()
    assert default.system_template != "Research better." and not default.active


def test_admin_edit_of_an_unused_default_is_in_place(staff):
    default = prompts.global_default("research")
    response = staff.post(
        reverse("admin:ai_prompttemplate_change", args=[default.pk]), _form(default, user_template="{{ brief }}")
    )
    assert response.status_code == 302
    default.refresh_from_db()
    assert default.user_template == "{{ brief }}" and default.active


def test_admin_add_makes_the_next_active_version(staff):
    default = prompts.global_default("script")
    data = _form(default, system_template="v-next") | {"organization": "", "key": "script"}
    response = staff.post(reverse("admin:ai_prompttemplate_add"), data)
    assert response.status_code == 302
    new = active(None, "script").get()
    assert new.version == default.version + 1 and new.system_template == "v-next"


def test_admin_registers_every_ai_model():
    from apps.ai import models

    for model in (
        models.PromptTemplate,
        models.BrandVoice,
        models.AgentRoute,
        models.AIDecision,
        models.KnowledgeDoc,
        models.KnowledgeChunk,
        models.SimilarityEntry,
    ):
        assert model in admin.site._registry
    assert not admin.site._registry[models.AIDecision].has_add_permission(None)
    assert "embedding" in admin.site._registry[models.KnowledgeChunk].exclude
