"""`field|widget_data`: what a bound field's widget template would get, for the editor's inline input markup.

Rendering a widget through its own template costs a template render plus an include per attribute set and
per option (about a millisecond a field); the editor shows dozens of fields per request, so posts/detail.html
renders them inline (`#control`) from the same data, with the same markup as Django's widget templates.
"""

from django import template

register = template.Library()


@register.filter
def widget_data(field) -> dict:
    """The widget's context (`name`, `value`, `attrs`, `type`, `optgroups` …), built as `BoundField.as_widget` does."""
    widget = field.field.widget
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    return widget.get_context(field.html_name, field.value(), attrs)["widget"]
