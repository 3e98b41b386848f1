"""Lint of caption variants per platform (apps.variants.lint) and the one-click fixes (apps.variants.fixes),
with the counting edge cases: X's twitter-text weighting, TikTok's UTF-16 units, Instagram's 30 hashtags."""

import pytest

from apps.core import platforms
from apps.variants import fixes
from apps.variants.lint import Draft, lint

LONG_URL = "https://shop.example.com/" + "a" * 200


def codes(findings) -> list[str]:
    return [finding.code for finding in findings]


# --- counting: X (twitter-text v3) and TikTok (UTF-16) -------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a" * 280, 280),
        ("日" * 140, 280),  # CJK weighs 2
        ("é" * 280, 280),  # Latin-1 weighs 1
        ("Cafe\u0301", 4),  # NFC first: e + combining accent is one é
        ("👍🏽" * 140, 280),  # an emoji with a skin tone is one emoji of weight 2
        ("🇩🇪", 2),  # a flag (two regional indicators) is one emoji
        ("1️⃣", 2),  # a keycap sequence is one emoji
        ("👩‍👩‍👧‍👦", 2),  # a ZWJ family is one emoji
        ("\u2019", 1),  # general punctuation (U+2019) is in a light range
        ("\u2030", 2),  # U+2030 lies between the light ranges
        (LONG_URL, 23),  # every URL counts 23 whatever its length
        (f"See {LONG_URL}.", 4 + 23 + 1),  # the full stop after a URL is not part of it
        ("visit example.de today", 6 + 23 + 6),  # a link without a scheme, known TLD
        ("write to a@example.de", 9 + 12),  # an e-mail address is not a URL
    ],
)
def test_x_weighted_length(text, expected):
    assert platforms.count(text, "x") == expected


def test_x_limit_is_280_weighted_not_280_code_points():
    at_limit = Draft(text="日" * 140)
    assert "variants.too_long" not in codes(lint(at_limit, "x"))
    over = Draft(text="日" * 140 + "!")
    finding = next(f for f in lint(over, "x") if f.code == "variants.too_long")
    assert (finding.params["length"], finding.params["limit"], finding.fix) == (281, 280, "shorten")
    # The same text is short on Threads, which counts code points.
    assert "variants.too_long" not in codes(lint(over, "threads"))


def test_x_urls_count_23_so_a_long_link_fits():
    text = "a" * 250 + " " + LONG_URL  # 250 + 1 + 23 = 274
    assert platforms.count(text, "x") == 274
    assert "variants.too_long" not in codes(lint(Draft(text=text), "x"))


def test_tiktok_counts_utf16_code_units_surrogate_pairs_count_two():
    emoji = "😀"  # outside the BMP: a surrogate pair
    assert platforms.count(emoji, "tiktok") == 2
    assert platforms.count(emoji, "instagram") == 1
    text = "a" * 2198 + emoji  # 2200 UTF-16 units, 2199 code points
    assert "variants.too_long" not in codes(lint(Draft(text=text), "tiktok"))
    over = Draft(text="a" * 2199 + emoji)  # 2201 units
    assert "variants.too_long" in codes(lint(over, "tiktok"))
    assert "variants.too_long" not in codes(lint(over, "instagram"))  # 2200 code points on Instagram


def test_hashtags_count_towards_the_length():
    draft = Draft(text="a" * 270, hashtags=["#kaffee", "#espresso"])
    assert platforms.count(draft.caption(), "x") == 270 + 2 + 7 + 1 + 9
    assert "variants.too_long" in codes(lint(draft, "x"))


# --- hashtags ---------------------------------------------------------------------------------------


def test_instagram_31_hashtags_is_an_error_and_trim_fixes_it():
    tags = [f"#tag{i}" for i in range(31)]
    draft = Draft(text="Neue Bohnen sind da.", hashtags=tags)
    finding = next(f for f in lint(draft, "instagram") if f.code == "variants.hashtags_too_many")
    assert (finding.severity, finding.params["count"], finding.params["limit"]) == ("error", 31, 30)
    changes = fixes.apply("trim_hashtags", draft, "instagram")
    assert changes["hashtags"] == tags[:5]  # down to the recommended number
    assert not {"variants.hashtags_too_many", "variants.hashtags_many"} & set(
        codes(lint(Draft(text=draft.text, hashtags=changes["hashtags"]), "instagram"))
    )


def test_instagram_30_hashtags_is_only_a_warning():
    draft = Draft(text="Neue Bohnen sind da.", hashtags=[f"#tag{i}" for i in range(30)])
    found = {f.code: f.severity for f in lint(draft, "instagram")}
    assert found.get("variants.hashtags_many") == "warning"
    assert "variants.hashtags_too_many" not in found


def test_threads_allows_one_hashtag_counting_inline_ones():
    draft = Draft(text="Neu im #Café: Kaffee", hashtags=["#kaffee"])
    assert "variants.hashtags_too_many" in codes(lint(draft, "threads"))
    changes = fixes.apply("trim_hashtags", draft, "threads")
    assert changes == {"text": "Neu im Café: Kaffee"}  # the listed tag stays; the inline one keeps its word
    assert "variants.hashtags_too_many" not in codes(lint(Draft(text=changes["text"], hashtags=["#kaffee"]), "threads"))


def test_inline_hashtags_move_to_the_end_where_the_platform_wants_them_there():
    draft = Draft(text="Unser #Espresso ist da. Probier ihn!", hashtags=["#kaffee"])
    assert "variants.hashtags_inline" in codes(lint(draft, "linkedin"))
    assert "variants.hashtags_inline" not in codes(lint(draft, "x"))  # X: anywhere
    changes = fixes.apply("hashtags_to_end", draft, "linkedin")
    assert changes == {"text": "Unser ist da. Probier ihn!", "hashtags": ["#kaffee", "#Espresso"]}


# --- links, title, emoji, capitals, line breaks, CTA ---------------------------------------------


def test_link_in_an_instagram_caption_moves_to_the_bio():
    draft = Draft(text="Neue Sorte! Mehr dazu: https://alpenglow.example/neu", link_placement="in_text")
    assert "variants.link_not_clickable" in codes(lint(draft, "instagram"))
    assert "variants.link_not_clickable" not in codes(lint(draft, "facebook"))
    changes = fixes.apply("link_to_bio", draft, "instagram", link_note="Link in der Bio.")
    assert changes == {"text": "Neue Sorte! Link in der Bio.", "link_placement": "bio"}
    assert "variants.link_not_clickable" not in codes(lint(Draft(text=changes["text"]), "instagram"))


def test_a_bare_domain_is_a_link_too():
    assert "variants.link_not_clickable" in codes(lint(Draft(text="Alles auf alpenglow.de!"), "tiktok"))


def test_youtube_and_pinterest_need_a_title_within_their_limit():
    assert "variants.title_missing" in codes(lint(Draft(text="Kaffee."), "youtube_shorts"))
    assert "variants.title_missing" not in codes(lint(Draft(text="Kaffee."), "tiktok"))
    long = Draft(text="Kaffee.", title="Espresso " * 15)
    assert "variants.title_too_long" in codes(lint(long, "pinterest"))
    title = fixes.apply("shorten_title", long, "pinterest")["title"]
    assert len(title) <= 100 and title.endswith("…")
    added = fixes.apply("add_title", Draft(text="Kaffee ist gut. Sehr gut."), "youtube_shorts", topic="Espresso-Basics")
    assert added == {"title": "Espresso-Basics"}


def test_emoji_density_counts_sequences_once():
    dense = Draft(text="Kaffee 👩‍👩‍👧🔥🔥🔥✨")
    finding = next(f for f in lint(dense, "linkedin") if f.code == "variants.emoji_dense")
    assert finding.params["count"] == 5
    fixed = fixes.apply("reduce_emoji", dense, "linkedin")["text"]
    assert platforms.emoji_clusters(fixed) == ["👩‍👩‍👧"]


def test_all_caps_and_its_fix():
    draft = Draft(text="JETZT NEU im Laden: UNSER bester Kaffee")
    assert "variants.all_caps" in codes(lint(draft, "linkedin"))
    assert fixes.apply("fix_caps", draft, "linkedin") == {"text": "Jetzt Neu im Laden: Unser bester Kaffee"}


def test_pinterest_shows_no_line_breaks():
    draft = Draft(text="Erste Zeile\nZweite Zeile")
    assert "variants.line_breaks" in codes(lint(draft, "pinterest"))
    assert "variants.line_breaks" not in codes(lint(draft, "instagram"))
    assert fixes.apply("join_lines", draft, "pinterest") == {"text": "Erste Zeile. Zweite Zeile."}


def test_missing_cta_and_its_fix():
    draft = Draft(text="Neue Bohnen sind da.")
    assert "variants.cta_missing" in codes(lint(draft, "facebook", cta="Jetzt probieren"))
    assert "variants.cta_missing" not in codes(lint(draft, "facebook"))  # nothing to ask for
    changes = fixes.apply("add_cta", draft, "facebook", cta="Jetzt probieren")
    assert changes == {"text": "Neue Bohnen sind da. Jetzt probieren.", "cta": "Jetzt probieren"}
    assert "variants.cta_missing" not in codes(lint(Draft(text=changes["text"], cta="Jetzt probieren"), "facebook"))


def test_shorten_fits_the_platforms_counting():
    text = "Erster Satz ist hier. " + "Mittlerer Satz mit vielen Wörtern. " * 12 + "Schluss."
    draft = Draft(text=text, hashtags=["#kaffee"])
    changes = fixes.apply("shorten", draft, "x")
    assert platforms.count(Draft(text=changes["text"], hashtags=["#kaffee"]).caption(), "x") <= 280
    assert changes["text"].startswith("Erster Satz ist hier.")


def test_policy_matches_become_findings():
    policy = {
        "outcome": "hard_block",
        "matches": [{"outcome": "hard_block", "code": "medical.cure", "description": "Heilversprechen"}],
    }
    found = lint(Draft(text="Heilt alles."), "x", policy=policy)
    assert (found[0].code, found[0].severity, found[0].params["rule"]) == (
        "variants.policy",
        "error",
        "Heilversprechen",
    )


def test_a_fix_that_no_longer_applies_is_refused():
    with pytest.raises(fixes.FixError):
        fixes.apply("trim_hashtags", Draft(text="Kaffee.", hashtags=["#a"]), "instagram")


def test_every_platform_lints_a_clean_draft_clean():
    for row in platforms.platforms():
        draft = Draft(text="Neue Bohnen sind da. Jetzt probieren!", title="Neue Bohnen", cta="Jetzt probieren")
        assert lint(draft, row.key, cta="Jetzt probieren") == [], row.key
