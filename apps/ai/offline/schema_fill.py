"""Plausible data that validates against a JSON schema, deterministic for a random generator.

Shared by the OpenRouter stand-in (apps.sandbox), which answers structured-output requests with
`generate(schema, rng)`, and the offline provider, for models no composer knows. It
walks the schema: `$ref`/`$defs`, `anyOf`/`oneOf` (the first non-null branch), `allOf`,
`const`, `enum`, objects (every property), arrays (`minItems`..`maxItems`, `uniqueItems`,
`prefixItems`), strings (`minLength`/`maxLength`, `format` date/date-time/time/email/uri/uuid;
`pattern` is not supported), numbers and integers within `minimum`/`maximum` (exclusive bounds
and `multipleOf` too; confidence-like names without bounds stay within [0, 1]), booleans, null.
Property names steer the text: a `rationale` gets a sentence, a `title` a few words, a
`hashtags` list gets hashtags.
"""

from __future__ import annotations

import math
import random
import uuid
from datetime import UTC, datetime, timedelta

from apps.ai.offline import library
from apps.ai.offline.schema_shapes import fill_totals, is_index_name, matching, normalise_shares

MAX_DEPTH = 12
CONFIDENCE_NAMES = ("confidence", "probability", "likelihood", "certainty", "score", "ratio", "share", "weight")
SENTENCE_NAMES = ("rationale", "reason", "explanation", "summary", "description", "note", "why", "feedback")
LONG_TEXT_NAMES = ("caption", "script", "body", "content", "text", "voiceover", "narration", "transcript")
SHORT_TEXT_NAMES = ("title", "hook", "headline", "name", "label", "topic", "cta", "theme", "pillar")


class Generator:
    def __init__(self, root: dict, rng: random.Random, language: str = "en", words=()):
        self.root = root
        self.rng = rng
        self.language = language if language in library.LANGS else "en"
        self.words = [*words, *library.language(self.language).banks.schema_words]
        self._item: dict | None = None  # set while generating an array item (see object())

    # --- text -------------------------------------------------------------------------------
    def _words(self, low: int, high: int) -> str:
        return " ".join(self.rng.choice(self.words) for _ in range(self.rng.randint(low, high)))

    def _sentence(self, low: int = 8, high: int = 14) -> str:
        text = self._words(low, high)
        return text[:1].upper() + text[1:] + "."

    def string(self, schema: dict, name: str) -> str:
        fmt = schema.get("format")
        lowered = name.lower()
        if fmt == "date-time":
            value = (datetime(2026, 1, 1, 9, tzinfo=UTC) + timedelta(hours=self.rng.randint(0, 24 * 60))).isoformat()
        elif fmt == "date":
            value = (datetime(2026, 1, 1) + timedelta(days=self.rng.randint(0, 60))).date().isoformat()
        elif fmt == "time":
            value = f"{self.rng.choice((9, 12, 18, 20)):02d}:{self.rng.choice((0, 15, 30, 45)):02d}:00"
        elif fmt == "email":
            value = f"{self.rng.choice(self.words).lower()}@example.com"
        elif fmt in ("uri", "url", "iri") or lowered in ("url", "link", "source_url"):
            value = f"https://example.com/{self.rng.choice(self.words).lower()}"
        elif fmt == "uuid" or lowered in ("uuid",):
            value = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        elif "hashtag" in lowered or lowered == "tag":
            value = "#" + "".join(self.rng.choice(self.words) for _ in range(2)).replace(" ", "").lower()
        elif lowered.endswith("time") or lowered.endswith("_at_time"):
            value = f"{self.rng.choice((9, 12, 18, 20)):02d}:{self.rng.choice((0, 15, 30, 45)):02d}"
        elif lowered in ("timezone", "time_zone", "tz"):
            value = self.rng.choice(("Europe/Berlin", "Europe/Vienna", "Europe/Zurich"))
        elif lowered in ("language", "lang", "locale"):
            value = self.language
        elif any(part in lowered for part in SENTENCE_NAMES):
            value = self._sentence()
        elif any(part in lowered for part in LONG_TEXT_NAMES):
            value = " ".join(self._sentence(6, 12) for _ in range(2))
        elif any(part in lowered for part in SHORT_TEXT_NAMES):
            value = self._words(3, 6).capitalize()
        else:
            value = self._words(2, 4)
        if isinstance(schema.get("pattern"), str):
            value = matching(schema["pattern"], value, self.rng, self.words)
        min_length = int(schema.get("minLength", 0) or 0)
        max_length = schema.get("maxLength")
        while len(value) < min_length:
            value = f"{value} {self._words(1, 3)}".strip()
        if isinstance(max_length, int) and len(value) > max_length:
            value = value[:max_length].rstrip() or value[:max_length]
            while len(value) < min_length:  # rstrip took too much
                value += "x"
        return value

    # --- numbers ----------------------------------------------------------------------------
    def number(self, schema: dict, name: str, integer: bool) -> int | float:
        low, high = schema.get("minimum"), schema.get("maximum")
        ex_low, ex_high = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
        step = 1 if integer else 0.01
        if isinstance(ex_low, int | float) and not isinstance(ex_low, bool):
            low = ex_low + step if low is None else max(low, ex_low + step)
        if isinstance(ex_high, int | float) and not isinstance(ex_high, bool):
            high = ex_high - step if high is None else min(high, ex_high - step)
        lowered = name.lower()
        if low is None and high is None:
            if not integer and any(part in lowered for part in CONFIDENCE_NAMES):
                low, high = 0.55, 0.95
            elif integer and "day" in lowered:
                low, high = 1, 28
            elif integer and ("second" in lowered or "duration" in lowered):
                low, high = 5, 60
            else:
                low, high = (1, 10) if integer else (0.0, 100.0)
        elif low is None:
            low = min(high, 0) if high >= 0 else high - 10
        elif high is None:
            high = low + (10 if integer else 1.0)
        if low > high:  # contradictory bounds: the best we can do
            return math.ceil(low) if integer else low
        multiple = schema.get("multipleOf")
        if isinstance(multiple, int | float) and multiple > 0:
            first, last = math.ceil(low / multiple), math.floor(high / multiple)
            value = self.rng.randint(first, max(first, last)) * multiple
            return int(value) if integer else round(value, 10)
        if integer:
            return self.rng.randint(math.ceil(low), max(math.ceil(low), math.floor(high)))
        value = round(self.rng.uniform(low, high), 2)
        return min(max(value, low), high)

    # --- structure --------------------------------------------------------------------------
    def resolve(self, schema: dict) -> dict:
        seen = 0
        while isinstance(schema, dict) and "$ref" in schema and seen < 50:
            ref = schema["$ref"]
            if not isinstance(ref, str) or not ref.startswith("#"):
                return {}
            target = self.root
            for part in ref[2:].split("/") if ref != "#" else []:
                target = target.get(part.replace("~1", "/").replace("~0", "~"), {})
            siblings = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**target, **siblings}
            seen += 1
        return schema

    def value(self, schema, name: str = "", depth: int = 0):
        if schema is True or schema is None:
            schema = {}
        if not isinstance(schema, dict):
            return None
        schema = self.resolve(schema)
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            if name.lower() in ("language", "lang", "locale") and self.language in schema["enum"]:
                return self.language
            return self.rng.choice(schema["enum"])
        for key in ("anyOf", "oneOf"):
            options = schema.get(key)
            if isinstance(options, list) and options:
                branches = [self.resolve(o) for o in options if isinstance(o, dict)]
                non_null = [b for b in branches if b.get("type") != "null"]
                if depth >= MAX_DEPTH and len(non_null) < len(branches):
                    return None
                chosen = non_null[0] if non_null else branches[0]
                rest = {k: v for k, v in schema.items() if k != key}
                return self.value({**rest, **chosen}, name, depth + 1)
        if isinstance(schema.get("allOf"), list):
            merged: dict = {k: v for k, v in schema.items() if k != "allOf"}
            for part in schema["allOf"]:
                part = self.resolve(part) if isinstance(part, dict) else {}
                properties = {**merged.get("properties", {}), **part.get("properties", {})}
                required = [*merged.get("required", []), *part.get("required", [])]
                merged = {**merged, **part, "properties": properties, "required": required}
            return self.value(merged, name, depth + 1)

        kind = schema.get("type")
        if isinstance(kind, list):
            non_null = [k for k in kind if k != "null"]
            if not non_null or (depth >= MAX_DEPTH and "null" in kind):
                return None
            kind = non_null[0]
        if kind is None:
            if "properties" in schema:
                kind = "object"
            elif "items" in schema or "prefixItems" in schema:
                kind = "array"
            else:
                kind = "string"
        if kind == "null":
            return None
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind == "integer":
            return self.number(schema, name, integer=True)
        if kind == "number":
            return self.number(schema, name, integer=False)
        if kind == "string":
            return self.string(schema, name)
        if kind == "array":
            return self.array(schema, name, depth)
        if kind == "object":
            return self.object(schema, depth)
        return None

    def object(self, schema: dict, depth: int) -> dict:
        # Directly inside an array: index-like integers follow the position, enum properties
        # differ between the items where they can (each item about another criterion, ...).
        item, self._item = self._item, None
        properties = schema.get("properties") or {}
        result = {}
        for name, sub in properties.items():
            resolved = self.resolve(sub) if isinstance(sub, dict) else {}
            enum = resolved.get("enum") if isinstance(resolved.get("enum"), list) else None
            if item is not None and enum:
                used = item["used"].setdefault(name, [])
                fresh = [v for v in enum if v not in used]
                result[name] = self.rng.choice(fresh or enum)
                used.append(result[name])
            elif item is not None and resolved.get("type") == "integer" and is_index_name(name):
                value = item["position"] + 1
                low, high = resolved.get("minimum"), resolved.get("maximum")
                value = max(value, low) if isinstance(low, int) else value
                result[name] = min(value, high) if isinstance(high, int) else value
            else:
                result[name] = self.value(sub, name, depth + 1)
        fill_totals(result, properties)
        extra = schema.get("additionalProperties")
        minimum = int(schema.get("minProperties", 0) or 0)
        index = 0
        while len(result) < minimum and extra is not False:
            index += 1
            result[f"{self.rng.choice(self.words).lower()}_{index}"] = self.value(
                extra if isinstance(extra, dict) else {}, "", depth + 1
            )
        return result

    def array(self, schema: dict, name: str, depth: int) -> list:
        prefix = schema.get("prefixItems") if isinstance(schema.get("prefixItems"), list) else []
        items = schema.get("items", {})
        minimum = int(schema.get("minItems", 0) or 0)
        maximum = schema.get("maxItems")
        count = max(minimum, len(prefix), 0 if depth >= MAX_DEPTH else min(max(minimum, 2), 3))
        if isinstance(maximum, int):
            count = min(count, maximum)
        if items is False:
            count = min(count, len(prefix))
        item_name = name[:-1] if name.endswith("s") else name
        used: dict[str, list] = {}
        result = []
        for position, sub in enumerate(prefix[:count]):
            self._item = {"position": position, "used": used}
            result.append(self.value(sub, item_name, depth + 1))
            self._item = None
        unique = bool(schema.get("uniqueItems"))
        resolved = self.resolve(items) if isinstance(items, dict) else {}
        enum = resolved.get("enum") if isinstance(resolved.get("enum"), list) else None
        if unique and enum is not None:
            pool = [v for v in enum if v not in result]
            self.rng.shuffle(pool)
            return result + pool[: max(0, count - len(result))]
        attempts = 0
        while len(result) < count and attempts < count * 20 + 20:
            attempts += 1
            self._item = {"position": len(result), "used": used}
            item = self.value(items if isinstance(items, dict) else {}, item_name, depth + 1)
            self._item = None
            if unique and item in result:
                continue
            result.append(item)
        return normalise_shares(result, resolved)


def generate(schema: dict, rng: random.Random, language: str = "en", words=()):
    """A value that validates against `schema` (see the module docstring for what is supported);
    text is strung together from `words` and the language's neutral schema words."""
    return Generator(schema, rng, language, words).value(schema)


def break_schema(value, schema: dict, variant: int):
    """Valid JSON that violates `schema`: variant 0 drops a required property, variant 1 sets a
    confidence-like number to 7 (falls back to the other variant when impossible)."""
    if not isinstance(value, dict):
        return {"unexpected": value}
    broken = dict(value)
    resolved = Generator(schema, random.Random(0)).resolve(schema)
    required = [name for name in resolved.get("required", []) if name in broken]
    confidence = next((name for name in broken if "confidence" in name.lower()), None)
    if variant % 2 == 1 and confidence is not None:
        broken[confidence] = 7
    elif required:
        broken.pop(required[0])
    elif confidence is not None:
        broken[confidence] = 7
    else:
        broken["unexpected_property"] = True  # breaks additionalProperties: false
    return broken
