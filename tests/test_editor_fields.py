"""The editor's inline inputs (posts/detail.html#control) are what Django's widget templates render, field for
field: every field of every tab, unbound and bound with errors (aria-invalid), checkboxes and selects included."""

import re

import pytest
from django.template.loader import get_template

from apps.posts.forms import PostEditor
from tests.support.posts import MONTH, editor_data, make_plan, make_post, make_project

pytestmark = pytest.mark.django_db


def _squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


def _fields(editor: PostEditor):
    for part in editor.parts:
        if part is editor.form:
            yield from part
            continue
        yield from part.management_form
        for row in part.forms:
            yield from row


def test_inline_inputs_match_the_widget_templates(org):
    post = make_post(make_plan(make_project(org, topics=["Latte Art"])), MONTH, 1, caption="Ein <b>Caption</b> & mehr")
    post.ai_generated = True
    control = get_template("posts/detail.html#control")
    bad = editor_data(post, hook="", **{"scene-0-duration_seconds": "99", "board-1-camera": "x" * 500})
    editors = [PostEditor(post), PostEditor(post, bad)]
    assert not editors[1].is_valid()
    checked = 0
    for editor in editors:
        for field in _fields(editor):
            assert _squeezed(control.render({"field": field})) == _squeezed(field), field.html_name
            checked += 1
    assert checked > 80
    html = control.render({"field": editors[1].form["hook"]})
    assert 'aria-invalid="true"' in html and 'required' in html and 'maxlength="150"' in html
    assert "checked" in control.render({"field": editors[0].form["ai_generated"]})
