"""Small text helpers of the offline writer (no content here: that lives in data/)."""

from __future__ import annotations

import hashlib
import math
import re


def clip(text, limit: int) -> str:
    """`text` cut to `limit` characters at a word boundary, with an ellipsis when cut."""
    text = " ".join(str(text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: max(1, limit - 1)]
    if text[len(cut)] != " ":  # the cut falls inside a word: drop that word
        space = cut.rfind(" ")
        if space > limit // 2:
            cut = cut[:space]
    return cut.rstrip(" ,;:–-") + "…"


def sentence(text: str) -> str:
    """`text` with a full stop unless it already ends a sentence."""
    text = str(text or "").strip()
    return text if not text or text[-1] in ".!?…" else text + "."


def as_list(value, limit: int = 20) -> list[str]:
    """Strings from a list, or from a newline/comma/semicolon-separated string; bullets removed."""
    if value is None:
        return []
    if isinstance(value, str):
        items = re.split(r"[\n;,]+", value)
    elif isinstance(value, (list, tuple)):
        items = []
        for item in value:
            if isinstance(item, dict):
                item = item.get("text") or item.get("name") or item.get("title") or ""
            items.append(str(item))
    else:
        return []
    cleaned: list[str] = []
    seen: set[str] = set()
    for item in items:
        item = " ".join(item.strip().lstrip("-•*#").split())
        if item and item.casefold() not in seen:
            seen.add(item.casefold())
            cleaned.append(item)
    return cleaned[:limit]


def text_of(value) -> str:
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, dict):
        for key in ("text", "brief", "goal", "description", "name", "title"):
            if isinstance(value.get(key), str):
                return " ".join(value[key].split())
    return ""


def hashtag(value: str) -> str | None:
    word = re.sub(r"[^\w]", "", str(value).casefold())
    return f"#{word[:39]}" if len(word) >= 2 else None


def number(value: float, lang: str, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".") if lang == "de" else text


def as_int(value, default: int) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError, OverflowError):
        return default


def as_float(value, default: float = 0.0) -> float:
    try:
        result = float(value)
    except (TypeError, ValueError):
        return default
    return result if math.isfinite(result) else default


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` into integer parts proportional to `weights` (largest remainder)."""
    if not weights:
        return []
    weight_sum = sum(weights) or 1.0
    exact = [total * w / weight_sum for w in weights]
    parts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: exact[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def stable_int(*parts) -> int:
    """A number that depends only on `parts` (not on the process): for choices that must repeat."""
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def pick(options, *key):
    """One of `options`, chosen by `key` (deterministic)."""
    options = list(options)
    return options[stable_int(*key) % len(options)]
