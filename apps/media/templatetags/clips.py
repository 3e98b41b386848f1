"""`{% scene_source post scene_index as source %}`: a scene's own video source ("" = the project's default)."""

from django import template

from apps.media.clips.forms import SceneSourceForm
from apps.media.clips.routing import scene_overrides

register = template.Library()


@register.simple_tag
def scene_source(post, scene_index) -> str:
    try:
        return scene_overrides(post).get(int(scene_index), "")
    except (TypeError, ValueError):
        return ""


@register.simple_tag
def scene_source_choices() -> list:
    return list(SceneSourceForm.base_fields["source"].choices)
