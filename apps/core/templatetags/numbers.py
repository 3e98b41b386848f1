"""`{{ value|percent }}`: a percentage as the viewer's language writes it ("65%" in English, "65 %" in German)."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import pgettext

register = template.Library()


@register.filter
def percent(value, decimals: int = 0) -> str:
    if value is None or value == "":
        return ""
    try:
        number = round(float(value), int(decimals)) if int(decimals) else round(float(value))
    except (TypeError, ValueError):
        return ""
    shown = number_format(number, decimal_pos=int(decimals) or None, use_l10n=True)
    # Translators: a percentage; German puts a (non-breaking) space before the sign: "%(number)s %%".
    return pgettext("percentage", "%(number)s%%") % {"number": shown}
