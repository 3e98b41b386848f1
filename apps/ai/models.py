"""The AI control plane's data: prompts, brand voice, routing, the audit trail, knowledge and
the similarity guard's memory.

Embedding columns have the dimension of `VF_EMBEDDING_DIMENSION`; cosine distance with HNSW
indexes. Every row belongs to an organization (prompt templates may be global defaults).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pgvector.django import HnswIndex, VectorField

from apps.core.fields import user_reference
from apps.orgs.models import Organization, TenantBase, optional_organization
from apps.orgs.tenancy import TenantModel
from apps.projects.models import Project

DIMENSION = settings.VF_EMBEDDING_DIMENSION


class PromptTemplate(TenantModel):
    """A versioned system/user prompt for one agent. `organization` empty = the global default;
    an organization's row with the same key overrides it. Immutable once used (`used_at`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = optional_organization("+")
    key = models.SlugField(_("key"), max_length=60)
    version = models.PositiveIntegerField(_("version"), default=1)
    system_template = models.TextField(_("system prompt"))
    user_template = models.TextField(_("user prompt"))
    model_hints = models.JSONField(_("model hints"), default=dict, blank=True)
    active = models.BooleanField(_("active"), default=True)
    used_at = models.DateTimeField(_("first used at"), null=True, blank=True)
    created_by = user_reference(_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("prompt template")
        verbose_name_plural = _("prompt templates")
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "key", "version"], name="unique_prompt_version", nulls_distinct=False
            ),
            models.UniqueConstraint(
                fields=["organization", "key"],
                condition=models.Q(active=True),
                name="one_active_prompt_per_key",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"


class BrandVoice(TenantModel):
    """How the organization (or one project) sounds; composed into every system prompt."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("project")
    )
    voice = models.TextField(_("voice"), blank=True)
    tone = models.CharField(_("tone"), max_length=200, blank=True)
    do_list = models.TextField(_("do"), blank=True)
    dont_list = models.TextField(_("don't"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("brand voice")
        verbose_name_plural = _("brand voices")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "project"], name="one_brand_voice_per_scope", nulls_distinct=False
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} / {self.project or '-'}"


class AgentRoute(TenantModel):
    """Which provider and model an agent uses in an organization (or one project): cheap first,
    escalate to `escalation_model` when the answer's confidence is below `escalate_below`."""

    class ProviderName(models.TextChoices):
        OFFLINE = "offline", _("Offline (no network)")
        OPENROUTER = "openrouter", _("OpenRouter")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("project")
    )
    agent = models.CharField(_("agent"), max_length=40)
    provider = models.CharField(_("provider"), max_length=20, choices=ProviderName.choices, default="offline")
    model = models.CharField(_("model"), max_length=100, blank=True)
    fallback_models = models.JSONField(_("fallback models"), default=list, blank=True)
    escalation_model = models.CharField(_("escalation model"), max_length=100, blank=True)
    escalate_below = models.FloatField(_("escalate below confidence"), default=0.5)

    class Meta:
        verbose_name = _("agent route")
        verbose_name_plural = _("agent routes")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "project", "agent"], name="one_route_per_agent", nulls_distinct=False
            )
        ]

    def __str__(self) -> str:
        return f"{self.agent} → {self.provider} {self.model}"


class AIDecision(TenantBase):
    """The audit trail: one row per agent call through the orchestrator, whatever its outcome."""

    class Outcome(models.TextChoices):
        OK = "ok", _("Valid")
        REPAIRED = "repaired", _("Valid after repair")
        CACHED = "cached", _("Reused cached answer")
        FAILED = "failed", _("Failed")
        BUDGET_REFUSED = "budget_refused", _("Refused: budget or quota")
        OUT_OF_CREDITS = "out_of_credits", _("Provider credits exhausted")

    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("project")
    )
    agent = models.CharField(_("agent"), max_length=40)
    prompt_key = models.CharField(_("prompt key"), max_length=60, blank=True)
    prompt_version = models.PositiveIntegerField(_("prompt version"), null=True, blank=True)
    provider = models.CharField(_("provider"), max_length=20, blank=True)
    model = models.CharField(_("model"), max_length=100, blank=True)
    input_digest = models.CharField(_("input digest"), max_length=64, db_index=True)
    output = models.JSONField(_("output"), null=True, blank=True)
    confidence = models.FloatField(_("confidence"), null=True, blank=True)
    rationale = models.TextField(_("rationale"), blank=True)
    prompt_tokens = models.PositiveIntegerField(_("prompt tokens"), default=0)
    completion_tokens = models.PositiveIntegerField(_("completion tokens"), default=0)
    cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=6, default=0)
    latency_ms = models.FloatField(_("latency (ms)"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    error = models.TextField(_("error"), blank=True)
    offline = models.BooleanField(_("offline draft"), default=False)
    request_id = models.CharField(_("request id"), max_length=128, blank=True)

    class Meta:
        verbose_name = _("AI decision")
        verbose_name_plural = _("AI decisions")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="aidecision_org_recent"),
            models.Index(fields=["organization", "agent", "outcome"], name="aidecision_org_agent"),
        ]

    def __str__(self) -> str:
        # Local time, as the admin's lists show it (the title of the change page is this).
        return f"{self.agent} {self.outcome} {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"

    @property
    def agent_label(self) -> str:
        from apps.ai.contracts import AGENTS  # pydantic contracts: loaded when a page shows a decision

        spec = AGENTS.get(self.agent)
        return str(spec.label) if spec is not None and spec.label else self.agent


class KnowledgeDoc(TenantBase):
    class Kind(models.TextChoices):
        BRAND_CONSTRAINT = "brand_constraint", _("Brand constraint")
        PAST_WINNER = "past_winner", _("Past winner")
        AVOID = "avoid", _("Avoid list")
        EXPERIMENT = "experiment", _("Experiment")

    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("project")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    content = models.TextField(_("content"))
    embedder = models.CharField(_("embedder"), max_length=60, blank=True)
    created_by = user_reference(_("created by"))

    class Meta:
        verbose_name = _("knowledge document")
        verbose_name_plural = _("knowledge documents")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class KnowledgeChunk(TenantModel):
    """A retrievable piece of a document. `organization`/`project` are copied from the document so
    retrieval filters on them in the same index scan."""

    document = models.ForeignKey(
        KnowledgeDoc, on_delete=models.CASCADE, related_name="chunks", verbose_name=_("document")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("project")
    )
    position = models.PositiveIntegerField(_("position"))
    text = models.TextField(_("text"))
    embedding = VectorField(_("embedding"), dimensions=DIMENSION)

    class Meta:
        verbose_name = _("knowledge chunk")
        verbose_name_plural = _("knowledge chunks")
        ordering = ["document", "position"]
        indexes = [
            HnswIndex(
                name="knowledge_chunk_hnsw",
                fields=["embedding"],
                m=16,
                ef_construction=64,
                opclasses=["vector_cosine_ops"],
            ),
            models.Index(fields=["organization", "project"], name="knowledge_chunk_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id}#{self.position}"


class SimilarityEntry(TenantModel):
    """A hook or caption the similarity guard remembers (a project's recent history)."""

    class Kind(models.TextChoices):
        HOOK = "hook", _("Hook")
        CAPTION = "caption", _("Caption")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+", verbose_name=_("project"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("text"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    embedding = VectorField(_("embedding"), dimensions=DIMENSION)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("similarity entry")
        verbose_name_plural = _("similarity entries")
        ordering = ["-created_at"]
        indexes = [
            HnswIndex(
                name="similarity_entry_hnsw",
                fields=["embedding"],
                m=16,
                ef_construction=64,
                opclasses=["vector_cosine_ops"],
            ),
            models.Index(fields=["project", "kind", "-created_at"], name="similarity_entry_recent"),
        ]

    def __str__(self) -> str:
        return self.text[:60]
