"""Forms of the video-source settings: the project's default and one scene's override."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.media.clips import kling, veo
from apps.media.clips.models import KlingMode, VideoSource


class VideoSettingsForm(forms.Form):
    default_source = forms.ChoiceField(label=_("Default source of scene pictures"), choices=VideoSource.choices)
    veo_model = forms.ChoiceField(label=_("Veo model"), choices=[(m, m) for m in veo.MODELS])
    kling_model = forms.ChoiceField(label=_("Kling model"), choices=[(m, m) for m in kling.MODELS])
    kling_mode = forms.ChoiceField(label=_("Kling mode"), choices=KlingMode.choices)

    @staticmethod
    def initial_for(settings) -> dict:
        return {
            "default_source": settings.default_source,
            "veo_model": settings.veo_model,
            "kling_model": settings.kling_model,
            "kling_mode": settings.kling_mode,
        }


class SceneSourceForm(forms.Form):
    scene_index = forms.TypedChoiceField(label=_("Scene"), coerce=int, choices=())
    source = forms.ChoiceField(
        label=_("Picture source"), required=False, choices=[("", _("Project default")), *VideoSource.choices]
    )

    def __init__(self, *args, scenes: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scene_index"].choices = [(index, str(index)) for index in scenes]
