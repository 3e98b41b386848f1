"""Prompt library and brand voice pages: roles, methods, bad input, diff preview, reset."""

import pytest
from django.urls import reverse

from apps.ai import prompts
from apps.ai.actions import do_save_brand_voice, do_save_prompt_override
from apps.ai.models import BrandVoice, PromptTemplate
from apps.projects.models import Project

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
SYSTEM = "You review captions for {{ agent }}."
USER = "Caption: {{ caption }}"


def url(name, org, key=None):
    return reverse(name, args=[org.slug] + ([key] if key else []))


def snapshot(org):
    return (
        list(
            PromptTemplate.objects.filter(organization=org)
            .order_by("id")
            .values_list("id", "active", "system_template")
        ),
        list(BrandVoice.objects.for_org(org).order_by("id").values_list("id", "voice")),
    )


@pytest.fixture
def project(org):
    return Project.objects.create(organization=org, name="Alpenglow", slug="alpenglow")


@pytest.mark.parametrize("name", ["prompt_edit", "prompt_diff", "prompt_reset"])
def test_unknown_prompt_key_is_404(client_for, org, owner, name):
    assert client_for(owner).post(url(name, org, "no-such-agent")).status_code == 404


# --- prompt list -----------------------------------------------------------------------------------


def test_list_shows_every_agent_with_badge_and_version(client_for, org, owner):
    template, _ = do_save_prompt_override(org, "script", system_template=SYSTEM, user_template=USER)
    prompts.mark_used(template)
    do_save_prompt_override(org, "script", system_template=SYSTEM + " v2", user_template=USER)
    page = client_for(owner).get(url("prompt_list", org)).content.decode()
    for key in ("research", "trend_format", "creative_director", "script", "compliance", "analytics_insight"):
        assert f'id="prompt-{key}"' in page
    row = page.split('id="prompt-script"')[1].split("</tr>")[0]
    assert "override" in row and "v2" in row and "Reset to default" in row
    other = page.split('id="prompt-research"')[1].split("</tr>")[0]
    assert ">default<" in other and "Reset to default" not in other


def test_editors_see_prompts_read_only(client_for, org, editor):
    page = client_for(editor).get(url("prompt_list", org)).content.decode()
    assert "Show prompt" in page and "Reset to default" not in page and "Edit override" not in page


# --- edit ------------------------------------------------------------------------------------------


def test_edit_form_starts_from_the_effective_template(client_for, org, owner):
    default = prompts.global_default("compliance")
    page = client_for(owner).get(url("prompt_edit", org, "compliance")).content.decode()
    assert "Same as the default." in page
    assert default.system_template.split(".")[0] in page


def test_saving_creates_an_override_and_redirects(client_for, org, owner):
    response = client_for(owner).post(
        url("prompt_edit", org, "compliance"), {"system_template": SYSTEM, "user_template": USER}
    )
    assert response.status_code == 302 and response["Location"] == url("prompt_list", org)
    override = prompts.org_override(org, "compliance")
    assert (override.system_template, override.user_template, override.version) == (SYSTEM, USER, 1)
    assert override.created_by == owner


def test_saving_a_used_override_makes_a_new_version(client_for, org, owner):
    first, _ = do_save_prompt_override(org, "compliance", system_template=SYSTEM, user_template=USER)
    prompts.mark_used(first)
    client = client_for(owner)
    client.post(url("prompt_edit", org, "compliance"), {"system_template": "Other", "user_template": USER})
    second = prompts.org_override(org, "compliance")
    assert second.version == 2
    assert "saving creates a new version" not in client.get(url("prompt_edit", org, "compliance")).content.decode()
    prompts.mark_used(second)
    page = client.get(url("prompt_edit", org, "compliance")).content.decode()
    assert "saving creates a new version" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"system_template": "", "user_template": USER}, "This field is required."),
        ({"system_template": "   ", "user_template": USER}, "must not be empty"),
        ({"system_template": SYSTEM, "user_template": "{% if %}"}, "syntax error"),
        ({"system_template": SYSTEM, "user_template": "{% load static %}"}, "syntax error"),
        ({"system_template": SYSTEM, "user_template": "x" * (prompts.MAX_TEMPLATE_CHARS + 1)}, "at most"),
    ],
)
def test_bad_input_is_400_with_errors_and_changes_nothing(client_for, org, owner, data, message):
    before = snapshot(org)
    response = client_for(owner).post(url("prompt_edit", org, "compliance"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot(org) == before


def test_bad_input_is_translated(client_for, org, owner):
    owner.language = "de"
    owner.save()
    response = client_for(owner).post(
        url("prompt_edit", org, "compliance"), {"system_template": SYSTEM, "user_template": "{% if %}"}
    )
    assert response.status_code == 400
    assert 'lang="de"' in response.content.decode()


def test_diff_preview_is_a_partial_and_saves_nothing(client_for, org, owner):
    default = prompts.global_default("compliance")
    before = snapshot(org)
    response = client_for(owner).post(
        url("prompt_diff", org, "compliance"),
        {
            "system_template": default.system_template + "\nAlways cite the rule.",
            "user_template": default.user_template,
        },
        **HX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="prompt-diff"')
    assert '<span class="diff-add">+Always cite the rule.</span>' in body
    assert "<html" not in body
    assert snapshot(org) == before


def test_diff_preview_of_a_broken_template_is_400(client_for, org, owner):
    response = client_for(owner).post(
        url("prompt_diff", org, "compliance"), {"system_template": SYSTEM, "user_template": "{% for %}"}, **HX
    )
    assert response.status_code == 400 and "syntax error" in response.content.decode()


def test_reset_deactivates_the_override(client_for, org, owner):
    do_save_prompt_override(org, "compliance", system_template=SYSTEM, user_template=USER)
    response = client_for(owner).post(url("prompt_reset", org, "compliance"))
    assert response.status_code == 302
    assert prompts.org_override(org, "compliance") is None
    assert PromptTemplate.objects.filter(organization=org, key="compliance").count() == 1  # kept, inactive


def test_another_orgs_override_is_invisible(client_for, org, other_org, outsider, owner):
    do_save_prompt_override(other_org, "compliance", system_template="Beta secret prompt", user_template=USER)
    page = client_for(owner).get(url("prompt_edit", org, "compliance")).content.decode()
    assert "Beta secret prompt" not in page
    client_for(owner).post(url("prompt_reset", org, "compliance"))
    assert prompts.org_override(other_org, "compliance") is not None


# --- brand voice -----------------------------------------------------------------------------------


def test_brand_voice_for_org_and_project(client_for, org, owner, project):
    client = client_for(owner)
    response = client.post(url("brand_voice", org), {"voice": "Warm", "tone": "locker", "do_list": "", "dont_list": ""})
    assert response.status_code == 302
    response = client.post(url("brand_voice", org), {"project": project.slug, "voice": "Alpine", "dont_list": "Preise"})
    assert response.status_code == 302 and response["Location"].endswith("?project=alpenglow")
    voices = {v.project_id: v for v in BrandVoice.objects.for_org(org)}
    assert voices[None].voice == "Warm" and voices[project.id].dont_list == "Preise"
    page = client.get(url("brand_voice", org) + "?project=alpenglow").content.decode()
    assert "Alpine" in page and "Warm" not in page.split('id="voice-form"')[1].split("</section>")[0]
    partial = client.get(url("brand_voice", org) + "?project=alpenglow", **HX).content.decode()
    assert partial.lstrip().startswith('<section id="voice-form"')


def test_brand_voice_bad_input(client_for, org, owner, other_org):
    do_save_brand_voice(org, voice="Kept")
    foreign = Project.objects.create(organization=other_org, name="Foreign", slug="foreign")
    client = client_for(owner)
    before = snapshot(org)
    response = client.post(url("brand_voice", org), {"project": foreign.slug, "voice": "x"})
    assert response.status_code == 400
    response = client.post(url("brand_voice", org), {"tone": "t" * 201})
    assert response.status_code == 400
    assert snapshot(org) == before
    assert client.get(url("brand_voice", org) + "?project=foreign").status_code == 404
