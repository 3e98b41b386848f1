"""The model-backed second opinion against the OpenRouter sandbox over real HTTP (issue 10, item 3).

The sandbox answers with a scripted compliance verdict (apps.sandbox.openrouter.script_answer)
or with an injected fault; the rules run as always.
"""

import pytest

from apps.ai.models import AgentRoute, AIDecision
from apps.ai.routing import close_pooled_providers
from apps.billing.testing import subscribe
from apps.compliance.post_check import check_post
from apps.sandbox.faults import clear_faults, set_faults
from apps.sandbox.models import SandboxCall
from apps.sandbox.openrouter import clear_scripts, script_answer
from tests.support.credentials import SECRET, add
from tests.support.policy_corpus import default_rule_set
from tests.support.posts import MONTH, make_plan, make_post, make_project

pytestmark = pytest.mark.django_db(transaction=True)

CHAT_PATH = "/sandbox/openrouter/api/v1/chat/completions"
HARMLESS = "Unser Kräutertee schmeckt nach Herbst und Zimt."
REVIEW = "Bitcoin jetzt kaufen, bevor er explodiert!"  # a financial tip: needs review by the rules


def answer(verdict: str, *claims: tuple[str, str, str]) -> dict:
    return {
        "confidence": 0.9,
        "rationale": "Checked the caption against advertising law.",
        "verdict": verdict,
        "claims": [
            {"text": text, "category": category, "severity": severity, "explanation": "A health promise."}
            for text, category, severity in claims
        ],
        "needs_disclosure": False,
        "disclosure_text": "",
        "suggested_fixes": [],
    }


@pytest.fixture
def sandbox(live_server, settings):
    settings.OPENROUTER_BASE_URL = live_server.url + "/sandbox/openrouter/api/v1"
    settings.VF_AI_MAX_BACKOFF_SECONDS = 0.01
    settings.VF_AI_MAX_ATTEMPTS = 2
    clear_faults()
    clear_scripts()
    yield
    clear_faults()
    clear_scripts()
    close_pooled_providers()


@pytest.fixture
def project(org, owner):
    default_rule_set()
    subscribe(org, monthly_tokens=10**7)
    add(org, "openrouter", secret=SECRET, actor=owner)
    project = make_project(org)
    AgentRoute.objects.create(organization=org, project=project, agent="compliance", provider="openrouter")
    return project


def check(org, project, caption):
    return check_post(
        org, hook="", caption=caption, hashtags=[], script={}, language="de", project=project, second_opinion=True
    )


def chat_calls():
    return SandboxCall.objects.filter(service="openrouter", path=CHAT_PATH).count()


def test_a_model_verdict_raises_a_pass_to_needs_review_once_per_text(sandbox, org, project):
    script_answer(answer("needs_review", ("schmeckt nach Herbst", "medical", "medium")), match="Kräutertee")
    verdict = check(org, project, HARMLESS)
    assert verdict.outcome == "needs_review"
    (match,) = verdict.matches
    assert match.source == "model" and match.category == "medical" and match.outcome == "needs_review"
    assert HARMLESS[match.start : match.end] == "schmeckt nach Herbst"
    assert match.reason["code"] == "policy.model_opinion"
    decision = AIDecision.objects.for_org(org).get(agent="compliance")
    assert decision.outcome == "ok" and decision.provider == "openrouter" and decision.prompt_tokens > 0
    assert chat_calls() == 1
    # The same text again: the cached answer (by the text's digest), no second model call.
    assert check(org, project, HARMLESS).outcome == "needs_review"
    assert chat_calls() == 1
    assert AIDecision.objects.for_org(org).filter(agent="compliance", outcome="cached").count() == 1


def test_a_model_pass_never_lowers_the_rules(sandbox, org, project):
    script_answer(answer("pass"), match="Bitcoin")
    verdict = check(org, project, REVIEW)
    assert verdict.outcome == "needs_review"
    assert {m.source for m in verdict.matches} == {"rules"}
    assert AIDecision.objects.for_org(org).get(agent="compliance").outcome == "ok"


def test_a_hard_block_is_not_sent_and_a_model_block_only_asks_for_review(sandbox, org, project):
    check(org, project, "Dieser Tee heilt Krebs!")
    assert chat_calls() == 0 and not AIDecision.objects.for_org(org).exists()
    script_answer(answer("hard_block", ("Zimt", "medical", "high")), match="Kräutertee")
    verdict = check(org, project, HARMLESS)
    assert verdict.outcome == "needs_review"  # a model alone never makes a post unpublishable


def test_a_sandbox_fault_leaves_the_rules_verdict_and_records_the_failure(sandbox, org, project):
    set_faults("openrouter", rates={"500": 1.0})
    verdict = check(org, project, HARMLESS)
    assert verdict.outcome == "pass" and verdict.matches == ()
    decision = AIDecision.objects.for_org(org).get(agent="compliance")
    assert decision.outcome == "failed" and "500" in decision.error
    assert chat_calls() == 2  # VF_AI_MAX_ATTEMPTS


def test_offline_the_rules_alone_decide(sandbox, org, owner):
    default_rule_set()
    project = make_project(org)  # no route to a model, no key
    assert check(org, project, HARMLESS).outcome == "pass"
    assert check(org, project, REVIEW).outcome == "needs_review"
    assert chat_calls() == 0 and not AIDecision.objects.for_org(org).exists()


def test_saving_a_post_asks_the_model_about_a_caption_the_rules_pass(sandbox, org, owner, project):
    """The editor's save (the default flow) consults the second opinion; it can only ask for a review."""
    from apps.posts.actions import do_save_post
    from apps.posts.models import PostStatus

    post = make_post(make_plan(project), MONTH, 1, status=PostStatus.NEEDS_APPROVAL)
    script_answer(answer("hard_block", ("schmeckt nach Herbst", "medical", "high")), match="Kräutertee")
    saved, changed = do_save_post(post, version=post.version, changes={"caption": HARMLESS}, actor=owner)
    assert changed and saved.status == PostStatus.NEEDS_REVIEW
    assert saved.policy["outcome"] == "needs_review"
    assert [m["source"] for m in saved.policy["matches"]] == ["model"]
    assert chat_calls() == 1
