"""LLM providers: OpenRouter (network) and offline (deterministic, no network).

Shared helpers that do not depend on one provider:

- `backoff_delay(attempt, retry_after=None)`: how long to wait before retry number `attempt`
  (full jitter, honouring a server's `Retry-After`). Providers never retry by themselves; the
  orchestrator owns the retry policy and uses this.
- `strict_json_schema(schema)`: a pydantic JSON schema made acceptable for strict structured
  outputs (`response_format.json_schema.strict = true`).
"""

from __future__ import annotations

import copy
import random

# Keys that strict structured outputs reject or that carry no meaning once every property is required.
_DROPPED_KEYS = ("default",)
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SCHEMA_MAPS = ("properties", "$defs", "definitions", "patternProperties")


def backoff_delay(
    attempt: int,
    retry_after: float | None = None,
    base: float = 0.25,
    cap: float = 8.0,
    *,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait before retry number `attempt` (1 = the first retry).

    Full jitter: a uniform draw from [0, min(cap, base * 2**(attempt - 1))]. When the server
    said `Retry-After` (seconds), the delay is at least that long: `retry_after` plus a jitter
    of up to `base`, so clients that were throttled together do not return together. A
    Retry-After larger than `cap` is honoured as is; whether to wait that long or give up is
    the caller's decision.
    """
    draw = (rng or random).uniform
    attempt = max(1, int(attempt))
    window = min(cap, base * (2 ** min(attempt - 1, 62)))
    delay = draw(0.0, window)
    if retry_after is not None and retry_after >= 0:
        return max(delay, float(retry_after) + draw(0.0, base))
    return delay


def strict_json_schema(schema: dict) -> dict:
    """A copy of `schema` that strict structured outputs accept (OpenAI-style `strict: true`).

    Recursively, including `$defs`: every object gets `additionalProperties: false` and lists
    every property in `required`; `default` keywords are dropped (everything is required now);
    a `$ref` that has sibling keywords (pydantic puts a description next to it) is inlined;
    a single-element `allOf` is merged into its parent. Map-typed fields (`dict[str, X]`)
    cannot be expressed in strict mode and become empty objects.
    """
    root = copy.deepcopy(schema)
    return _strictify(root, root, depth=0)


def _resolve_ref(root: dict, ref: str) -> dict:
    if not ref.startswith("#/"):
        raise ValueError(f"Only local $refs are supported, got {ref!r}.")
    node = root
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _strictify(node, root: dict, depth: int):
    if depth > 100:
        raise ValueError("JSON schema nests too deeply.")
    if isinstance(node, list):
        return [_strictify(item, root, depth + 1) for item in node]
    if not isinstance(node, dict):
        return node

    if "$ref" in node and len(node) > 1:
        # Inline the referenced schema and keep the siblings (description, title, ...).
        target = copy.deepcopy(_resolve_ref(root, node["$ref"]))
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        node = {**target, **siblings}
    if isinstance(node.get("allOf"), list) and len(node["allOf"]) == 1 and isinstance(node["allOf"][0], dict):
        only = node.pop("allOf")[0]
        node = {**only, **node}
        return _strictify(node, root, depth + 1)

    for key in _DROPPED_KEYS:
        node.pop(key, None)
    for key in _SCHEMA_MAPS:
        if isinstance(node.get(key), dict):
            node[key] = {name: _strictify(sub, root, depth + 1) for name, sub in node[key].items()}
    for key in _SCHEMA_LISTS:
        if isinstance(node.get(key), list):
            node[key] = [_strictify(sub, root, depth + 1) for sub in node[key]]
    for key in ("items", "not", "contains"):
        if isinstance(node.get(key), dict):
            node[key] = _strictify(node[key], root, depth + 1)

    types = node.get("type")
    is_object = types == "object" or (isinstance(types, list) and "object" in types) or "properties" in node
    if is_object:
        properties = node.get("properties") or {}
        node["properties"] = properties
        node["required"] = list(properties)
        node["additionalProperties"] = False
    return node
