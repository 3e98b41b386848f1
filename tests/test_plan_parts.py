"""The month-plan pipeline's parts: slots, the thread pool, concept assignment, and a run with a
provider that repeats hooks, fails the quality check or breaks down (no worker: synchronous)."""

import dataclasses
import itertools
import json
import re
import threading
from datetime import date
from itertools import combinations

import pytest
from django.db import transaction

from apps.ai.embeddings import get_embedder
from apps.ai.offline import OfflineProvider
from apps.ai.types import ProviderFatalError
from apps.billing.models import Reservation, ReservationStatus, UsageKind
from apps.billing.testing import subscribe
from apps.core.reasons import render_all as reasons_text
from apps.planning import pipeline
from apps.planning.models import ContentPlan, PlanStatus
from apps.planning.pipeline import PlanFailed, parallel_map
from apps.planning.slots import Slot, month_slots
from apps.posts import plan_runs
from apps.posts.models import PostItem, PostStatus
from apps.projects.models import Project
from tests.support.policy_corpus import default_rule_set

MONTH = date(2027, 6, 1)


def test_month_slots_cover_every_day():
    assert len(month_slots(date(2027, 6, 1))) == 90
    assert len(month_slots(date(2027, 2, 1))) == 84
    assert len(month_slots(date(2027, 12, 1))) == 93
    slots = month_slots(date(2027, 6, 15))
    assert (slots[0].label, slots[-1].label) == ("2027-06-01 #1", "2027-06-30 #3")


def test_the_quality_judge_sees_one_post_per_day():
    slots = month_slots(MONTH)
    judged = [slot for slot in slots if pipeline.judged(slot)]
    assert len(judged) == 30 and {slot.date for slot in judged} == {slot.date for slot in slots}
    assert {slot.number for slot in judged} == {1, 2, 3}


def test_parallel_map_keeps_order_and_reports_progress():
    seen = []
    result = parallel_map(lambda x: x * x, range(20), concurrency=4, on_result=lambda n, _r: seen.append(n))
    assert result == [x * x for x in range(20)]
    assert seen == list(range(1, 21))


def test_parallel_map_raises_the_first_error_and_stops():
    started = []
    lock = threading.Lock()

    def work(x):
        with lock:
            started.append(x)
        if x == 3:
            raise PlanFailed("nope")
        return x

    cancel = threading.Event()
    with pytest.raises(PlanFailed, match="nope"):
        parallel_map(work, range(200), concurrency=2, cancel=cancel)
    assert cancel.is_set() and len(started) < 200


def test_parallel_map_runs_in_this_thread_inside_a_transaction(transactional_db):
    names = []
    with transaction.atomic():
        parallel_map(lambda _x: names.append(threading.current_thread().name), range(3), concurrency=4)
    assert set(names) == {threading.current_thread().name}


def test_concepts_go_to_slots_by_label_else_by_position():
    slots = [Slot(MONTH, 1), Slot(MONTH, 2), Slot(MONTH, 3)]
    concepts = [
        {"slot": "2027-06-01 #2", "hook": "b"},
        {"slot": "Kaffee Herbst", "hook": "x"},
        {"slot": "?", "hook": "y"},
    ]
    assigned = pipeline.MonthPlanner._assign(slots, concepts)
    assert [[c["hook"] for c in assigned[slot.key]] for slot in slots] == [["x"], ["b"], ["y"]]
    extra = pipeline.MonthPlanner._assign(slots[:1], concepts)  # more ideas than slots: alternatives
    assert [c["hook"] for c in extra[slots[0].key]] == ["b", "x", "y"]


# --- runs with a difficult provider ------------------------------------------------------------


class Difficult(OfflineProvider):
    """Offline drafts, but slot #1's hooks are near-duplicates of each other, every quality check
    fails, and (optionally) the script agent breaks down."""

    def __init__(self, broken: str = ""):
        self.broken = broken
        self.counter = itertools.count(1)
        self.lock = threading.Lock()
        self.calls = {}

    def complete(self, request):
        with self.lock:
            self.calls[request.agent] = self.calls.get(request.agent, 0) + 1
        if request.agent == self.broken:
            raise ProviderFatalError("the model is gone")
        response = super().complete(request)
        data = json.loads(response.content)
        if request.agent == "creative_director":
            for concept in data["concepts"]:
                if concept["slot"].endswith("#1"):
                    with self.lock:
                        concept["hook"] = f"Der beste Kaffee-Trick der Woche, Teil {next(self.counter)}"
        elif request.agent == "qa_judge":
            data.update(passed=False, overall=3.0, issues=["Der Hook verspricht zu viel."], fixes=["Kürzer."])
        return dataclasses.replace(response, content=json.dumps(data, ensure_ascii=False))


@pytest.fixture
def project(org):
    default_rule_set()
    subscribe(org, posts_per_month=10_000)
    return Project.objects.create(
        organization=org,
        name="Alpenglow Coffee",
        slug="alpenglow",
        topics=["Kaffee", "Espresso", "Latte Art", "Bohnen"],
        content_pillars=["Barista-Tipps"],
        approval_rule="none",
    )


def test_near_duplicate_hooks_are_replaced_and_failed_drafts_repaired(project, transactional_db, settings):
    settings.VF_SIMILARITY_THRESHOLD = 0.9
    provider = Difficult()
    steps = []
    plan = plan_runs.do_generate_month_plan_now(
        project, MONTH, provider=provider, concurrency=4, progress=lambda percent, step: steps.append((percent, step))
    )
    assert plan.status == PlanStatus.READY
    # Progress: every step, in order, never backwards.
    labels = [step for _percent, step in steps]
    for expected in (
        "Researching the audience and trends",
        "Choosing the format mix",
        "Writing hooks and outlines",
        "Hooks checked for near-duplicates",
        "Writing scripts, storyboards and video prompts",
        "Checking every post against the policy rules",
        "Saving the plan",
    ):
        assert any(label.startswith(expected) for label in labels), expected
    assert [p for p, _s in steps] == sorted(p for p, _s in steps)
    posts = list(PostItem.objects.for_org(project.organization).filter(plan=plan))
    assert len(posts) == 90
    vectors = get_embedder().embed([post.hook for post in posts])
    assert max(sum(a * b for a, b in zip(x, y, strict=True)) for x, y in combinations(vectors, 2)) < 0.9
    # Every slot #1 hook repeated the others: at most one kept, the rest replaced by new ideas or
    # rewritten from the outline (those need review, naming the hook they came too close to).
    trick = [post for post in posts if post.hook.startswith("Der beste Kaffee-Trick")]
    assert len(trick) <= 1
    rewritten = [post for post in posts if any(r["code"] == "planning.hook_too_close" for r in post.review_reason)]
    assert all(post.status == PostStatus.NEEDS_REVIEW for post in rewritten)
    assert all(re.search(r"“.+”, similarity \d+ %", reasons_text(post.review_reason)) for post in rewritten)
    assert provider.calls["creative_director"] > 30  # the refill rounds asked again
    # The judge failed every draft it saw: one repair round each, noted in the rationale.
    judged = [post for post in posts if pipeline.judged(Slot(post.date, post.slot))]
    assert len(judged) == 30 and all("Revised once after the quality check" in post.rationale for post in judged)
    assert provider.calls["qa_judge"] == 30 and provider.calls["script"] == 90 + 30
    cleared = [post for post in posts if not post.review_reason]
    assert cleared and all(post.status == PostStatus.DRAFT for post in cleared)  # approval rule "none"


def test_a_provider_breakdown_saves_nothing(project, transactional_db):
    with pytest.raises(PlanFailed) as failure:
        plan_runs.do_generate_month_plan_now(project, MONTH, provider=Difficult(broken="script"), concurrency=4)
    assert "Script failed, so no plan was saved" in failure.value.message
    assert "the model is gone" in failure.value.message
    plan = ContentPlan.objects.for_org(project.organization).get()
    assert plan.status == PlanStatus.FAILED and plan.error == failure.value.message
    assert PostItem.objects.for_org(project.organization).count() == 0
    reservation = Reservation.objects.for_org(project.organization).get(kind=UsageKind.POSTS)
    assert reservation.status == ReservationStatus.RELEASED
