"""Per-platform lint of a caption variant, from the platform table (apps/core/data/platforms.yaml).

    findings = lint(draft, "x", cta="Jetzt testen")    # [Finding(code, severity, params, fix), ...]

Length in the platform's own counting (X weighted, TikTok UTF-16), title, hashtag count and
placement, links where they cannot be clicked, mentions, emoji density, capitals, line breaks,
the call to action, and the stored policy verdict. Each finding names the one-click fix of
apps.variants.fixes that resolves it, where there is one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from apps.core import platforms
from apps.core.reasons import Reason, render
from apps.variants import reasons

HASHTAG = re.compile(r"(?<![\w#])#[^\s#.,;:!?]+")
MENTION = re.compile(r"(?<![\w@.])@\w{2,}")
CAPS_WORD = re.compile(r"\b[A-ZÄÖÜ]{3,}\b")
WORD = re.compile(r"\b[^\W\d_]{3,}\b")
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass
class Draft:
    """The fields of a variant that lint and the fixes work on."""

    text: str
    title: str = ""
    hashtags: list[str] = field(default_factory=list)
    cta: str = ""
    link_placement: str = "none"
    first_comment: str = ""

    @classmethod
    def of(cls, variant) -> Draft:
        return cls(
            text=variant.text,
            title=variant.title,
            hashtags=list(variant.hashtags or []),
            cta=variant.cta,
            link_placement=variant.link_placement,
            first_comment=variant.first_comment,
        )

    def caption(self) -> str:
        """What gets posted: the text, then the hashtags on a line of their own."""
        tags = " ".join(self.hashtags)
        return f"{self.text.rstrip()}\n\n{tags}" if tags else self.text


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str  # error | warning | info
    params: dict
    fix: str | None = None

    @property
    def reason(self) -> Reason:
        return Reason(self.code, self.params)

    @property
    def fix_label(self) -> str:
        return str(reasons.FIXES[self.fix]) if self.fix else ""


def inline_hashtags(text: str) -> list[str]:
    return HASHTAG.findall(text)


def all_hashtags(draft: Draft) -> list[str]:
    return list(dict.fromkeys([*draft.hashtags, *inline_hashtags(draft.text)]))


def emoji_count(text: str) -> int:
    return len(platforms.emoji_clusters(text))


def has_cta(draft: Draft, cta: str) -> bool:
    wanted = [item.strip().rstrip(".!").casefold() for item in (draft.cta, cta) if item and item.strip()]
    return any(item in draft.text.casefold() for item in wanted)


def lint(draft: Draft, platform_key: str, *, cta: str = "", policy: dict | None = None) -> list[Finding]:
    """Every finding for `draft` on the platform, worst first. `cta`: the brief's call to action."""
    row = platforms.platform(platform_key)
    name = row.name
    found: list[Finding] = []

    def add(code, severity, fix=None, **params):
        found.append(Finding(code.code, severity, {"platform": name, **params}, fix))

    length = platforms.count(draft.caption(), platform_key)
    if length > row.caption_max:
        add(reasons.TOO_LONG, "error", "shorten", length=length, limit=row.caption_max, over=length - row.caption_max)
    if row.title_max is not None:
        if row.title_required and not draft.title.strip():
            add(reasons.TITLE_MISSING, "error", "add_title")
        elif len(draft.title) > row.title_max:
            add(reasons.TITLE_TOO_LONG, "error", "shorten_title", length=len(draft.title), limit=row.title_max)
    tags = all_hashtags(draft)
    if len(tags) > row.hashtags_max:
        add(reasons.HASHTAGS_TOO_MANY, "error", "trim_hashtags", count=len(tags), limit=row.hashtags_max)
    elif row.hashtags_recommended is not None and len(tags) > row.hashtags_recommended:
        add(reasons.HASHTAGS_MANY, "warning", "trim_hashtags", count=len(tags), limit=row.hashtags_recommended)
    if row.hashtags_placement == "end" and inline_hashtags(draft.text):
        add(reasons.HASHTAGS_INLINE, "warning", "hashtags_to_end")
    if not row.links_clickable and platforms.find_urls(draft.text):
        add(reasons.LINK_NOT_CLICKABLE, "warning", "link_to_bio")
    mentions = len(MENTION.findall(draft.text))
    if row.mentions_max is not None and mentions > row.mentions_max:
        add(reasons.MENTIONS_TOO_MANY, "warning", count=mentions, limit=row.mentions_max)
    emoji = emoji_count(draft.text)
    if row.emoji_per_100_max is not None and emoji > max(1, row.emoji_per_100_max * len(draft.text) / 100):
        add(reasons.EMOJI_DENSE, "warning", "reduce_emoji", count=emoji, length=len(draft.text))
    words = WORD.findall(draft.text)
    caps = CAPS_WORD.findall(draft.text)
    if len(words) >= 4 and len(caps) / len(words) > row.caps_ratio_max:
        add(reasons.ALL_CAPS, "warning", "fix_caps", share=round(100 * len(caps) / len(words)))
    if not row.line_breaks and "\n" in draft.text.strip():
        add(reasons.LINE_BREAKS, "info", "join_lines")
    if row.cta_expected and (draft.cta or cta) and not has_cta(draft, cta):
        add(reasons.CTA_MISSING, "warning", "add_cta")
    for match in (policy or {}).get("matches") or []:
        severity = "error" if match.get("outcome") == "hard_block" else "warning"
        rule = render(match["reason"]) if match.get("reason") else match.get("description") or match.get("code")
        found.append(Finding(reasons.POLICY.code, severity, {"rule": rule}))
    return sorted(found, key=lambda item: SEVERITY_ORDER[item.severity])
