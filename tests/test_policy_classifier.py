"""The learned classifier beside the default rules: it reviews what the rules let pass, never more."""

from django.utils import translation

from apps.compliance import policy
from apps.compliance.classifier import classifier, features
from apps.compliance.policy import PolicyInput, evaluate
from tests.support.policy_corpus import default_rule_set
from tests.test_policy_engine import make_rule_set

# No rule names this treatment refusal (x-de-med-018 of extra.tsv); the classifier has learnt its shape.
UNNAMED_CLAIM = (
    "Antibiotika ab 1 Tag Fieber? Nee danke. Unsere Kleine (8 Monate) bekommt bei Mittelohrentzündung nur "
    "Zwiebelsäckchen, kein Arzt, nix 🧅"
)


def test_a_claim_no_rule_names_needs_a_review_from_the_classifier(db):
    default_rule_set()
    verdict = evaluate(PolicyInput(text=UNNAMED_CLAIM, language="de"))
    assert verdict.outcome == "needs_review"
    assert verdict.categories == {"medical"}
    (match,) = verdict.matches
    assert (match.source, match.code, match.rule_set.name) == ("classifier", "classifier-medical", "classifier")
    with translation.override("de"):
        assert "ähnelt Inhalten" in match.reason_text
    harmless = evaluate(PolicyInput(text="Unser neuer Hafer-Latte ist da – probier ihn jetzt!", language="de"))
    assert harmless.passed


def test_the_classifier_does_not_second_guess_an_organizations_own_rules(db, org):
    own = make_rule_set(
        org,
        rules=[
            {"code": "no-decaf", "category": "taboo", "kind": "phrases", "outcome": "hard_block", "patterns": "decaf"}
        ],
    )
    verdict = evaluate(PolicyInput(text=UNNAMED_CLAIM, language="de"), rule_sets=[policy.compile_rule_set(own)])
    assert verdict.passed


def test_features_see_compound_parts_and_the_model_is_a_distribution():
    assert {"w:krebsheilung", "c:<kre", "c:rebs", "c:heil", "c:ung>"} <= features("Krebsheilung")
    model = classifier()
    for text in (UNNAMED_CLAIM, "Krebsheilung mit Bitcoinrendite? Nein. " * 3, ""):
        # The fast path (per-word memo) sees exactly the features the model was trained on.
        assert model.rows(text) == {model.index[name] for name in features(text) if name in model.index}
    probabilities = model.probabilities(UNNAMED_CLAIM)
    assert abs(float(probabilities.sum()) - 1) < 1e-9 and model.classes[0] == "pass"
