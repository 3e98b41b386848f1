"""The prompt library: which template an agent uses, and how its messages are composed.

    template = effective_template(org, "script")           # the org's active override, else the global default
    prompt = compose(org, AGENTS["script"], inputs, project=project, language="de")
    prompt.messages                                         # (system, user) for an LLMRequest

System prompt = the template's system text + brand voice (the organization's, then the
project's; both when present) + the language instruction + the JSON-schema instruction.
The user prompt is the template's user text rendered with the inputs.

Templates are versioned: once the orchestrator used one (`used_at`), its texts are frozen.
Editing then creates the next version and deactivates the old one (apps.ai.actions); a
`pre_save` guard here refuses any other change to a used template's texts.
"""

from __future__ import annotations

import difflib
import functools
import json
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.template import Context, Engine, TemplateSyntaxError
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import BaseModel

from apps.ai.default_prompts import default_prompt
from apps.ai.models import BrandVoice, PromptTemplate
from apps.ai.types import Message

logger = logging.getLogger("viralforge.ai")

# Prompts are plain text for a model: no HTML escaping, no template loaders (no include/extends
# of files), only Django's built-in tags and filters.
ENGINE = Engine(autoescape=False, debug=False, libraries={}, loaders=[])
FROZEN_FIELDS = ("organization_id", "key", "version", "system_template", "user_template", "model_hints")
MAX_TEMPLATE_CHARS = 20_000

LANGUAGE_NAMES = {"de": "German", "en": "English"}


class PromptError(Exception):
    """A template cannot be used or saved; the message is translated and meant for the user."""


class PromptTemplateImmutable(PromptError):
    """A used template's texts were changed in place (create a new version instead)."""


# --- which template -----------------------------------------------------------------------


def global_default(key: str) -> PromptTemplate:
    """The active global default for `key`; installed from the built-in texts when missing."""
    template = PromptTemplate.objects.filter(organization__isnull=True, key=key, active=True).first()
    if template is not None:
        return template
    latest = PromptTemplate.objects.filter(organization__isnull=True, key=key).order_by("-version").first()
    texts = default_prompt(key)
    try:
        with transaction.atomic():
            return PromptTemplate.objects.create(
                organization=None,
                key=key,
                version=(latest.version + 1) if latest else 1,
                system_template=latest.system_template if latest else texts["system"],
                user_template=latest.user_template if latest else texts["user"],
                model_hints=latest.model_hints if latest else {},
                active=True,
            )
    except IntegrityError:  # created concurrently
        return PromptTemplate.objects.filter(organization__isnull=True, key=key, active=True).get()


def org_override(org, key: str) -> PromptTemplate | None:
    return PromptTemplate.objects.filter(organization=org, key=key, active=True).first()


def effective_template(org, key: str) -> PromptTemplate:
    """The organization's active override for `key`, else the global default (one query)."""
    candidates = PromptTemplate.objects.filter(
        Q(organization=org) | Q(organization__isnull=True), key=key, active=True
    ).order_by(F("organization").asc(nulls_last=True))[:1]
    for template in candidates:
        return template
    return global_default(key)


# --- rendering ----------------------------------------------------------------------------


def check_template_source(source: str) -> None:
    """Raise PromptError (translated) when `source` is not a usable template."""
    if len(source) > MAX_TEMPLATE_CHARS:
        raise PromptError(_("A prompt may have at most %(limit)s characters.") % {"limit": f"{MAX_TEMPLATE_CHARS:,}"})
    try:
        ENGINE.from_string(source)
    except TemplateSyntaxError as exc:
        raise PromptError(_("The template has a syntax error: %(error)s") % {"error": exc}) from None


@functools.lru_cache(maxsize=256)
def _compiled(source: str):
    # Compiled once per text (a template version's texts never change once used): parsing is most of
    # the CPU a prompt costs, and a brief renders the same template for every variant.
    return ENGINE.from_string(source)


def render_text(source: str, context: dict) -> str:
    """Render a prompt template; raises PromptError (translated) when it cannot be rendered."""
    try:
        return _compiled(source).render(Context(context, autoescape=False)).strip()
    except Exception as exc:  # a user-edited template: syntax errors, failing filters
        raise PromptError(_("The prompt template could not be rendered: %(error)s") % {"error": exc}) from None


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def template_context(agent: str, inputs: dict, language: str, knowledge: list[str]) -> dict:
    context = {key: value for key, value in inputs.items() if isinstance(key, str) and key.isidentifier()}
    return context | {
        "inputs": inputs,
        "inputs_json": json.dumps(inputs, indent=2, ensure_ascii=False, sort_keys=True, default=str),
        "language": language,
        "language_name": LANGUAGE_NAMES.get(language, language),
        "agent": agent,
        "knowledge": knowledge,
    }


# --- composition --------------------------------------------------------------------------


def brand_voices(org, project=None) -> list[BrandVoice]:
    """The organization's voice, then the project's (each only if it exists)."""
    scope = Q(project__isnull=True) | Q(project=project) if project is not None else Q(project__isnull=True)
    return list(BrandVoice.objects.for_org(org).filter(scope).order_by(F("project").asc(nulls_first=True)))


def brand_voice_text(voices: list[BrandVoice], project=None) -> str:
    parts = []
    for voice in voices:
        lines = []
        if voice.voice.strip():
            lines.append(f"Voice: {voice.voice.strip()}")
        if voice.tone.strip():
            lines.append(f"Tone: {voice.tone.strip()}")
        if voice.do_list.strip():
            lines.append("Do:\n" + _bullets(voice.do_list))
        if voice.dont_list.strip():
            lines.append("Don't:\n" + _bullets(voice.dont_list))
        if not lines:
            continue
        title = "Brand voice of the organization" if voice.project_id is None else "Brand voice of this project"
        if voice.project_id is not None and project is not None:
            title += f" ({project.name}); it refines the organization's voice"
        parts.append(f"{title}:\n" + "\n".join(lines))
    return "\n\n".join(parts)


def _bullets(text: str) -> str:
    return "\n".join(f"- {line.strip().lstrip('-•* ').strip()}" for line in text.splitlines() if line.strip())


def language_instruction(language: str) -> str:
    name = LANGUAGE_NAMES.get(language, language)
    return f"Write in {name}. Every text field meant for the audience must be in {name}."


@functools.lru_cache(maxsize=64)
def schema_instruction(output_model: type[BaseModel]) -> str:
    schema = json.dumps(output_model.model_json_schema(), ensure_ascii=False, separators=(",", ":"))
    return (
        "Answer with one JSON object that validates against this JSON schema, and nothing else "
        "(no prose, no code fences). Set `confidence` (0 to 1) to how sure you are that the answer "
        "meets the brief, and explain the main choices in `rationale`.\n"
        f"JSON schema: {schema}"
    )


@dataclass(frozen=True)
class ComposedPrompt:
    template: PromptTemplate
    system: str
    user: str

    @property
    def messages(self) -> tuple[Message, ...]:
        return (Message("system", self.system), Message("user", self.user))

    @property
    def chars(self) -> int:
        return len(self.system) + len(self.user)


def compose(
    org,
    spec,
    inputs: dict,
    *,
    project=None,
    language: str = "de",
    knowledge: list[str] | None = None,
    template: PromptTemplate | None = None,
    voices: list[BrandVoice] | None = None,
) -> ComposedPrompt:
    """The messages for one call of the agent `spec` (an apps.ai.contracts.AgentSpec).

    `template` and `voices` (`brand_voices(org, project)`) may be passed when the caller has them.
    Raises PromptError (translated) when the template cannot be rendered.
    """
    template = template or effective_template(org, spec.prompt_key)
    context = template_context(spec.key, inputs, language, list(knowledge or []))
    parts = [render_text(template.system_template, context)]
    voice = brand_voice_text(brand_voices(org, project) if voices is None else voices, project)
    if voice:
        parts.append(voice)
    parts.append(language_instruction(language))
    parts.append(schema_instruction(spec.output_model))
    system = "\n\n".join(part for part in parts if part)
    user = render_text(template.user_template, context)
    return ComposedPrompt(template=template, system=system, user=user)


def mark_used(template: PromptTemplate) -> None:
    """Freeze the template: the orchestrator sent it to a provider."""
    if template.used_at is not None:
        return
    now = timezone.now()
    scope = (
        {"organization__isnull": True}
        if template.organization_id is None
        else {"organization": template.organization_id}
    )
    # Only if the stored texts are still the ones this run composed from (an unused template
    # may have been edited in place meanwhile).
    marked = PromptTemplate.objects.filter(
        pk=template.pk,
        used_at__isnull=True,
        system_template=template.system_template,
        user_template=template.user_template,
        **scope,
    ).update(used_at=now)
    if not marked and not PromptTemplate.objects.filter(pk=template.pk, used_at__isnull=False, **scope).exists():
        logger.warning(
            "Prompt %s v%s was edited while a run used it; not marked as used.", template.key, template.version
        )
    template.used_at = now


# --- the immutability guard ----------------------------------------------------------------


@receiver(pre_save, sender=PromptTemplate, dispatch_uid="ai_prompt_template_immutable")
def _refuse_changes_to_used_templates(sender, instance: PromptTemplate, raw=False, **kwargs):
    if raw or instance._state.adding:
        return
    stored = PromptTemplate.objects.unscoped().filter(pk=instance.pk).values(*FROZEN_FIELDS, "used_at").first()
    if stored is None or stored["used_at"] is None:
        return
    if any(stored[name] != getattr(instance, name) for name in FROZEN_FIELDS):
        raise PromptTemplateImmutable(
            _("This prompt version was already used and cannot be changed. Save it as a new version instead.")
        )


def is_changed(template: PromptTemplate, system_template: str, user_template: str) -> bool:
    return template.system_template != system_template or template.user_template != user_template


# --- diffs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "add" | "remove" | "context" | "header" | "hunk"
    text: str


def unified_diff(old: str, new: str, *, old_label: str, new_label: str, context: int = 3) -> list[DiffLine]:
    """A unified diff (difflib) as typed lines, ready for a template."""
    lines = []
    for line in difflib.unified_diff(
        old.splitlines(), new.splitlines(), fromfile=old_label, tofile=new_label, lineterm="", n=context
    ):
        if line.startswith(("---", "+++")):
            kind = "header"
        elif line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "remove"
        else:
            kind = "context"
        lines.append(DiffLine(kind, line))
    return lines


def template_diff(default: PromptTemplate, system_template: str, user_template: str) -> dict[str, list[DiffLine]]:
    """Per field: how these texts differ from the global default (empty lists: identical)."""
    label = f"default v{default.version}"
    return {
        "system": unified_diff(default.system_template, system_template, old_label=label, new_label="override"),
        "user": unified_diff(default.user_template, user_template, old_label=label, new_label="override"),
    }
