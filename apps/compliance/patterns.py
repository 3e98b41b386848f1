"""Text normalisation and pattern compilation for the policy engine (no models here).

Text and patterns are compared in a *folded* form: Unicode-compatible (NFKC), case-folded,
German umlauts spelled out (ä → ae, ö → oe, ü → ue, also when typed as a + combining
diaeresis), ß → ss, other accents dropped, soft hyphens and zero-width characters removed,
typographic dashes and spaces made plain. `fold_with_offsets` also returns where each folded
character came from, so a match can be shown in the original text.

Pattern syntax (one pattern per line):

- phrases (and AI-disclosure labels): whole words, case-insensitive. Words are separated
  by spaces, hyphens, slashes or underscores in the pattern and may be separated by any of
  those, or by nothing, in the text ("get rich quick" matches "Get-rich-quick" and
  "#getrichquick"). `{a,b,}` lists endings or variants (`heil{en,t,ung}`, `{den,}`), a
  trailing `*` allows any ending (`scheiss*`). Nothing else is special.
- regular expressions: Python syntax, matched case-insensitively against the folded text:
  letters in the pattern are lower-cased (not after a backslash), umlauts and ß are folded
  too, so write them either way. Use `(?<!\\w)` and
  `(?!\\w)` for word boundaries (they understand umlauts, `\\b` would too, but only on the
  folded text).
"""

import re
import unicodedata

from django.utils.translation import gettext as _

# Between the words of a phrase: any run of spaces, hyphens, slashes and underscores, or none.
SEPARATOR = r"[\s\-_/]*"
WORD_START = r"(?<!\w)"
WORD_END = r"(?!\w)"

_SPECIAL = {
    "ä": "ae",
    "ö": "oe",
    "ü": "ue",
    "\u0308": "e",  # combining diaeresis: a + ̈ = ae
    "\u00ad": "",  # soft hyphen
    "\u200b": "",
    "\u200c": "",
    "\u200d": "",
    "\u2060": "",
    "\ufeff": "",
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u00a0": " ",
    "\u202f": " ",
    "\u2009": " ",
    "\u2019": "'",
}
_FOLDED: dict[str, str] = {}


class PatternError(ValueError):
    """A pattern that cannot be compiled; the message is shown to the user."""


def fold_char(char: str) -> str:
    folded = _FOLDED.get(char)
    if folded is None:
        if char in _SPECIAL:
            folded = _SPECIAL[char]
        else:
            pieces = []
            for c in unicodedata.normalize("NFD", unicodedata.normalize("NFKC", char).casefold()):
                if c in _SPECIAL:
                    pieces.append(_SPECIAL[c])
                elif not unicodedata.combining(c):
                    pieces.append(c)
            folded = "".join(pieces)
            # Re-compose what NFD split apart and what the special table did not handle.
            folded = unicodedata.normalize("NFC", folded)
        if len(_FOLDED) < 10_000:
            _FOLDED[char] = folded
    return folded


_TABLE: dict[int, str] = {}  # str.translate table, filled with every character seen
_NOT_ONE_TO_ONE: set[str] = set()  # characters that fold to none or several characters
_TABLE_LIMIT = 20_000


def _fold_fast(text: str) -> tuple[str, bool]:
    """The folded text, and whether each character folded to exactly one (the offsets are the identity)."""
    if text.isascii():
        return text.lower(), True
    chars = set(text)
    for char in chars:
        if ord(char) not in _TABLE:
            folded = fold_char(char)
            if len(_TABLE) >= _TABLE_LIMIT:  # pathological input: do not grow without bound
                return "".join([fold_char(c) for c in text]), chars.isdisjoint(_NOT_ONE_TO_ONE | {char})
            _TABLE[ord(char)] = folded
            if len(folded) != 1:
                _NOT_ONE_TO_ONE.add(char)
    return text.translate(_TABLE), chars.isdisjoint(_NOT_ONE_TO_ONE)


def fold(text: str) -> str:
    return _fold_fast(text)[0]


def _offsets(text: str) -> list[int]:
    """Per folded character, its index in `text`; only the few characters that do not fold one-to-one cost."""
    special = set(text) & _NOT_ONE_TO_ONE
    if not special:
        return list(range(len(text)))
    offsets: list[int] = []
    previous = 0
    for match in re.finditer("[" + "".join(re.escape(c) for c in special) + "]", text):
        index = match.start()
        offsets.extend(range(previous, index))
        offsets.extend([index] * len(fold_char(text[index])))
        previous = index + 1
    offsets.extend(range(previous, len(text)))
    return offsets


def fold_with_offsets(text: str) -> tuple[str, list[int] | None]:
    """The folded text and, per folded character, its index in `text` (None: the same index)."""
    folded, identity = _fold_fast(text)
    return folded, None if identity else _offsets(text)


_CANDIDATE_START = re.compile(r"(?<!\w)\S")


class Folded:
    """A text and its folded form; match spans in the folded form map back to the text (computed lazily)."""

    __slots__ = ("_identity", "_offsets", "_starts", "original", "text")

    def __init__(self, original: str):
        self.original = original
        self.text, self._identity = _fold_fast(original)
        self._offsets: list[int] | None = None
        self._starts: dict[str, list[int]] | None = None

    def starts(self) -> dict[str, list[int]]:
        """Where a phrase can begin (after a non-word character), by the two characters found there."""
        if self._starts is None:
            text = self.text
            starts: dict[str, list[int]] = {}
            for match in _CANDIDATE_START.finditer(text):
                position = match.start()
                starts.setdefault(text[position : position + 2], []).append(position)
            self._starts = starts
        return self._starts

    def span(self, start: int, end: int) -> tuple[int, int]:
        if self._identity:
            return start, end
        if self._offsets is None:
            self._offsets = _offsets(self.original)
        return original_span(self._offsets, start, end, len(self.original))


def original_span(offsets: list[int] | None, start: int, end: int, length: int) -> tuple[int, int]:
    """Map a span of the folded text back onto the original text."""
    if offsets is None:
        return start, end
    if start >= len(offsets):
        return length, length
    return offsets[start], (offsets[end - 1] + 1) if end > start else offsets[start]


_TOKEN_SPLIT = re.compile(r"[\s\-_/]+")
_BRACES = re.compile(r"\{([^{}]*)\}")


def _token_regex(token: str) -> str:
    star = token.endswith("*")
    if star:
        token = token[:-1]
    if "*" in token:
        raise PatternError(_("A * may only end a word."))
    parts = []
    position = 0
    literals = []
    for match in _BRACES.finditer(token):
        literals.append(token[position : match.start()])
        parts.append(re.escape(literals[-1]))
        variants = sorted(set(match.group(1).split(",")), key=len, reverse=True)
        parts.append("(?:" + "|".join(re.escape(v) for v in variants) + ")")
        position = match.end()
    literals.append(token[position:])
    parts.append(re.escape(literals[-1]))
    if any("{" in literal or "}" in literal for literal in literals):
        raise PatternError(_("Unbalanced braces: write variants as {a,b,c} inside one word."))
    if star:
        parts.append(r"\w*")
    return "".join(parts)


def phrase_regex(phrase: str) -> str:
    """The regular expression (without word boundaries) for one phrase line."""
    tokens = [t for t in _TOKEN_SPLIT.split(fold(phrase.strip())) if t]
    if not tokens:
        raise PatternError(_("Empty phrase."))
    return SEPARATOR.join(_token_regex(t) for t in tokens)


def phrase_keys(phrase: str) -> set[str] | None:
    """The first two (folded) characters of every match of this phrase; None when they are not fixed."""
    tokens = [t for t in _TOKEN_SPLIT.split(fold(phrase.strip())) if t]
    if not tokens:
        return None
    first, position = tokens[0], 0
    prefixes = {""}
    while position < len(first) and min(len(p) for p in prefixes) < 2:
        char = first[position]
        if char == "{":
            close = first.find("}", position)
            if close < 0:
                return None
            variants = first[position + 1 : close].split(",")
            prefixes = {p + v for p in prefixes for v in variants}
            position = close + 1
        elif char == "*":
            break
        else:
            prefixes = {p + char for p in prefixes}
            position += 1
    if any(len(p) < 2 for p in prefixes):
        return None
    return {p[:2] for p in prefixes}


def pattern_keys(kind: str, patterns: str) -> frozenset[str] | None:
    """For phrase rules: the two-character keys every match starts with (see `Folded.starts`).

    None when a rule must scan the whole text (regular expressions, or a phrase without a fixed start).
    """
    if kind == "regex":
        return None
    keys: set[str] = set()
    for line in patterns.splitlines():
        if line.strip():
            line_keys = phrase_keys(line)
            if line_keys is None:
                return None
            keys |= line_keys
    return frozenset(keys)


def _fold_regex(pattern: str) -> str:
    """Fold a regular expression like the text, without changing what its escapes mean.

    Letters become lower case (the folded text has no capitals, so this is what IGNORECASE would
    do, only faster), except right after a backslash (\\W, \\S, \\B ...) and inside \\N{...};
    umlauts and ß are spelled out like in the text.
    """
    out: list[str] = []
    index, length = 0, len(pattern)
    while index < length:
        char = pattern[index]
        if char == "\\" and index + 1 < length:
            if pattern[index + 1] == "N" and pattern.startswith("{", index + 2):
                close = pattern.find("}", index + 3)
                close = length - 1 if close < 0 else close
                out.append(pattern[index : close + 1])
                index = close + 1
                continue
            out.append(pattern[index : index + 2])
            index += 2
            continue
        out.append(char.lower() if char.isascii() else fold_char(char))
        index += 1
    # Named groups keep their syntax: (?P<name>...) and (?P=name).
    return "".join(out).replace("(?p<", "(?P<").replace("(?p=", "(?P=").replace("(?p>", "(?P>")


def compile_patterns(kind: str, patterns: str) -> re.Pattern | None:
    """One compiled pattern for all lines of a rule (None when there are no lines).

    Raises PatternError with a translated message naming the line.
    """
    lines = [line.strip() for line in patterns.splitlines() if line.strip()]
    if not lines:
        return None
    alternatives = []
    for number, line in enumerate(lines, start=1):
        try:
            if kind == "regex":
                source = _fold_regex(line)
                re.compile(source)
            else:
                source = phrase_regex(line)
        except (PatternError, re.error) as exc:
            raise PatternError(_("Line %(line)d: %(error)s") % {"line": number, "error": exc}) from exc
        alternatives.append(source)
    if kind == "regex":
        combined = "|".join(f"(?:{source})" for source in alternatives)
    else:
        unique = sorted(set(alternatives), key=len, reverse=True)
        combined = WORD_START + "(?:" + "|".join(unique) + ")" + WORD_END
    try:
        # Pattern and text are both folded (lower case): no IGNORECASE, which makes scanning slower.
        return re.compile(combined)
    except re.error as exc:
        raise PatternError(
            _("The lines cannot be combined (%(error)s); avoid named groups and back-references.") % {"error": exc}
        ) from exc
