from django import forms
from django.utils.translation import gettext_lazy as _

from apps.media.models import AssetKind, LicenceState, LicenceType, VoiceEngine
from apps.projects.models import Project

ELEVENLABS_MODELS = ("eleven_multilingual_v2", "eleven_turbo_v2_5", "eleven_flash_v2_5")  # tts.md
UPLOAD_KINDS = [(kind, label) for kind, label in AssetKind.choices if kind != AssetKind.RENDER]


def _projects(org):
    return Project.objects.for_org(org).order_by("name")


def parse_tags(raw: str) -> list[str]:
    seen = []
    for tag in raw.replace(";", ",").split(","):
        tag = tag.strip().lower()[:40]
        if tag and tag not in seen:
            seen.append(tag)
    return seen[:20]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=UPLOAD_KINDS, initial=AssetKind.IMAGE)
    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False, empty_label=_("Whole organization")
    )
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = _projects(org)


class AssetForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False, empty_label=_("Whole organization")
    )
    tags = forms.CharField(label=_("Tags"), max_length=500, required=False, help_text=_("Separated by commas."))
    licence_type = forms.ChoiceField(label=_("Licence"), choices=LicenceType.choices, required=False)
    licence_url = forms.URLField(label=_("Licence source URL"), max_length=500, required=False, assume_scheme="https")
    attribution = forms.CharField(label=_("Attribution text"), max_length=300, required=False)
    licensed_until = forms.DateField(
        label=_("Licensed until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Last day the licence allows use. Empty: no end."),
    )
    licence_notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = _projects(org)

    def clean_tags(self):
        return parse_tags(self.cleaned_data["tags"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("licence_type") == LicenceType.CC_BY and not cleaned.get("attribution", "").strip():
            self.add_error("attribution", _("A Creative Commons licence needs the attribution text."))
        return cleaned


class LibraryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All kinds")), *AssetKind.choices], required=False)
    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False, empty_label=_("All projects")
    )
    tag = forms.CharField(label=_("Tag"), required=False, max_length=40)
    licence = forms.ChoiceField(
        label=_("Licence"), choices=[("", _("Any licence state")), *LicenceState.choices], required=False
    )
    view = forms.ChoiceField(
        label=_("View"), choices=[("grid", _("Grid")), ("list", _("List"))], required=False, initial="grid"
    )

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = _projects(org)


class PolicyForm(forms.Form):
    require_licence = forms.BooleanField(
        label=_("Require a licence for every asset a post's video uses"), required=False
    )


class VoiceSettingsForm(forms.Form):
    engine = forms.ChoiceField(label=_("Voice"), choices=VoiceEngine.choices)
    voice_id = forms.CharField(
        label=_("ElevenLabs voice ID"), max_length=64, required=False,
        help_text=_("From your ElevenLabs voice library, e.g. 21m00Tcm4TlvDq8ikWAM."),
    )  # fmt: skip
    model_id = forms.ChoiceField(label=_("ElevenLabs model"), choices=[(m, m) for m in ELEVENLABS_MODELS])

    @staticmethod
    def initial_for(settings) -> dict:
        return {"engine": settings.engine, "voice_id": settings.voice_id, "model_id": settings.model_id}

    def clean(self):
        data = super().clean()
        if data.get("engine") == VoiceEngine.ELEVENLABS and not data.get("voice_id"):
            self.add_error("voice_id", _("Enter the ElevenLabs voice ID the videos should be spoken with."))
        return data
