"""The month-plan pipeline: every day of a month × 3 slots of posts, drafted by the agents.

    result = MonthPlanner(org, project, month, nonce=job_run_id, progress=report).run(slots)

It computes a `PlanResult` (plain values, nothing saved) from its inputs; the job coordinator
(`apps.posts.plan_runs.run_month_plan`, run by the actor `generate_month_plan` and the demo
seeding) claims the plan, runs the planner and persists the posts or fails the plan.

Steps (each agent call goes through `apps.ai.orchestrator.run_agent`):

1. **Research** (1 call) with the brand kit, topics, pillars, platforms and retrieved knowledge.
2. **Format mix** (`trend_format`, 1 call).
3. **Hooks and outlines** (`creative_director`): one call per day asking for its 3 concepts, in
   parallel. Concepts are matched to slots by their label, else by position.
4. **Similarity guard**: every hook against the other hooks of the plan (including the locked
   posts a regeneration keeps) and against the project's recent history
   (`apps.ai.similarity.SimilarityGuard`, kind "hook"). Rejected and missing slots get new
   concepts, one call per slot with another seed and the accepted hooks to avoid, for up to
   `CONCEPT_ROUNDS` rounds. A slot still without a distinct hook falls back to a hook built
   from its concept (angle, title and beats) that passes the guard, and is marked needs_review
   with the nearest match. So no plan holds two hooks at or above the guard's threshold.
5. **Per post, in parallel**: script (`script`, with knowledge retrieved for the post's idea),
   quality check (`qa_judge`), one repair round through the script agent when the judge fails
   the draft or scores it below `QA_MIN_SCORE`, then the video prompts (`prompt_engineer`);
   the storyboard is derived from the script's scenes and the prompts' camera.
6. **Policy engine** on each post (`apps.compliance.post_check.check_post`: caption, spoken and
   on-screen text, CTA, the hook as title, hashtags; the content language; once without a
   platform and once per target platform): needs_review or hard_block → the rules' descriptions
   become the draft's `review_reason` codes (with the similarity note, if any). A draft with a reason
   becomes a post that needs review; the others are cleared (posts decide the status).

Nothing is written here except what the orchestrator records (AIDecision audit rows, token
usage): the posts and the plan's status change are written by the caller in one transaction.
Any failed agent call (budget refused, provider down after its retries, an answer that stays
invalid after repair) raises `PlanFailed` with a translated message.

Speed: independent calls run on `VF_PLAN_CONCURRENCY` threads (`apps.core.threads`). Progress
goes to the `progress(percent, step)` callback the caller passes (none: not reported).

Determinism and cache: every call's seed derives from `nonce` (the job run's id), the step,
the slot and the round, so a retried job reuses the orchestrator's cached answers while a new
generation (regenerate) gets fresh ones, and no two posts share a cache key.
"""

from __future__ import annotations

import hashlib
import logging
import operator
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext as _

from apps.ai import routing
from apps.ai.contracts import AGENTS
from apps.ai.knowledge import retrieve
from apps.ai.models import KnowledgeChunk
from apps.ai.orchestrator import run_agent
from apps.ai.similarity import GuardResult, SimilarityGuard
from apps.compliance.policy import active_rule_sets
from apps.compliance.post_check import check_post, review_reasons
from apps.core import threads
from apps.core.months import month_start
from apps.planning.reasons import HOOK_TOO_CLOSE
from apps.planning.slots import Slot, month_slots  # noqa: F401 (month_slots: part of this module's API)

logger = logging.getLogger("viralforge.planning")

CONCEPT_ROUNDS = 3  # rounds of new concepts for rejected or missing slots, after the first
QA_MIN_SCORE = 6.0  # below this overall score (0–10) a draft gets one repair round
QA_EVERY = 3  # the quality judge reviews one post in QA_EVERY: one per day, its slot rotating
REFILL_SLOTS_PER_CALL = 2  # slots per creative-director call in the rounds after the first
KNOWLEDGE_PLAN_K = 5
KNOWLEDGE_POST_K = 3
MAX_TOPICS = 12
MIN_TOPICS = 4
MAX_AVOID_HOOKS = 100
HOOK_MAX = 150
FORMAT_MAX = 60


class PlanFailed(Exception):
    """The plan cannot be generated; `message` is translated and shown to the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- results ----------------------------------------------------------------------------------


@dataclass
class PostDraft:
    """One post as the planner made it (plain values, ready for a PostItem)."""

    slot: Slot
    concept: dict
    hook: str = ""
    format: str = ""
    script: dict = field(default_factory=dict)
    storyboard: list = field(default_factory=list)
    video_prompt: dict = field(default_factory=dict)
    caption: str = ""
    hashtags: list = field(default_factory=list)
    confidence: float = 0.0
    rationale: str = ""
    review_reason: list = field(default_factory=list)  # reason codes: why it needs review; empty: cleared
    policy: dict = field(default_factory=dict)
    offline: bool = False
    guard_note: dict | None = None  # why the hook needs review (a similarity reason code), None when distinct
    qa_score: float | None = None
    repaired: bool = False


@dataclass
class PlanResult:
    posts: list[PostDraft]
    offline: bool = False
    calls: int = 0
    regenerated_hooks: int = 0
    fallback_hooks: int = 0
    repaired: int = 0
    seconds: float = 0.0

    @property
    def needs_review(self) -> int:
        return sum(1 for post in self.posts if post.review_reason)


# --- parallel execution ---------------------------------------------------------------------


def plan_concurrency() -> int:
    return max(1, int(getattr(settings, "VF_PLAN_CONCURRENCY", 8)))


def parallel_map(fn: Callable, items: Sequence, *, concurrency: int, on_result=None, cancel=None) -> list:
    """`apps.core.threads.map`, with a cancelled plan reported as PlanFailed."""
    try:
        return threads.map(fn, items, concurrency=concurrency, on_result=on_result, cancel=cancel)
    except threads.Cancelled:
        raise PlanFailed(_("The plan generation was cancelled.")) from None


# --- helpers ----------------------------------------------------------------------------------


def _clip(text, limit: int) -> str:
    text = " ".join(str(text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(" ,;:–-") + "…"


def _unique(values, limit: int) -> list[str]:
    seen, out = set(), []
    for value in values:
        text = " ".join(str(value or "").split())
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            out.append(text)
    return out[:limit]


def call_seed(nonce: str, *parts) -> int:
    digest = hashlib.sha256("|".join([str(nonce), *map(str, parts)]).encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def judged(slot: Slot) -> bool:
    """Does the quality judge review this slot's post? One per day, the slot rotating."""
    return (slot.date.toordinal() + slot.number) % QA_EVERY == 0


def _dot(a: Sequence[float], b: Sequence[float]) -> float:
    return sum(map(operator.mul, a, b))


def agent_label(agent_key: str) -> str:
    spec = AGENTS.get(agent_key)
    return str(spec.label or spec.key) if spec else agent_key


# --- the planner ------------------------------------------------------------------------------


class MonthPlanner:
    """The AI part of a month plan, in memory. See the module docstring."""

    def __init__(
        self,
        org,
        project,
        month: date,
        *,
        nonce: str | None = None,
        plan_id=None,
        provider=None,
        concurrency: int | None = None,
        progress: Callable[[int, str], None] | None = None,
        fixed_hooks: Sequence[str] = (),
    ):
        self.org = org
        self.project = project
        self.month = month_start(month)
        self.nonce = str(nonce or uuid.uuid4())
        self.plan_id = plan_id
        self.provider = provider
        self.concurrency = concurrency or plan_concurrency()
        self._report = progress
        self._percent = 0
        self.fixed_hooks = [hook for hook in fixed_hooks if hook]
        self.language = project.language or "de"
        self.cancel = threading.Event()
        self.calls = 0
        self.offline = False
        self._lock = threading.Lock()
        self._providers: dict[str, object] = {}
        self._has_knowledge: bool | None = None

    # --- agent calls ------------------------------------------------------------------------

    def progress(self, percent: int, step: str) -> None:
        """Report a step to the `progress` callback (the bar never goes backwards)."""
        self._percent = max(self._percent, int(percent))
        if self._report is not None:
            self._report(self._percent, step)

    def provider_for(self, agent: str):
        """The provider of `agent`'s route, resolved (with its credential) once per plan instead
        of once per call; the orchestrator still reads the route's models itself."""
        if self.provider is not None:
            return self.provider
        with self._lock:
            provider = self._providers.get(agent)
            if provider is None:
                provider = routing.build_provider(routing.resolve_route(self.org, agent, self.project))
                self._providers[agent] = provider
        return provider

    def call(self, agent: str, inputs: dict, *, key: str, knowledge: Sequence[str] = ()):
        """One agent call with a seed and quota key of its own; raises PlanFailed on failure."""
        if self.cancel.is_set():
            raise PlanFailed(_("The plan generation was cancelled."))
        provider = self.provider_for(agent)
        offline = getattr(provider, "name", "") == routing.OFFLINE
        result = run_agent(
            self.org,
            agent,
            inputs,
            project=self.project,
            language=self.language,
            seed=call_seed(self.nonce, agent, key),
            idempotency_key=f"plan:{self.plan_id or '-'}:{self.nonce}:{agent}:{key}",
            provider=provider,
            # Offline drafts are cheaper to compose again than to look up; paid answers are reused
            # when a retried job asks the same question with the same seed.
            cache=False if offline else None,
            knowledge=list(knowledge),
        )
        with self._lock:
            self.calls += 1
            self.offline = self.offline or result.offline
        if not result.ok:
            raise PlanFailed(
                _("%(step)s failed, so no plan was saved: %(error)s")
                % {"step": agent_label(agent), "error": result.error_message or result.outcome}
            )
        return result.output

    def has_knowledge(self) -> bool:
        """Does the project (or its organization) have knowledge to retrieve? Asked once."""
        if self._has_knowledge is None:
            self._has_knowledge = (
                KnowledgeChunk.objects.for_org(self.org)
                .filter(Q(project__isnull=True) | Q(project=self.project))
                .exists()
            )
        return self._has_knowledge

    def _knowledge(self, query: str, k: int) -> list[str]:
        if not query.strip() or not self.has_knowledge():
            return []
        try:
            return [chunk.text for chunk in retrieve(self.org, query, project=self.project, k=k)]
        except Exception:  # retrieval is an extra: a failing embedder must not stop the plan
            logger.warning("Knowledge retrieval failed for project %s.", self.project.id, exc_info=True)
            return []

    # --- context ------------------------------------------------------------------------------

    def topics(self) -> list[str]:
        """What the posts are about: the project's topics; its content pillars join in when there
        are few topics (the pillars also go to the agents as such)."""
        project = self.project
        values = list(project.topics or [])
        if len(_unique(values, MAX_TOPICS)) < MIN_TOPICS:
            values += list(project.content_pillars or [])
        return _unique(values, MAX_TOPICS) or [project.name]

    def brand(self) -> dict:
        project = self.project
        return {
            "name": project.name,
            "audience": project.audience,
            "cta": project.cta,
            "hashtags": list(project.hashtags or []),
            "colors": list(project.colors or []),
            "pillars": list(project.content_pillars or []),
        }

    def slot_info(self, slot: Slot) -> dict:
        return {
            "slot": slot.label,
            "date": slot.date.isoformat(),
            "weekday": slot.date.strftime("%A"),
            "time": self.project.slot_time(slot.number),
        }

    # --- steps --------------------------------------------------------------------------------

    def run(self, slots: Sequence[Slot]) -> PlanResult:
        started = time.perf_counter()
        slots = list(slots)
        total = len(slots)
        topics = self.topics()
        brand = self.brand()
        platforms = list(self.project.target_platforms or []) or ["tiktok"]
        month_name = f"{self.month:%B %Y}"  # for the model, in English like the prompts
        base = {"brand": brand, "topics": topics, "platforms": platforms, "language": self.language}

        self.progress(2, _("Researching the audience and trends"))
        plan_knowledge = self._knowledge(" ".join([self.project.name, *topics]), KNOWLEDGE_PLAN_K)
        research = self.call(
            "research",
            base
            | {
                "brief": f"Plan {total} short videos for {month_name} ({self.month:%Y-%m}).",
                "content_pillars": list(self.project.content_pillars or []),
                "audience": self.project.audience,
                "month": f"{self.month:%Y-%m}",
            },
            key="research",
            knowledge=plan_knowledge,
        )

        self.progress(6, _("Choosing the format mix"))
        trend = self.call(
            "trend_format",
            base
            | {
                "content_angles": list(research.content_angles),
                "trends": [trend.name for trend in research.trends],
                "audience_pains": list(research.audience_pains),
                "posts": total,
            },
            key="trend_format",
            knowledge=plan_knowledge,
        )
        format_mix = [{"format": item.format, "share": item.share} for item in trend.formats]
        context = base | {
            "content_angles": list(research.content_angles),
            "audience_pains": list(research.audience_pains),
            "avoid": list(trend.avoid),
        }

        concepts, guard_stats = self.concepts(slots, context, format_mix, plan_knowledge)
        drafts = [PostDraft(slot=slot, concept=concepts[slot.key]) for slot in slots]
        for draft in drafts:
            draft.hook = draft.concept["hook"]
            draft.format = _clip(draft.concept.get("format"), FORMAT_MAX)
            draft.guard_note = draft.concept.pop("_guard_note", None)

        def written(done: int, _draft) -> None:
            if done == total or done % 3 == 0:
                self.progress(
                    30 + int(58 * done / max(1, total)),
                    _("Writing scripts, storyboards and video prompts (%(done)s of %(total)s)")
                    % {"done": done, "total": total},
                )

        def write(draft: PostDraft) -> PostDraft:
            return self.write_post(draft, brand, platforms)

        drafts = parallel_map(write, drafts, concurrency=self.concurrency, on_result=written, cancel=self.cancel)

        self.progress(90, _("Checking every post against the policy rules"))
        self.apply_policy(drafts, platforms)
        for draft in drafts:
            draft.offline = self.offline
        return PlanResult(
            posts=drafts,
            offline=self.offline,
            calls=self.calls,
            regenerated_hooks=guard_stats["regenerated"],
            fallback_hooks=guard_stats["fallback"],
            repaired=sum(1 for draft in drafts if draft.repaired),
            seconds=time.perf_counter() - started,
        )

    # --- concepts and the similarity guard ------------------------------------------------------

    def _concept_call(self, slots: list[Slot], context: dict, key: str, extra: dict, knowledge) -> list[dict]:
        inputs = context | extra | {"slots": [self.slot_info(slot) for slot in slots]}
        output = self.call("creative_director", inputs, key=key, knowledge=knowledge)
        return [concept.model_dump(mode="json") for concept in output.concepts]

    @staticmethod
    def _assign(slots: list[Slot], concepts: list[dict]) -> dict[tuple, list[dict]]:
        """Concepts per slot: by label, the rest by position onto slots without one; extras
        (more concepts than slots) are kept as alternatives of the last slots."""
        by_label = {slot.label.casefold(): slot for slot in slots}
        assigned: dict[tuple, list[dict]] = {slot.key: [] for slot in slots}
        rest = []
        for concept in concepts:
            slot = by_label.get(str(concept.get("slot", "")).strip().casefold())
            if slot is not None and not assigned[slot.key]:
                assigned[slot.key].append(concept)
            else:
                rest.append(concept)
        empty = [slot for slot in slots if not assigned[slot.key]]
        for slot, concept in zip(empty, rest, strict=False):
            assigned[slot.key].append(concept)
        for i, concept in enumerate(rest[len(empty) :]):
            assigned[slots[i % len(slots)].key].append(concept)
        return assigned

    def concepts(self, slots: list[Slot], context: dict, format_mix: list, knowledge) -> tuple[dict, dict]:
        """A concept with a distinct hook for every slot (see step 4 in the module docstring)."""
        guard = SimilarityGuard(self.org, self.project, "hook")
        hooks = _HookSet(guard, self.fixed_hooks)
        total = len(slots)
        chosen: dict[tuple, dict] = {}
        candidates: dict[tuple, list[dict]] = {slot.key: [] for slot in slots}
        nearest: dict[tuple, object] = {}
        stats = {"regenerated": 0, "fallback": 0}

        def accept_round(round_slots: list[Slot]) -> None:
            for slot in round_slots:
                if slot.key in chosen:
                    continue
                for concept in candidates[slot.key]:
                    if concept.get("_tried"):
                        continue
                    concept["_tried"] = True
                    hook = _clip(concept.get("hook"), HOOK_MAX)
                    if not hook:
                        continue
                    result = hooks.test(hook)
                    if result.ok:
                        concept["hook"] = hook
                        hooks.accept(hook)
                        chosen[slot.key] = concept
                        break
                    best = nearest.get(slot.key)
                    if best is None or result.similarity < best.similarity:
                        nearest[slot.key] = result

        def progress(done_calls: int, calls: int, percent_from: int, percent_to: int) -> None:
            self.progress(
                percent_from + int((percent_to - percent_from) * done_calls / max(1, calls)),
                _("Writing hooks and outlines (%(done)s of %(total)s slots)") % {"done": len(chosen), "total": total},
            )

        # Round 0: one call per day for its slots, in parallel.
        days: dict[date, list[Slot]] = {}
        for slot in slots:
            days.setdefault(slot.date, []).append(slot)
        topics = context["topics"]
        batches = []
        for i, (day, day_slots) in enumerate(sorted(days.items())):
            rotated = topics[i % len(topics) :] + topics[: i % len(topics)]
            batches.append((day, day_slots, rotated))
        self.progress(10, _("Writing hooks and outlines (%(done)s of %(total)s slots)") % {"done": 0, "total": total})

        def day_call(batch):
            day, day_slots, rotated = batch
            extra = {"formats": format_mix, "topics": rotated, "avoid_hooks": self.fixed_hooks[:MAX_AVOID_HOOKS]}
            return day_slots, self._concept_call(day_slots, context, f"cd:{day.isoformat()}:0", extra, knowledge)

        answers = parallel_map(
            day_call,
            batches,
            concurrency=self.concurrency,
            on_result=lambda done, _r: progress(done, len(batches), 10, 22),
            cancel=self.cancel,
        )
        for day_slots, concepts in answers:
            for key, assigned in self._assign(day_slots, concepts).items():
                candidates[key].extend(assigned)
        accept_round(slots)

        # Rounds 1..n: a call per pair of rejected or missing slots, another seed, the hooks to avoid.
        for round_number in range(1, CONCEPT_ROUNDS + 1):
            missing = [slot for slot in slots if slot.key not in chosen]
            if not missing:
                break
            stats["regenerated"] += len(missing)
            avoid = hooks.texts()[-MAX_AVOID_HOOKS:]
            groups = [missing[i : i + REFILL_SLOTS_PER_CALL] for i in range(0, len(missing), REFILL_SLOTS_PER_CALL)]

            def refill_call(group: list[Slot], round_number=round_number, avoid=avoid):
                extra = {
                    "preferred_formats": format_mix,  # a hint only: new ideas may use other formats
                    "avoid_hooks": avoid,
                    "note": "Earlier ideas for these slots repeated existing hooks. Find different angles.",
                }
                key = f"cd:{group[0].label}:{round_number}"
                return group, self._concept_call(group, context, key, extra, knowledge)

            answers = parallel_map(
                refill_call,
                groups,
                concurrency=self.concurrency,
                on_result=lambda done, _r, groups=groups: progress(done, len(groups), 22, 27),
                cancel=self.cancel,
            )
            for group, concepts in answers:
                for key, assigned in self._assign(group, concepts).items():
                    candidates[key].extend(assigned)
            accept_round(missing)

        # Still no distinct hook: build one from the concept, mark the post for review.
        for slot in slots:
            if slot.key in chosen:
                continue
            if not candidates[slot.key]:
                raise PlanFailed(
                    _("The AI did not deliver an idea for every slot (%(slot)s is missing). Please try again.")
                    % {"slot": formats.date_format(slot.date, "SHORT_DATE_FORMAT")}
                )
            stats["fallback"] += 1
            concept, hook = hooks.fallback(candidates[slot.key])
            near = nearest.get(slot.key)
            concept = dict(concept)
            concept["hook"] = hook
            concept["_guard_note"] = HOOK_TOO_CLOSE.reason(
                nearest=_clip(getattr(near, "nearest_text", "") or "", 120),
                similarity=round(100 * float(getattr(near, "similarity", 0) or 0)),
            ).as_dict()
            chosen[slot.key] = concept
        for concepts in candidates.values():
            for concept in concepts:
                concept.pop("_tried", None)
        for concept in chosen.values():
            concept.pop("_tried", None)
        self.progress(28, _("Hooks checked for near-duplicates"))
        return chosen, stats

    # --- one post -------------------------------------------------------------------------------

    def write_post(self, draft: PostDraft, brand: dict, platforms: list[str]) -> PostDraft:
        concept = {key: value for key, value in draft.concept.items() if not key.startswith("_")}
        slot = draft.slot
        knowledge = self._knowledge(f"{concept.get('hook', '')} {concept.get('pillar', '')}", KNOWLEDGE_POST_K)
        script_inputs = {
            "concept": concept,
            "brand": brand,
            "slot": self.slot_info(slot),
            "platforms": platforms,
            "cta": self.project.cta,
            "hashtags": list(self.project.hashtags or []),
            "audience": self.project.audience,
        }
        script = self.call("script", script_inputs, key=f"script:{slot.label}", knowledge=knowledge)
        qa = None
        if judged(slot):
            qa = self.call(
                "qa_judge",
                {"script": script.model_dump(mode="json"), "concept": concept, "brand": brand, "pass_threshold": 7},
                key=f"qa:{slot.label}",
            )
            draft.qa_score = float(qa.overall)
        if qa is not None and (not qa.passed or qa.overall < QA_MIN_SCORE):
            script = self.call(
                "script",
                script_inputs
                | {
                    "previous_script": script.model_dump(mode="json"),
                    "issues": list(qa.issues),
                    "fixes": list(qa.fixes),
                    "task": "Revise the previous script: fix every issue the quality judge listed.",
                },
                key=f"script:{slot.label}:repair",
                knowledge=knowledge,
            )
            draft.repaired = True
        prompts = self.call(
            "prompt_engineer",
            {
                "script": script.model_dump(mode="json"),
                "brand": brand,
                "aspect_ratio": "9:16",
                "platforms": platforms,
            },
            key=f"prompts:{slot.label}",
        )
        self._fill(draft, concept, script, qa, prompts)
        return draft

    def _fill(self, draft: PostDraft, concept: dict, script, qa, prompts) -> None:
        scenes = [scene.model_dump(mode="json") for scene in script.scenes]
        draft.script = {
            "title": script.title,
            "language": script.language,
            "cta": script.cta,
            "total_duration_seconds": script.total_duration_seconds,
            "scenes": scenes,
            "angle": concept.get("angle", ""),
            "pillar": concept.get("pillar", ""),
            "beats": list(concept.get("beats") or []),
        }
        cameras = {item.scene_index: item.camera for item in prompts.prompts}
        draft.storyboard = [
            {
                "index": scene["index"],
                "visual": scene["visual"],
                "camera": cameras.get(scene["index"], ""),
                "duration_seconds": scene["duration_seconds"],
            }
            for scene in scenes
        ]
        draft.video_prompt = {
            "aspect_ratio": prompts.aspect_ratio,
            "style": prompts.style,
            "prompts": [item.model_dump(mode="json") for item in prompts.prompts],
        }
        draft.caption = script.caption
        draft.hashtags = _unique(script.hashtags, 10)
        confidence = float(script.confidence)
        if qa is not None and not draft.repaired:
            confidence = (confidence + float(qa.overall) / 10) / 2
        draft.confidence = round(max(0.0, min(1.0, confidence)), 2)
        parts = [str(concept.get("angle") or ""), str(script.rationale or "")]
        if draft.repaired:
            parts.append(
                _("Revised once after the quality check (score %(score)s/10).") % {"score": f"{qa.overall:.1f}"}
            )
        elif qa is not None:
            parts.append(_("Quality check: %(score)s/10.") % {"score": f"{qa.overall:.1f}"})
        draft.rationale = "\n\n".join(part for part in parts if part)

    # --- policy -----------------------------------------------------------------------------------

    def apply_policy(self, drafts: list[PostDraft], platforms: list[str]) -> None:
        apply_policy(self.org, self.project, drafts, platforms)


def apply_policy(org, project, drafts: list[PostDraft], platforms: Sequence[str]) -> None:
    """The policy verdict and review reason of each draft (step 6 of the module docstring)."""
    rule_sets = active_rule_sets(org)
    for draft in drafts:
        verdict = check_post(
            org,
            hook=draft.hook,
            caption=draft.caption,
            hashtags=draft.hashtags,
            script=draft.script,
            language=project.language,
            platforms=platforms,
            rule_sets=rule_sets,
            project=project,
            second_opinion=True,
        )
        draft.policy = verdict.as_dict()
        draft.review_reason = [*review_reasons(verdict), *([draft.guard_note] if draft.guard_note else [])]


class _HookSet:
    """The hooks of the plan so far (locked posts' first), checked against each other in memory
    and against the project's history through the similarity guard."""

    def __init__(self, guard, fixed: Sequence[str]):
        self.guard = guard
        self.threshold = guard.threshold
        self._texts: list[str] = []
        self._vectors: list[list[float]] = []
        for text in fixed:
            self.accept(text)

    def texts(self) -> list[str]:
        return list(self._texts)

    def accept(self, text: str) -> None:
        (vector,) = self.guard.embed([text])
        if vector is not None:
            self._texts.append(text)
            self._vectors.append(vector)

    def test(self, text: str):
        (vector,) = self.guard.embed([text])
        if vector is None:
            return GuardResult(ok=False, similarity=1.0, nearest_text=None, nearest_source=None)
        best, best_text = 0.0, None
        for other_text, other in zip(self._texts, self._vectors, strict=True):
            similarity = _dot(vector, other)
            if similarity > best:
                best, best_text = similarity, other_text
        if best >= self.threshold:
            return GuardResult(ok=False, similarity=round(best, 6), nearest_text=best_text, nearest_source="plan")
        history = self.guard.check(text)
        if history.similarity > best:
            return history
        return GuardResult(ok=True, similarity=round(best, 6), nearest_text=best_text, nearest_source="plan")

    def fallback(self, concepts: list[dict]) -> tuple[dict, str]:
        """A hook built from one of the concepts (angle, title + beat, beats) that passes the
        guard; the least similar candidate when none does."""
        best = None
        for concept in concepts:
            beats = [str(beat) for beat in concept.get("beats") or []]
            title = str(concept.get("title") or "")
            options = [concept.get("angle"), *(f"{title}: {beat}" for beat in beats), *beats]
            for option in options:
                hook = _clip(option, HOOK_MAX)
                if not hook:
                    continue
                result = self.test(hook)
                if result.ok:
                    self.accept(hook)
                    return concept, hook
                if best is None or result.similarity < best[0]:
                    best = (result.similarity, concept, hook)
        if best is None:
            concept = concepts[0]
            return concept, _clip(concept.get("hook") or concept.get("title"), HOOK_MAX)
        self.accept(best[2])
        return best[1], best[2]
