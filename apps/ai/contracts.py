"""The agents' output contracts (pydantic v2) and the agent registry.

Every agent answers with one JSON object that validates against its contract. All contracts
derive from `AgentOutput` (`confidence` 0–1 and a short `rationale`), forbid unknown fields
and bound every string and list, so answers stay small and the JSON schema works in strict
structured-output mode: no open objects, every field required, no defaults.

Field descriptions are written for the model (English, not translated). Labels shown to users
(agent names, criteria, severities, weekdays, ...) are translatable and live in the `*_LABELS`
maps below.

    spec = AGENTS["script"]
    script = spec.output_model.model_validate_json(response.content)
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from typing import Annotated, Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator


def _text(max_length: int, min_length: int = 1):
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)]


Label = _text(40)
Name = _text(80)
Line = _text(160)
Hook = _text(150)
Sentence = _text(300)
Paragraph = _text(400)
OptionalShort = _text(120, min_length=0)
OptionalSentence = _text(300, min_length=0)
Hashtag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=40, pattern=r"^#[^\s#]+$")]

Language = Literal["de", "en"]
Relevance = Literal["high", "medium", "low"]
Severity = Literal["low", "medium", "high"]
Evidence = Literal["strong", "moderate", "weak"]
Verdict = Literal["pass", "needs_review", "hard_block"]
ClaimCategory = Literal["medical", "financial", "taboo", "restricted", "platform", "disclosure"]
Criterion = Literal[
    "hook_strength", "clarity", "originality", "brand_fit", "platform_fit", "cta", "compliance", "pacing"
]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
SlotMode = Literal["exploit", "explore"]
AspectRatio = Literal["9:16", "1:1", "16:9"]

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Contract(BaseModel):
    """Base of every object in a contract: unknown fields are errors (additionalProperties: false)."""

    model_config = ConfigDict(extra="forbid")


class AgentOutput(Contract):
    confidence: float = Field(ge=0, le=1, description="How sure you are that the answer meets the brief, 0 to 1.")
    rationale: _text(600) = Field(description="The main choices and why, in one or two short paragraphs.")


def _unique(values, what: str) -> None:
    seen = set()
    for value in values:
        key = value.casefold() if isinstance(value, str) else value
        if key in seen:
            raise ValueError(f"{what} must be unique; {value!r} appears twice.")
        seen.add(key)


# --- research ------------------------------------------------------------------------------


class Insight(Contract):
    title: _text(120)
    detail: Paragraph


class Trend(Contract):
    name: _text(100)
    description: Sentence
    relevance: Relevance


class ResearchOutput(AgentOutput):
    insights: list[Insight] = Field(min_length=1, max_length=6)
    trends: list[Trend] = Field(min_length=1, max_length=6)
    audience_pains: list[_text(200)] = Field(min_length=1, max_length=8)
    content_angles: list[_text(200)] = Field(min_length=1, max_length=8)
    sources: list[Sentence] = Field(
        max_length=8, description="Where each insight comes from, as plain text (knowledge base, brief, ...)."
    )


# --- trend & format -----------------------------------------------------------------------


class FormatChoice(Contract):
    format: Name = Field(description="Short-video format, e.g. tutorial, myth-busting, POV, before/after.")
    share: float = Field(gt=0, le=1, description="Share of the plan's posts in this format; shares sum to 1.")
    why: Sentence
    example_hook: Hook


class TrendFormatOutput(AgentOutput):
    formats: list[FormatChoice] = Field(min_length=1, max_length=8)
    avoid: list[_text(200)] = Field(max_length=5, description="Formats or tropes this brand should avoid.")

    @model_validator(mode="after")
    def _shares_sum_to_one(self):
        _unique([item.format for item in self.formats], "Formats")
        total = sum(item.share for item in self.formats)
        if abs(total - 1) > 0.02:
            raise ValueError(f"The format shares must sum to 1 (they sum to {total:.2f}).")
        return self


# --- creative director ----------------------------------------------------------------------


class Concept(Contract):
    slot: Label = Field(description="The slot this idea is for, as given in the inputs (e.g. '2026-03-02 #1').")
    title: _text(100)
    hook: Hook = Field(description="The first sentence the viewer hears or reads (first two seconds).")
    angle: Sentence
    format: Name
    pillar: Name = Field(description="The content pillar or topic this idea belongs to.")
    beats: list[Line] = Field(min_length=2, max_length=6, description="The outline, one beat per item.")


class CreativeDirectorOutput(AgentOutput):
    concepts: list[Concept] = Field(min_length=1, max_length=30)

    @model_validator(mode="after")
    def _distinct(self):
        _unique([concept.hook for concept in self.concepts], "Hooks")
        _unique([concept.slot for concept in self.concepts], "Slots")
        return self


# --- script -------------------------------------------------------------------------------


class Scene(Contract):
    index: int = Field(ge=1, le=10, description="1, 2, 3, ... in order.")
    voiceover: Paragraph
    on_screen_text: OptionalShort
    visual: Sentence = Field(description="What the viewer sees (shot description).")
    duration_seconds: int = Field(ge=1, le=30)


class ScriptOutput(AgentOutput):
    language: Language
    title: _text(100)
    hook: Hook
    scenes: list[Scene] = Field(min_length=2, max_length=10)
    cta: _text(150) = Field(description="Call to action at the end.")
    caption: _text(500)
    hashtags: list[Hashtag] = Field(max_length=10)
    total_duration_seconds: int = Field(ge=5, le=180, description="The sum of the scene durations.")

    @model_validator(mode="after")
    def _consistent(self):
        indexes = [scene.index for scene in self.scenes]
        if indexes != list(range(1, len(indexes) + 1)):
            raise ValueError("Scene indexes must be 1, 2, 3, ... in order.")
        total = sum(scene.duration_seconds for scene in self.scenes)
        if total != self.total_duration_seconds:
            raise ValueError(
                f"total_duration_seconds ({self.total_duration_seconds}) must equal the sum of the scene "
                f"durations ({total})."
            )
        _unique(self.hashtags, "Hashtags")
        return self


# --- prompt engineer ----------------------------------------------------------------------


class ScenePrompt(Contract):
    scene_index: int = Field(ge=1, le=10)
    prompt: _text(800)
    negative_prompt: OptionalSentence
    camera: _text(120)
    style: _text(120)
    duration_seconds: int = Field(ge=1, le=30)


class PromptEngineerOutput(AgentOutput):
    aspect_ratio: AspectRatio
    style: _text(200) = Field(description="The look shared by every scene.")
    prompts: list[ScenePrompt] = Field(min_length=1, max_length=10)

    @model_validator(mode="after")
    def _ordered(self):
        indexes = [item.scene_index for item in self.prompts]
        if indexes != sorted(set(indexes)):
            raise ValueError("scene_index values must be unique and ascending.")
        return self


# --- compliance ---------------------------------------------------------------------------


class Claim(Contract):
    text: Sentence = Field(description="The exact phrase from the content.")
    category: ClaimCategory
    severity: Severity
    explanation: Sentence


class ComplianceOutput(AgentOutput):
    verdict: Verdict
    claims: list[Claim] = Field(max_length=10)
    needs_disclosure: bool = Field(description="Whether the post must be labelled as AI-generated.")
    disclosure_text: OptionalSentence = Field(description="The label to add; empty when none is needed.")
    suggested_fixes: list[Sentence] = Field(max_length=10)

    @model_validator(mode="after")
    def _consistent(self):
        if self.verdict == "pass" and any(claim.severity == "high" for claim in self.claims):
            raise ValueError("A high-severity claim cannot pass.")
        if self.needs_disclosure and not self.disclosure_text:
            raise ValueError("disclosure_text is required when needs_disclosure is true.")
        return self


# --- QA judge -----------------------------------------------------------------------------


class CriterionScore(Contract):
    criterion: Criterion
    score: float = Field(ge=0, le=10)
    comment: _text(200)


class QAJudgeOutput(AgentOutput):
    scores: list[CriterionScore] = Field(min_length=3, max_length=8)
    overall: float = Field(ge=0, le=10)
    passed: bool
    issues: list[Sentence] = Field(max_length=10)
    fixes: list[Sentence] = Field(max_length=10)

    @model_validator(mode="after")
    def _consistent(self):
        _unique([item.criterion for item in self.scores], "Criteria")
        if not self.passed and not self.issues:
            raise ValueError("A failed draft needs at least one issue.")
        return self


# --- scheduler optimizer ------------------------------------------------------------------


class SlotRecommendation(Contract):
    weekday: Weekday
    hour: int = Field(ge=0, le=23)
    timezone: _text(64) = Field(description="IANA time zone, e.g. Europe/Berlin.")
    mode: SlotMode = Field(description="exploit: a proven slot; explore: a slot worth testing.")
    why: Sentence

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"Unknown time zone {value!r}; use an IANA name such as Europe/Berlin.") from None
        return value


class SchedulerOptimizerOutput(AgentOutput):
    recommendations: list[SlotRecommendation] = Field(min_length=1, max_length=21)

    @model_validator(mode="after")
    def _distinct(self):
        _unique([(item.weekday, item.hour) for item in self.recommendations], "Slots (weekday, hour)")
        return self


# --- analytics insight --------------------------------------------------------------------


class Finding(Contract):
    title: _text(120)
    detail: Paragraph
    evidence: Evidence = Field(description="strong: large, consistent sample; weak: a hypothesis.")


class Experiment(Contract):
    hypothesis: Sentence
    change: _text(200)
    metric: Name
    duration_days: int = Field(ge=3, le=60)


class AnalyticsInsightOutput(AgentOutput):
    findings: list[Finding] = Field(min_length=1, max_length=8)
    winning_formats: list[Name] = Field(max_length=5)
    winning_hooks: list[Hook] = Field(max_length=5)
    next_experiments: list[Experiment] = Field(min_length=1, max_length=5)


# --- caption variants (apps.variants) -----------------------------------------------------

LinkPlacement = Literal["in_text", "first_comment", "bio", "none"]


class VariantOutput(AgentOutput):
    language: Language
    text: _text(3000) = Field(
        description="The post text for the platform in `platform`, within its limits, without the hashtags."
    )
    title: OptionalShort = Field(
        description="A title where the platform needs one (YouTube Shorts, Pinterest); else empty."
    )
    hashtags: list[Hashtag] = Field(max_length=30, description="Within the platform's recommended number.")
    cta: OptionalSentence = Field(description="The call to action used in the text; empty when none.")
    link_placement: LinkPlacement = Field(
        description="Where the brief's link goes: in_text where links are clickable, else bio or first_comment."
    )
    first_comment: OptionalSentence = Field(description="A first comment (Instagram); else empty.")
    media_prompt: _text(400) = Field(description="An image or video generation prompt that fits the platform.")


class VoiceTraitsOutput(AgentOutput):
    voice: _text(200) = Field(description="How the brand sounds, in one sentence.")
    tone: _text(120) = Field(description="The tone in a few words, e.g. warm, direct, informal (du).")
    vocabulary: list[_text(40)] = Field(max_length=12, description="Words and phrases the examples use often.")
    sentence_length: _text(120) = Field(description="Typical sentence length, e.g. short (8 words).")
    emoji_habit: _text(120)
    hashtag_habit: _text(120)
    do: list[Line] = Field(max_length=6)
    dont: list[Line] = Field(max_length=6)


# --- the registry ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AgentSpec:
    key: str
    output_model: type[AgentOutput]
    prompt_key: str
    description: Promise | str
    default_max_tokens: int
    label: Promise | str = ""


AGENTS: dict[str, AgentSpec] = {
    spec.key: spec
    for spec in (
        AgentSpec(
            "research",
            ResearchOutput,
            "research",
            _("Finds what the audience cares about: insights, trends, pains and content angles."),
            1500,
            _("Research"),
        ),
        AgentSpec(
            "trend_format",
            TrendFormatOutput,
            "trend_format",
            _("Chooses the mix of short-video formats and explains why each fits."),
            1200,
            _("Trends & formats"),
        ),
        AgentSpec(
            "creative_director",
            CreativeDirectorOutput,
            "creative_director",
            _("Turns angles and formats into one concept per slot: hook, angle, format and outline."),
            6000,
            _("Creative director"),
        ),
        AgentSpec(
            "script",
            ScriptOutput,
            "script",
            _("Writes the script: hook, scenes with voice-over and on-screen text, call to action."),
            2000,
            _("Script"),
        ),
        AgentSpec(
            "prompt_engineer",
            PromptEngineerOutput,
            "prompt_engineer",
            _("Turns a script into video generation prompts, scene by scene."),
            2500,
            _("Prompt engineer"),
        ),
        AgentSpec(
            "compliance",
            ComplianceOutput,
            "compliance",
            _("Flags risky claims, checks the AI disclosure and suggests fixes."),
            1200,
            _("Compliance"),
        ),
        AgentSpec(
            "qa_judge",
            QAJudgeOutput,
            "qa_judge",
            _("Scores a draft against the brief and the brand, and lists what to fix."),
            1200,
            _("Quality judge"),
        ),
        AgentSpec(
            "scheduler_optimizer",
            SchedulerOptimizerOutput,
            "scheduler_optimizer",
            _("Recommends posting slots from past performance, balancing proven and new slots."),
            1500,
            _("Scheduler"),
        ),
        AgentSpec(
            "analytics_insight",
            AnalyticsInsightOutput,
            "analytics_insight",
            _("Explains the results: findings, winning formats and hooks, next experiments."),
            1500,
            _("Analytics"),
        ),
        AgentSpec(
            "variants",
            VariantOutput,
            "variants",
            _("Writes one caption variant for one platform and language from a brief, within the platform's limits."),
            1200,
            _("Caption variants"),
        ),
        AgentSpec(
            "voice_trainer",
            VoiceTraitsOutput,
            "voice_trainer",
            _("Reads example posts and describes the brand voice: tone, vocabulary, habits, do and don't."),
            1000,
            _("Brand-voice trainer"),
        ),
    )
}


# --- labels for the UI ----------------------------------------------------------------------

SEVERITY_LABELS = {"low": _("Low"), "medium": _("Medium"), "high": _("High")}
RELEVANCE_LABELS = SEVERITY_LABELS
EVIDENCE_LABELS = {"strong": _("Strong evidence"), "moderate": _("Moderate evidence"), "weak": _("Hypothesis")}
VERDICT_LABELS = {"pass": _("Pass"), "needs_review": _("Needs review"), "hard_block": _("Blocked")}
CLAIM_CATEGORY_LABELS = {
    "medical": _("Medical claims"),
    "financial": _("Financial promises"),
    "taboo": _("Taboo list"),
    "restricted": _("Restricted topics (politics)"),
    "platform": _("Platform rules"),
    "disclosure": _("AI disclosure"),
}
CRITERION_LABELS = {
    "hook_strength": _("Hook strength"),
    "clarity": _("Clarity"),
    "originality": _("Originality"),
    "brand_fit": _("Brand fit"),
    "platform_fit": _("Platform fit"),
    "cta": _("Call to action"),
    "compliance": _("Compliance"),
    "pacing": _("Pacing"),
}
WEEKDAY_LABELS = {
    "mon": _("Monday"),
    "tue": _("Tuesday"),
    "wed": _("Wednesday"),
    "thu": _("Thursday"),
    "fri": _("Friday"),
    "sat": _("Saturday"),
    "sun": _("Sunday"),
}
SLOT_MODE_LABELS = {"exploit": _("Proven slot"), "explore": _("Test slot")}
