"""ASS files for one scene's segment (pysubs2): word captions, on-screen text, the title card.

Captions come in phrases of 2–4 words; the word being spoken is drawn in the highlight colour.
Everything sits inside TikTok's safe zone (`SafeZone`): away from the right-hand buttons and
the bottom description area. Times are relative to the segment's start.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pysubs2
from PIL import ImageFont

from apps.media.render.spec import RenderSpec
from apps.media.render.voice import Word

PHRASE_HOLD_S = 0.35  # a phrase stays this long after its last word (unless the next one starts)


@lru_cache(maxsize=8)
def font_family(font_path: str) -> tuple[str, bool]:
    """(family name, bold) as libass looks the font up."""
    family, style = ImageFont.truetype(font_path, 12).getname()
    return family, "bold" in style.lower()


def _color(value: str, alpha: int = 0) -> pysubs2.Color:
    clean = value.strip().lstrip("#")
    if len(clean) == 3:
        clean = "".join(char * 2 for char in clean)
    return pysubs2.Color(int(clean[0:2], 16), int(clean[2:4], 16), int(clean[4:6], 16), alpha)


def _override(value: str) -> str:
    color = _color(value)
    return f"&H{color.b:02X}{color.g:02X}{color.r:02X}&"


def luminance(value: str) -> float:
    color = _color(value)
    return (0.2126 * color.r + 0.7152 * color.g + 0.0722 * color.b) / 255


def _clean(text: str) -> str:
    """Text safe for an ASS event (no override blocks or escapes from the user's words)."""
    return text.replace("\\", "/").replace("{", "(").replace("}", ")").replace("\n", " ")


def phrases(words: list[Word]) -> list[list[Word]]:
    """2–4 words each, as even as possible (a one-word sentence stays one word)."""
    if not words:
        return []
    count = math.ceil(len(words) / 3)
    base, extra = divmod(len(words), count)
    out, cursor = [], 0
    for index in range(count):
        size = base + (1 if index < extra else 0)
        out.append(words[cursor : cursor + size])
        cursor += size
    return out


@dataclass(frozen=True)
class Layout:
    width: int
    height: int
    margin_l: int
    margin_r: int
    top: int
    bottom: int

    @classmethod
    def of(cls, spec: RenderSpec) -> Layout:
        x0, y0, x1, y1 = spec.safe_zone.box(spec.width, spec.height)
        pad = round(spec.width * 0.02)
        return cls(spec.width, spec.height, x0 + pad, spec.width - x1 + pad, y0, spec.height - y1)


def _document(spec: RenderSpec) -> pysubs2.SSAFile:
    doc = pysubs2.SSAFile()
    doc.info.update(
        {"PlayResX": str(spec.width), "PlayResY": str(spec.height), "WrapStyle": "0", "ScaledBorderAndShadow": "yes"}
    )
    family, bold = font_family(spec.font_path)
    layout = Layout.of(spec)
    h = spec.height
    dark_text = luminance(spec.background) > 0.6
    card_text = "#111111" if dark_text else spec.text_color
    common = {"fontname": family, "bold": bold, "marginl": layout.margin_l, "marginr": layout.margin_r, "shadow": 0}
    doc.styles["Caption"] = pysubs2.SSAStyle(
        fontsize=round(h * 0.045),
        primarycolor=_color(spec.text_color),
        outlinecolor=_color("#000000"),
        outline=max(1, round(h * 0.004)),
        alignment=pysubs2.Alignment.BOTTOM_CENTER,
        marginv=layout.bottom + round(h * 0.03),
        **common,
    )
    doc.styles["OnScreen"] = pysubs2.SSAStyle(
        fontsize=round(h * 0.036),
        primarycolor=_color(card_text),
        outlinecolor=_color(spec.background, 64),
        backcolor=_color(spec.background, 64),
        borderstyle=3,
        outline=max(1, round(h * 0.008)),
        alignment=pysubs2.Alignment.TOP_CENTER,
        marginv=layout.top + round(h * 0.02),
        **common,
    )
    doc.styles["Card"] = pysubs2.SSAStyle(
        fontsize=round(h * 0.05),
        primarycolor=_color(card_text),
        outline=0,
        alignment=pysubs2.Alignment.MIDDLE_CENTER,
        **common,
    )
    doc.styles["Title"] = pysubs2.SSAStyle(
        fontsize=round(h * 0.058),
        primarycolor=_color(card_text),
        outline=0,
        alignment=pysubs2.Alignment.MIDDLE_CENTER,
        **common,
    )
    return doc


def _ms(seconds: float) -> int:
    return max(0, round(seconds * 1000))


def _fit(text_words: list[str], font_path: str, size: int, outline: int, available: int) -> int:
    """The font size at which the widest word still fits the caption width (libass cannot break inside a word)."""
    font = ImageFont.truetype(font_path, size)
    widest = max((font.getlength(word) + 2 * outline for word in text_words), default=0)
    return size if widest <= available else max(8, int(size * available / widest * 0.95))


def caption_file(spec: RenderSpec, sentences: list[list[Word]], seconds: float, not_before: float, path: Path) -> int:
    """Write the scene's word captions; returns how many events it wrote."""
    doc = _document(spec)
    highlight = _override(
        spec.highlight if abs(luminance(spec.highlight) - luminance(spec.text_color)) > 0.15 else "#FFD400"
    )
    normal = _override(spec.text_color)
    groups = [group for sentence in sentences for group in phrases(sentence)]
    style = doc.styles["Caption"]
    available = spec.width - style.marginl - style.marginr
    for number, group in enumerate(groups):
        following = groups[number + 1][0].start if number + 1 < len(groups) else seconds
        phrase_end = min(following, group[-1].end + PHRASE_HOLD_S, seconds)
        size = _fit([_clean(w.text) for w in group], spec.font_path, int(style.fontsize), int(style.outline), available)
        prefix = f"{{\\fs{size}}}" if size != int(style.fontsize) else ""
        for i, word in enumerate(group):
            start = group[0].start if i == 0 else word.start
            end = group[i + 1].start if i + 1 < len(group) else phrase_end
            start = max(start, not_before)
            if end - start < 0.02:
                continue
            text = " ".join(
                f"{{\\c{highlight}}}{_clean(w.text)}{{\\c{normal}}}" if j == i else _clean(w.text)
                for j, w in enumerate(group)
            )
            doc.events.append(pysubs2.SSAEvent(start=_ms(start), end=_ms(end), text=prefix + text, style="Caption"))
    doc.save(str(path), format_="ass")
    return len(doc.events)


def overlay_file(
    spec: RenderSpec, on_screen_text: str, card: bool, seconds: float, not_before: float, path: Path
) -> bool:
    """The scene's on-screen text (centred on a card, at the top over a picture); False when there is none."""
    text = _clean(on_screen_text.strip())
    if not text:
        return False
    doc = _document(spec)
    doc.events.append(
        pysubs2.SSAEvent(start=_ms(not_before), end=_ms(seconds), text=text, style="Card" if card else "OnScreen")
    )
    doc.save(str(path), format_="ass")
    return True


def title_file(spec: RenderSpec, seconds: float, path: Path) -> None:
    doc = _document(spec)
    doc.events.append(pysubs2.SSAEvent(start=0, end=_ms(seconds), text=_clean(spec.hook.strip()), style="Title"))
    doc.save(str(path), format_="ass")


def combine(paths: list[Path], out: Path) -> None:
    """One ASS file with the events of several (same styles): burned in by one `ass` filter instead of two."""
    docs = [pysubs2.load(str(path)) for path in paths]
    merged = docs[0]
    for doc in docs[1:]:
        merged.events.extend(doc.events)
    merged.sort()
    merged.save(str(out), format_="ass")
