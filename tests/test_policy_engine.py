"""The policy engine: normalisation, pattern syntax, spans, tenant isolation, platform rules, disclosure, caching."""

import re
import time

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from apps.compliance import policy
from apps.compliance.models import Rule, RuleSet
from apps.compliance.patterns import (
    Folded,
    PatternError,
    compile_patterns,
    fold,
    fold_with_offsets,
    original_span,
    pattern_keys,
    phrase_keys,
    phrase_regex,
)
from apps.compliance.policy import PolicyInput, RuleSetRef, evaluate
from tests.support.policy_corpus import default_rule_set


def make_rule_set(org=None, name="brand", rules=(), publish=True):
    from apps.compliance.actions import do_publish_rule_set

    rule_set = RuleSet.objects.create(organization=org, name=name)
    for spec in rules:
        Rule.objects.create(rule_set=rule_set, **{"description": spec.get("code", "rule"), **spec})
    if publish:
        do_publish_rule_set(rule_set)
    return rule_set


# --- normalisation and pattern syntax -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Straße", "strasse"),
        ("STRASSE", "strasse"),
        ("GROẞ", "gross"),
        ("Ärger über Öl", "aerger ueber oel"),
        ("A\u0308rger", "aerger"),  # decomposed umlaut
        ("Hei\u00adlung", "heilung"),  # soft hyphen
        ("100\u202f%", "100 %"),  # narrow no-break space
        ("Café", "cafe"),
        ("ﬁt", "fit"),  # ligature (NFKC)
        ("Ａｂｃ", "abc"),  # full-width
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_offsets_map_folded_spans_back_to_the_original():
    text = "Größe heißt: Heilung!"
    folded, offsets = fold_with_offsets(text)
    assert folded == "groesse heisst: heilung!"
    start = folded.index("heilung")
    original_start, original_end = original_span(offsets, start, start + len("heilung"), len(text))
    assert text[original_start:original_end] == "Heilung"
    lazy = Folded(text)
    assert lazy.text == folded
    assert lazy.span(start, start + len("heilung")) == (original_start, original_end)
    assert Folded("Café au lait").span(5, 7) == (5, 7)  # one character each: no offsets needed


def test_phrase_syntax():
    pattern = compile_patterns("phrases", "heil{en,t,ung}\nget rich quick\nscheiß*")
    assert pattern.search(fold("Das heilt")) and pattern.search(fold("die Heilung"))
    assert not pattern.search(fold("heil geblieben")) and not pattern.search(fold("Heilbronn"))
    for text in ("Get-rich-quick", "#getrichquick", "get rich  quick", "GET_RICH_QUICK"):
        assert pattern.search(fold(text)), text
    assert not pattern.search(fold("get rich. Quick!"))
    assert pattern.search(fold("Scheißwetter")) and not pattern.search(fold("Scheitel"))


def test_word_boundaries_understand_umlauts():
    pattern = compile_patterns("phrases", "bär\nass")
    assert pattern.search(fold("Ein Bär!")) and pattern.search(fold("ein BAER"))
    assert not pattern.search(fold("Eisbär")) and not pattern.search(fold("Bärlauch"))
    assert not pattern.search(fold("Ölbärchen"))
    for text in ("classic", "bass", "assessment", "Ässe"):
        assert not pattern.search(fold(text)), text


def test_regex_keeps_its_escapes_and_folds_umlauts():
    pattern = compile_patterns("regex", r"(?<!\w)mig\w*\W+schön(?!\w)")
    assert pattern.search(fold("Migräne? SCHOEN!"))
    assert pattern.search(fold("migraene: schön"))


@pytest.mark.parametrize(
    ("kind", "patterns", "message"),
    [
        ("phrases", "ok\nheil{en,t", "Line 2: Unbalanced braces"),
        ("phrases", "he*il", "Line 1: A * may only end a word."),
        ("regex", "fine\n(unclosed", "Line 2: "),
    ],
)
def test_bad_patterns_are_refused_with_the_line(kind, patterns, message):
    with translation.override("en"), pytest.raises(PatternError, match=re.escape(message)):
        compile_patterns(kind, patterns)


@pytest.mark.parametrize(
    ("phrase", "keys"),
    [
        ("heil{en,t,ung}", {"he"}),
        ("{Rendite,Gewinn}garantie", {"re", "ge"}),
        ("ersetzt {den,} Arzt", {"er"}),
        ("#ai", {"#a"}),
        ("Äpfel", {"ae"}),
        ("{a,b}x", {"ax", "bx"}),
        ("{den,} Arzt", None),  # may start with either word
        ("x", None),
        ("a*", None),
    ],
)
def test_phrase_keys(phrase, keys):
    assert phrase_keys(phrase) == keys


def test_regex_rules_scan_everything():
    assert pattern_keys("regex", "heilt") is None
    assert pattern_keys("phrases", "heilt\nx") is None
    assert pattern_keys("phrases", "heilt\nKrebs") == {"he", "kr"}


def test_regex_letters_are_lowered_but_escapes_keep_their_meaning():
    pattern = compile_patterns("regex", r"(?<!\w)KREBS\W+(?P<Word>[A-Z]+)\S*(?P=Word)")
    assert pattern.pattern == r"(?:(?<!\w)krebs\W+(?P<word>[a-z]+)\S*(?P=word))"
    assert pattern.search(fold("Krebs! ab-AB"))
    assert not pattern.search(fold("Krebsabab"))


def test_phrase_regex_variants_prefer_the_longest():
    assert phrase_regex("Heilung{en,}") == "heilung(?:en|)"


def test_rule_validation_in_clean(db):
    rule_set = RuleSet.objects.create(name="drafts")
    rule = Rule(rule_set=rule_set, code="x", category="taboo", kind="regex", patterns="(", description="d")
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert "patterns" in error.value.message_dict
    rule = Rule(rule_set=rule_set, code="y", category="platform", kind="max_length", field="hashtags", description="d")
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert set(error.value.message_dict) == {"field", "limit"}


# --- evaluation -----------------------------------------------------------------------------


def test_verdict_reports_spans_in_the_original_text(db):
    default_rule_set()
    text = "Größe zählt: Dieser Tee heilt Krebs!"
    verdict = evaluate(text, language="de")
    assert verdict.outcome == "hard_block"
    assert verdict.rule_set_versions == (RuleSetRef("default", 1),)
    worst = verdict.matches[0]
    assert (worst.code, worst.category, worst.outcome, worst.field) == (
        "medical-cure-claim-de",
        "medical",
        "hard_block",
        "text",
    )
    assert text[worst.start : worst.end] == worst.text == "heilt Krebs"
    assert worst.description
    assert worst.reason == {"code": "policy.medical_cure", "params": {"text": "heilt Krebs"}}
    # The worst match comes first; the weaker one on the same words is listed too.
    assert [m.outcome for m in verdict.matches] == ["hard_block", "needs_review"]
    assert verdict.as_dict()["matches"][0]["span"] == [worst.start, worst.end]


def test_language_selects_rules(db):
    default_rule_set()
    # German rules for German text, English rules for English text; unknown: every rule applies.
    assert evaluate("Dieser Tee heilt Krebs", language="de").outcome == "hard_block"
    assert evaluate("Dieser Tee heilt Krebs", language="de-AT").outcome == "hard_block"
    assert evaluate("Dieser Tee heilt Krebs", language="en").passed
    assert evaluate("This tea cures cancer").outcome == "hard_block"


def test_matches_in_title_and_hashtags(db):
    default_rule_set()
    verdict = evaluate(
        PolicyInput(text="Frühstück", title="Heilt Migräne", hashtags=("#f4f", "kaffee"), language="de")
    )
    fields = {(m.field, m.text) for m in verdict.matches}
    assert ("title", "Heilt Migräne") in fields
    assert ("hashtags", "#f4f") in fields


def test_an_organizations_rule_set_applies_only_to_it(db, org, other_org):
    default_rule_set()
    make_rule_set(
        org,
        "competitors",
        [
            {
                "code": "no-starbucks",
                "category": "taboo",
                "kind": "phrases",
                "outcome": "hard_block",
                "patterns": "Starbucks",
            }
        ],
    )
    text = "Besser als Starbucks!"
    mine = evaluate(text, org, language="de")
    assert mine.outcome == "hard_block"
    assert [m.code for m in mine.matches] == ["no-starbucks"]
    assert mine.rule_set_versions == (RuleSetRef("default", 1), RuleSetRef("competitors", 1))
    for verdict in (evaluate(text, other_org, language="de"), evaluate(text, None, language="de")):
        assert verdict.passed
        assert verdict.rule_set_versions == (RuleSetRef("default", 1),)
    # The global rules still apply to the organization.
    assert evaluate("Dieser Tee heilt Krebs", org, language="de").outcome == "hard_block"


def test_drafts_and_inactive_versions_are_not_used(db, org):
    default_rule_set()
    spec = {"code": "t", "category": "taboo", "kind": "phrases", "outcome": "hard_block", "patterns": "espresso"}
    make_rule_set(org, "draft", [spec], publish=False)
    retired = make_rule_set(org, "retired", [spec])
    from apps.compliance.actions import do_deactivate_rule_set

    do_deactivate_rule_set(retired)
    verdict = evaluate("Espresso!", org)
    assert verdict.passed
    assert verdict.rule_set_versions == (RuleSetRef("default", 1),)


def test_no_active_rule_set_passes_everything(db):
    RuleSet.objects.filter(organization__isnull=True).update(active=False)
    verdict = evaluate("Dieser Tee heilt Krebs")
    assert verdict.passed and verdict.rule_set_versions == ()


# --- platform rules -------------------------------------------------------------------------


def test_tiktok_caption_limit_counts_the_hashtags(db):
    default_rule_set()
    assert evaluate(PolicyInput(text="a" * 2200, platform="tiktok")).passed
    verdict = evaluate(PolicyInput(text="a" * 2200, hashtags=("kaffee",), platform="tiktok"))
    assert verdict.outcome == "hard_block"
    (match,) = verdict.matches
    expected = ("platform-caption-length-tiktok", "caption", 2208, 2200)
    assert (match.code, match.field, match.measured, match.limit) == expected
    # Without a platform, the platform limits do not apply.
    assert evaluate(PolicyInput(text="a" * 3000)).passed


def test_length_counts_utf16_units_like_the_platform_apis(db):
    default_rule_set()
    assert evaluate(PolicyInput(text="😀" * 140, platform="x")).passed
    assert evaluate(PolicyInput(text="😀" * 141, platform="x")).outcome == "hard_block"


def test_title_overflow_is_reported_as_a_span(db):
    default_rule_set()
    title = "T" * 100 + "zu lang"
    verdict = evaluate(PolicyInput(text="ok", title=title, platform="youtube_shorts"))
    (match,) = verdict.matches
    assert (match.field, match.start, match.end, match.text) == ("title", 100, 107, "zu lang")


def test_hashtag_count_deduplicates_and_includes_the_text(db):
    default_rule_set()
    tags = tuple(f"tag{i}" for i in range(25))
    text = "Hallo " + " ".join(f"#TAG{i}" for i in range(20, 35))  # 5 repeat the list, 10 are new
    verdict = evaluate(PolicyInput(text=text, hashtags=tags))
    (match,) = verdict.matches
    assert (match.code, match.measured, match.limit) == ("platform-hashtag-spam", 35, 30)
    assert match.text.split() == [f"#TAG{i}" for i in range(30, 35)]


def test_org_platform_rule(db, org):
    make_rule_set(
        org,
        "house-style",
        [
            {
                "code": "short-titles",
                "category": "platform",
                "kind": "max_length",
                "outcome": "needs_review",
                "field": "title",
                "limit": 10,
            }
        ],
    )
    assert evaluate(PolicyInput(text="x", title="Kurz"), org).passed
    assert evaluate(PolicyInput(text="x", title="Viel zu lang hier"), org).outcome == "needs_review"


# --- disclosure -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "outcome"),
    [
        (PolicyInput(text="Unser Plakat"), "pass"),
        (PolicyInput(text="Unser Plakat", ai_generated=True), "needs_review"),
        (PolicyInput(text="Unser Plakat", ai_generated=True, disclosure=True), "pass"),
        (PolicyInput(text="Unser Plakat #KI", ai_generated=True), "pass"),
        (PolicyInput(text="Unser Plakat", title="KI-generiert", ai_generated=True), "pass"),
        (PolicyInput(text="Unser Plakat", hashtags=("AIgenerated",), ai_generated=True), "pass"),
        (PolicyInput(text="Generated by AI: our poster", ai_generated=True), "pass"),
        (PolicyInput(text="KI macht Spaß", ai_generated=True), "needs_review"),
        (PolicyInput(text="#kinder", ai_generated=True), "needs_review"),
        (PolicyInput(text="Nicht KI-generiert, alles echt", ai_generated=True), "needs_review"),
    ],
)
def test_ai_disclosure(db, content, outcome):
    default_rule_set()
    verdict = evaluate(content)
    assert verdict.outcome == outcome
    if outcome == "needs_review":
        (match,) = verdict.matches
        assert (match.category, match.field, match.start, match.text) == ("disclosure", "", None, "")


# --- robustness and caching -----------------------------------------------------------------


def test_a_broken_rule_in_the_database_is_skipped(db, org, caplog):
    rule_set = make_rule_set(
        org,
        "x",
        [{"code": "fine", "category": "taboo", "kind": "phrases", "outcome": "hard_block", "patterns": "espresso"}],
    )
    Rule.objects.filter(rule_set=rule_set).update(kind="regex", patterns="(")  # around the model's guards
    assert evaluate("espresso", org).passed
    assert "cannot be compiled" in caplog.text


def test_empty_regex_matches_are_ignored(db, org):
    make_rule_set(
        org, "x", [{"code": "empty", "category": "taboo", "kind": "regex", "outcome": "hard_block", "patterns": "x*"}]
    )
    assert evaluate("abc", org).passed
    assert evaluate("xx", org).outcome == "hard_block"


def test_compiled_rule_sets_are_cached_per_version(db, django_assert_num_queries):
    default_rule_set()
    policy.clear_cache()
    with django_assert_num_queries(2):  # the active rule sets, and the rules of the uncached one
        evaluate("Kaffee")
    with django_assert_num_queries(1):
        evaluate("Kaffee")
    compiled = policy.active_rule_sets()
    assert evaluate("Kaffee", rule_sets=compiled).passed


def test_evaluation_is_fast(db):
    default_rule_set()
    text = ("Unser Kaffee aus den Alpen, frisch geröstet, heißt jeden Morgen: Genuss garantiert! " * 13)[:1000]
    rule_sets = policy.active_rule_sets()
    content = PolicyInput(text=text, title="Guten Morgen", hashtags=("kaffee", "alpen"), language="de")
    evaluate(content, rule_sets=rule_sets)
    samples = []
    for _ in range(30):
        start = time.perf_counter()
        evaluate(content, rule_sets=rule_sets)
        samples.append(time.perf_counter() - start)
    # The target is well under 5 ms; the bound here is loose because CI machines are shared.
    assert sorted(samples)[len(samples) // 2] < 0.025


# --- the default rules: an unknown commercial setting, refuting frames ------------------------


@pytest.mark.parametrize(
    ("text", "language", "commercial", "outcome"),
    [
        # A plain text (setting unknown): the caption alone decides.
        ("Use code GLOW for 20% off my favourite serum ✨", "en", "unknown", "needs_review"),
        ("Mit meinem Code LENA15 spart ihr 15 % auf das Serum 😍", "de", "unknown", "needs_review"),
        ("#ad Use code GLOW for 20% off my favourite serum ✨", "en", "unknown", "pass"),
        ("Affiliate links below, I earn a small commission: my five kitchen tools", "en", "unknown", "pass"),
        # The setting says none while the caption is an ad: flagged (the setting is wrong).
        ("#ad Use code GLOW for 20% off my favourite serum ✨", "en", "none", "needs_review"),
        ("#ad Use code GLOW for 20% off my favourite serum ✨", "en", "paid_partnership", "pass"),
        # A post framed as a warning refutes the claims it reports.
        ("These accounts promise guaranteed 20% returns every month with their bot.", "en", "unknown", "hard_block"),
        ("Scam alert 🚨 These accounts promise guaranteed 20% returns every month.", "en", "unknown", "pass"),
    ],
)
def test_default_rules_on_commercial_signals_and_refuting_frames(db, text, language, commercial, outcome):
    default_rule_set()
    content = PolicyInput(text=text, language=language, commercial_content=commercial)
    assert evaluate(content).outcome == outcome
    assert PolicyInput(text=text).commercial_content == "unknown"
