"""`{{ reason|reason_text }}` renders a stored reason code in the viewer's language."""

from django import template

from apps.core.reasons import render, render_all

register = template.Library()


@register.filter
def reason_text(value) -> str:
    return render(value)


@register.filter
def reasons_text(values) -> str:
    return render_all(values or [])
