import re

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.compliance.models import Platform
from apps.compliance.policy import PolicyInput

CONTENT_LANGUAGES = [("de", _("German")), ("en", _("English"))]
MAX_HASHTAGS = 200
_HASHTAG_SPLIT = re.compile(r"[\s,;]+")


class PolicyTestForm(forms.Form):
    text = forms.CharField(
        label=_("Text"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Enter the text you want to check.")},
    )
    title = forms.CharField(label=_("Title"), max_length=500, required=False)
    hashtags = forms.CharField(
        label=_("Hashtags"),
        max_length=5_000,
        required=False,
        help_text=_("Separated by spaces or commas; the # is optional."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=CONTENT_LANGUAGES, initial="de")
    platform = forms.ChoiceField(
        label=_("Platform"), choices=[("", _("Any platform")), *Platform.choices], required=False
    )
    ai_generated = forms.BooleanField(label=_("AI-generated content"), required=False)
    disclosure = forms.BooleanField(label=_("AI label set on the platform"), required=False)

    def clean_hashtags(self) -> list[str]:
        tags = [t.lstrip("#") for t in _HASHTAG_SPLIT.split(self.cleaned_data["hashtags"])]
        tags = [t for t in tags if t]
        if len(tags) > MAX_HASHTAGS:
            raise forms.ValidationError(
                _("Enter at most %(limit)d hashtags."), code="too_many", params={"limit": MAX_HASHTAGS}
            )
        return tags

    def policy_input(self) -> PolicyInput:
        data = self.cleaned_data
        return PolicyInput(
            text=data["text"],
            title=data["title"],
            hashtags=tuple(data["hashtags"]),
            language=data["language"],
            ai_generated=data["ai_generated"],
            disclosure=data["disclosure"],
            platform=data["platform"] or None,
        )
