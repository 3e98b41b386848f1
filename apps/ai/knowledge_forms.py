from django import forms
from django.utils.translation import gettext_lazy as _

from apps.ai.knowledge import ALLOWED_SUFFIXES, MAX_K
from apps.ai.models import KnowledgeDoc
from apps.projects.models import Project


class _ProjectField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def _project_field(**kwargs) -> _ProjectField:
    return _ProjectField(queryset=Project.objects.none(), required=False, **kwargs)


class AddKnowledgeForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to use the file name."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=KnowledgeDoc.Kind.choices)
    project = _project_field(
        label=_("Project"),
        empty_label=_("Whole organization"),
        help_text=_("Knowledge of one project is used only there; knowledge of the whole organization everywhere."),
    )
    file = forms.FileField(
        label=_("Upload a file"),
        required=False,
        help_text=_("A .txt, .md or .pdf file."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_SUFFIXES)}),
    )
    text = forms.CharField(
        label=_("… or paste a text"),
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.for_org(org).order_by("name")

    def clean(self):
        cleaned = super().clean()
        has_file, has_text = bool(cleaned.get("file")), bool(cleaned.get("text"))
        if has_file and has_text:
            raise forms.ValidationError(_("Either upload a file or paste a text, not both."))
        if not has_file and not has_text and not self.has_error("file"):
            raise forms.ValidationError(_("Please upload a file or paste a text."))
        return cleaned


class KnowledgeSearchForm(forms.Form):
    q = forms.CharField(label=_("Search text"), max_length=2000, required=False, strip=True)
    project = _project_field(
        label=_("As seen from project"),
        empty_label=_("All of the organization's knowledge"),
        help_text=_("A project sees its own knowledge and the organization-wide knowledge."),
    )
    kind = forms.MultipleChoiceField(
        label=_("Kinds"), choices=KnowledgeDoc.Kind.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    k = forms.IntegerField(label=_("Results"), min_value=1, max_value=MAX_K, required=False)

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.for_org(org).order_by("name")
