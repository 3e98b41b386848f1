"""Reason codes of the month-plan pipeline (code + parameters, rendered in the viewer's language)."""

from django.utils.translation import gettext_lazy as _

from apps.core.reasons import define

HOOK_TOO_CLOSE = define(
    "planning.hook_too_close",
    _(
        "The AI's hooks for this slot were too close to an existing hook (“%(nearest)s”, similarity "
        "%(similarity)s %%), so this hook was written from the idea's outline. Please check it."
    ),
)
