"""Reason codes: store a code and its parameters, render the sentence in the viewer's language.

Each app declares its codes once, at import, in its own `reasons.py`:

    from django.utils.translation import gettext_lazy as _
    from apps.core.reasons import define

    TOO_CLOSE = define("similarity.too_close", _("The hook is too close to “%(match)s” (%(score)s)."))

and stores `TOO_CLOSE.reason(match=..., score=...)` (a `Reason`, JSON-able via `as_dict()`).
Templates render stored reasons with `{% load reasons %}{{ reason|reason_text }}`; Python
calls `render(reason)`. Rendering happens at display time, so a German viewer reads German
whatever language the writer used.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

_REGISTRY: dict[str, "ReasonCode"] = {}


@dataclass(frozen=True)
class Reason:
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params)}

    def __str__(self) -> str:
        return render(self)


@dataclass(frozen=True)
class ReasonCode:
    code: str
    template: Any  # a lazy translatable string with %(name)s placeholders

    def reason(self, **params: Any) -> Reason:
        return Reason(self.code, params)

    def __str__(self) -> str:
        return self.code


def define(code: str, template: Any) -> ReasonCode:
    """Declare a reason code; declaring the same code twice with another text is a bug."""
    existing = _REGISTRY.get(code)
    if existing is not None and existing.template is not template and str(existing.template) != str(template):
        raise ValueError(f"reason code {code!r} is already defined with another text")
    entry = ReasonCode(code, template)
    _REGISTRY[code] = entry
    return entry


def registered() -> dict[str, ReasonCode]:
    return dict(_REGISTRY)


def coerce(value: Any) -> Reason | None:
    """A `Reason` from a `Reason`, a `{"code", "params"}` dict (as stored in JSON) or a bare code."""
    if value is None or value == "" or value == {}:
        return None
    if isinstance(value, Reason):
        return value
    if isinstance(value, ReasonCode):
        return value.reason()
    if isinstance(value, Mapping):
        return Reason(str(value.get("code", "")), dict(value.get("params") or {}))
    if isinstance(value, str):
        return Reason(value, {})
    raise TypeError(f"not a reason: {value!r}")


def _render_param(value: Any) -> Any:
    # A parameter may itself be a reason (a nested cause) or a lazy string: render it too.
    if isinstance(value, Reason | ReasonCode) or (isinstance(value, Mapping) and "code" in value):
        return render(value)
    if isinstance(value, list | tuple):
        return ", ".join(str(_render_param(item)) for item in value)
    return value


def render(value: Any) -> str:
    """The reason as a sentence in the active language ("" for no reason)."""
    reason = coerce(value)
    if reason is None:
        return ""
    entry = _REGISTRY.get(reason.code)
    if entry is None:
        # An unknown code (a removed rule, say) still shows something useful.
        return gettext("Reason: %(code)s") % {"code": reason.code}
    params = {name: _render_param(item) for name, item in reason.params.items()}
    text = str(entry.template)
    try:
        return text % params if params or "%(" in text else text
    except (KeyError, TypeError, ValueError):
        return text


def render_all(values: Iterable[Any], separator: str = " ") -> str:
    return separator.join(text for text in (render(value) for value in values) if text)
