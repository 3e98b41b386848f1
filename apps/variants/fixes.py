"""One-click fixes of lint findings: deterministic edits of a variant's fields (no AI call).

changes = apply("trim_hashtags", draft, "instagram", cta="…", topic="…")   # {"hashtags": [...]}
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from apps.core import platforms
from apps.variants.lint import CAPS_WORD, HASHTAG, Draft, all_hashtags, emoji_count, has_cta

_SENTENCE = re.compile(r"(?<=[.!?…])\s+")
_LINK_LEAD = re.compile(r"(?:^|(?<=[\s.!?]))[^\n.!?:]{1,30}:\s*$")


class FixError(Exception):
    """The fix does not apply to this variant (any more)."""


def _clip(text: str, fits) -> str:
    """The longest start of `text` (whole sentences first, then whole words, then an ellipsis) that `fits`."""
    if fits(text):
        return text
    sentences = [part for part in _SENTENCE.split(text.strip()) if part]
    while len(sentences) > 1:
        sentences.pop(len(sentences) // 2 if len(sentences) > 2 else -1)
        candidate = " ".join(sentences)
        if fits(candidate):
            return candidate
    words = text.split(" ")
    while len(words) > 1:
        words.pop()
        candidate = " ".join(words).rstrip(" ,;:–-") + "…"
        if fits(candidate):
            return candidate
    raise FixError(_("The text cannot be shortened enough; edit it by hand."))


def shorten(draft: Draft, platform_key: str) -> dict:
    row = platforms.platform(platform_key)

    def fits(text: str) -> bool:
        return platforms.count(Draft(text=text, hashtags=draft.hashtags).caption(), platform_key) <= row.caption_max

    return {"text": _clip(draft.text, fits)}


def _title_limit(platform_key: str) -> int:
    return platforms.platform(platform_key).title_max or 100


def add_title(draft: Draft, platform_key: str, topic: str) -> dict:
    first = _SENTENCE.split(HASHTAG.sub("", draft.text).strip())[0].strip() if draft.text.strip() else ""
    title = (topic or first).strip()
    return {"title": _clip(title, lambda value: len(value) <= _title_limit(platform_key))}


def shorten_title(draft: Draft, platform_key: str) -> dict:
    return {"title": _clip(draft.title, lambda value: len(value) <= _title_limit(platform_key))}


def trim_hashtags(draft: Draft, platform_key: str) -> dict:
    row = platforms.platform(platform_key)
    keep = row.hashtags_max if row.hashtags_recommended is None else min(row.hashtags_max, row.hashtags_recommended)
    tags = all_hashtags(draft)[:keep]
    # An inline hashtag that goes keeps its word: "im #Café" becomes "im Café".
    text = HASHTAG.sub(lambda m: m.group(0) if m.group(0) in tags else m.group(0)[1:], draft.text)
    return {"hashtags": [tag for tag in draft.hashtags if tag in tags], "text": _tidy(text)}


def hashtags_to_end(draft: Draft) -> dict:
    tags = all_hashtags(draft)
    return {"text": _tidy(HASHTAG.sub("", draft.text)), "hashtags": tags}


def link_to_bio(draft: Draft, link_note: str) -> dict:
    text = draft.text
    for start, end in reversed(platforms.find_urls(text)):
        lead = _LINK_LEAD.search(text[:start])  # "More here:" would be left without its link
        text = text[: lead.start() if lead else start] + text[end:]
    text = _tidy(text)
    if link_note.casefold() not in text.casefold():
        text = f"{text.rstrip()} {link_note}".strip()
    return {"text": text, "link_placement": "bio"}


def reduce_emoji(draft: Draft, platform_key: str) -> dict:
    row = platforms.platform(platform_key)
    allowed = max(1, int((row.emoji_per_100_max or 1) * len(draft.text) / 100))
    clusters = platforms.emoji_clusters(draft.text)
    text = draft.text
    for cluster in clusters[allowed:]:
        index = text.rfind(cluster)
        text = text[:index] + text[index + len(cluster) :]
    return {"text": _tidy(text)}


def fix_caps(draft: Draft) -> dict:
    return {"text": CAPS_WORD.sub(lambda m: m.group(0).capitalize(), draft.text)}


def join_lines(draft: Draft) -> dict:
    lines = [line.strip() for line in draft.text.split("\n") if line.strip()]
    return {"text": " ".join(line if line[-1] in ".!?…:" else line + "." for line in lines)}


def add_cta(draft: Draft, cta: str) -> dict:
    cta = (cta or draft.cta).strip()  # the brief's call to action first: it is what the editor asked for
    if not cta or has_cta(draft, cta):
        raise FixError(_("There is no call to action to add."))
    text = draft.text.rstrip()
    ending = "" if text[-1:] in ".!?…" else "."
    cta_sentence = cta if cta[-1] in ".!?…" else cta + "."
    separator = "\n\n" if "\n" in text else " "
    return {"text": f"{text}{ending}{separator}{cta_sentence}", "cta": cta}


def _tidy(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\s+([,.!?:;])", r"\1", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def apply(fix: str, draft: Draft, platform_key: str, *, cta: str = "", topic: str = "", link_note: str = "") -> dict:
    """The changed fields of `draft` after the fix `fix` (FixError when it does not apply)."""
    if fix == "shorten":
        changes = shorten(draft, platform_key)
    elif fix == "add_title":
        changes = add_title(draft, platform_key, topic)
    elif fix == "shorten_title":
        changes = shorten_title(draft, platform_key)
    elif fix == "trim_hashtags":
        changes = trim_hashtags(draft, platform_key)
    elif fix == "hashtags_to_end":
        changes = hashtags_to_end(draft)
    elif fix == "link_to_bio":
        changes = link_to_bio(draft, link_note or _("Link in bio."))
    elif fix == "reduce_emoji":
        changes = reduce_emoji(draft, platform_key)
    elif fix == "fix_caps":
        changes = fix_caps(draft)
    elif fix == "join_lines":
        changes = join_lines(draft)
    elif fix == "add_cta":
        changes = add_cta(draft, cta)
    else:
        raise FixError(_("Unknown fix."))
    changed = {key: value for key, value in changes.items() if getattr(draft, key) != value}
    if not changed:
        raise FixError(_("Nothing to fix any more."))
    return changed


def counts(draft: Draft, platform_key: str) -> dict:
    """What the variant card shows: length as the platform counts it, its limit, hashtags and emoji."""
    row = platforms.platform(platform_key)
    return {
        "length": platforms.count(draft.caption(), platform_key),
        "limit": row.caption_max,
        "hashtags": len(all_hashtags(draft)),
        "emoji": emoji_count(draft.text),
    }
