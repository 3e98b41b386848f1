"""Staff pages of the AI control plane.

Prompt templates: staff edit the global defaults (organization empty) here. A template that was
used is immutable, so saving changed texts creates the next version (and deactivates the old
one); adding a template always adds the next version of its key. Decisions, knowledge and the
similarity memory are read-only records (embeddings are never displayed).
"""

import json

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.ai import actions
from apps.ai.models import (
    AgentRoute,
    AIDecision,
    BrandVoice,
    KnowledgeChunk,
    KnowledgeDoc,
    PromptTemplate,
    SimilarityEntry,
)
from apps.ai.prompts import FROZEN_FIELDS, PromptError, check_template_source
from apps.orgs.admin import ReadOnlyTenantAdmin, TenantAdmin


class PromptTemplateForm(forms.ModelForm):
    class Meta:
        model = PromptTemplate
        fields = ["organization", "key", "active", "system_template", "user_template", "model_hints"]

    def _template(self, name: str) -> str:
        value = self.cleaned_data[name]
        try:
            check_template_source(value)
        except PromptError as exc:
            raise forms.ValidationError(str(exc)) from None
        return value

    def clean_system_template(self) -> str:
        return self._template("system_template")

    def clean_user_template(self) -> str:
        return self._template("user_template")

    def _get_validation_exclusions(self):
        # The version number and the one-active-per-key rule are settled when saving (adding, or
        # changing a used template, makes the next version and deactivates the previous one), so
        # the model's constraints on (organization, key, ...) are not checked against the form.
        return super()._get_validation_exclusions() | {"organization"}


@admin.register(PromptTemplate)
class PromptTemplateAdmin(TenantAdmin):
    form = PromptTemplateForm
    list_display = ["key", "organization", "version", "active", "used_at", "created_at"]
    list_filter = ["active", ("organization", admin.EmptyFieldListFilter), "key"]
    search_fields = ["key", "organization__name", "organization__slug", "system_template"]
    list_select_related = ["organization"]
    raw_id_fields = ["organization", "created_by"]
    fields = ["organization", "key", "version", "active", "system_template", "user_template", "model_hints"]
    readonly_fields = ["version", "used_at", "created_by", "created_at"]

    def get_fields(self, request, obj=None):
        return self.fields + (["used_at", "created_by", "created_at"] if obj is not None else [])

    def get_readonly_fields(self, request, obj=None):
        # Organization and key identify the version line; they never change after adding.
        return self.readonly_fields + (["organization", "key"] if obj is not None else [])

    @staticmethod
    def _add_version(request, obj) -> PromptTemplate:
        return actions.do_add_prompt_version(
            obj.organization,
            obj.key,
            system_template=obj.system_template,
            user_template=obj.user_template,
            model_hints=obj.model_hints,
            actor=request.user,
        )

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        if not change:
            template = self._add_version(request, obj)
            obj.pk, obj.version, obj.active, obj._state.adding = template.pk, template.version, True, False
            return
        stored = PromptTemplate.objects.unscoped().select_for_update().get(pk=obj.pk)
        texts_changed = any(getattr(stored, name) != getattr(obj, name) for name in FROZEN_FIELDS)
        if stored.used_at is not None and texts_changed:
            template = self._add_version(request, obj)
            request._vf_new_prompt_version = template
            self.message_user(
                request,
                _("Version %(old)s was already used, so the changes were saved as version %(new)s.")
                % {"old": stored.version, "new": template.version},
                messages.INFO,
            )
            return
        if obj.active and not stored.active:
            actions.do_activate_prompt_version(stored)
        super().save_model(request, obj, form, change)

    def response_change(self, request, obj):
        new = getattr(request, "_vf_new_prompt_version", None)
        if new is not None:
            return HttpResponseRedirect(reverse("admin:ai_prompttemplate_change", args=[new.pk]))
        return super().response_change(request, obj)


@admin.register(BrandVoice)
class BrandVoiceAdmin(TenantAdmin):
    list_display = ["organization", "project", "tone", "updated_at"]
    search_fields = ["organization__name", "organization__slug", "project__name", "tone"]
    list_select_related = ["organization", "project"]
    raw_id_fields = ["organization", "project"]


@admin.register(AgentRoute)
class AgentRouteAdmin(TenantAdmin):
    list_display = ["agent", "organization", "project", "provider", "model", "escalation_model", "escalate_below"]
    list_filter = ["provider", "agent"]
    search_fields = ["agent", "model", "organization__name", "organization__slug", "project__name"]
    list_select_related = ["organization", "project"]
    raw_id_fields = ["organization", "project"]


@admin.register(AIDecision)
class AIDecisionAdmin(ReadOnlyTenantAdmin):
    list_display = [
        "created_at",
        "organization",
        "agent",
        "outcome",
        "provider",
        "model",
        "confidence",
        "attempts",
        "cost",
        "offline",
    ]
    list_filter = ["outcome", "provider", "offline", "agent"]
    search_fields = ["agent", "model", "input_digest", "request_id", "organization__name", "organization__slug"]
    list_select_related = ["organization"]
    date_hierarchy = "created_at"
    # Shown rounded and pretty-printed instead of `38.04287800085149` and one JSON blob.
    exclude = ["latency_ms", "output"]
    readonly_fields = ["latency", "output_json"]

    @admin.display(description=gettext_lazy("latency (ms)"))
    def latency(self, decision: AIDecision) -> str:
        return f"{round(decision.latency_ms)} ms"

    @admin.display(description=gettext_lazy("output"))
    def output_json(self, decision: AIDecision):
        return format_html('<pre class="readonly">{}</pre>', json.dumps(decision.output, indent=2, ensure_ascii=False))


@admin.register(KnowledgeDoc)
class KnowledgeDocAdmin(ReadOnlyTenantAdmin):
    list_display = ["title", "organization", "project", "kind", "embedder", "created_at"]
    list_filter = ["kind", "embedder"]
    search_fields = ["title", "filename", "organization__name", "organization__slug"]
    list_select_related = ["organization", "project"]


@admin.register(KnowledgeChunk)
class KnowledgeChunkAdmin(ReadOnlyTenantAdmin):
    list_display = ["document", "position", "organization", "project"]
    search_fields = ["text", "document__title", "organization__name"]
    list_select_related = ["document", "organization", "project"]
    exclude = ["embedding"]


@admin.register(SimilarityEntry)
class SimilarityEntryAdmin(ReadOnlyTenantAdmin):
    list_display = ["text", "kind", "organization", "project", "source", "created_at"]
    list_filter = ["kind"]
    search_fields = ["text", "source", "organization__name"]
    list_select_related = ["organization", "project"]
    exclude = ["embedding"]
