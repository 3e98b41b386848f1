"""Forms of the AI control-plane pages: prompt overrides, brand voice, decision-log filters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.ai.models import AIDecision
from apps.ai.prompts import MAX_TEMPLATE_CHARS, PromptError, check_template_source
from apps.projects.models import Project


class PromptOverrideForm(forms.Form):
    system_template = forms.CharField(
        label=_("System prompt"),
        strip=False,
        max_length=MAX_TEMPLATE_CHARS,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        help_text=_("The agent's role and rules. Brand voice, language and the answer format are added automatically."),
    )
    user_template = forms.CharField(
        label=_("User prompt"),
        strip=False,
        max_length=MAX_TEMPLATE_CHARS,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_(
            "The task. Django template syntax: {{ inputs_json }} holds all inputs, {{ brief }} one of them, "
            "and the list knowledge holds the retrieved snippets."
        ),
    )

    def _clean_template(self, name: str) -> str:
        value = self.cleaned_data[name]
        if not value.strip():
            raise forms.ValidationError(_("This prompt must not be empty."))
        try:
            check_template_source(value)
        except PromptError as exc:
            raise forms.ValidationError(str(exc)) from None
        return value.replace("\r\n", "\n")

    def clean_system_template(self) -> str:
        return self._clean_template("system_template")

    def clean_user_template(self) -> str:
        return self._clean_template("user_template")


def _rules_field(label) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One rule per line."),
    )


class BrandVoiceForm(forms.Form):
    project = forms.ModelChoiceField(
        label=_("Applies to"),
        queryset=Project.objects.none(),
        required=False,
        to_field_name="slug",
        empty_label=_("Whole organization"),
    )
    voice = forms.CharField(
        label=_("Voice"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_('How the brand speaks, e.g. "warm, expert, a little cheeky; speaks to its audience as equals".'),
    )
    tone = forms.CharField(label=_("Tone"), required=False, max_length=200)
    do_list = _rules_field(_("Do"))
    dont_list = _rules_field(_("Don't"))

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.for_org(org).order_by("name")


class DecisionFilterForm(forms.Form):
    agent = forms.ChoiceField(label=_("Agent"), required=False)
    project = forms.ModelChoiceField(
        label=_("Project"), queryset=Project.objects.none(), required=False, to_field_name="slug", empty_label=_("All")
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", _("All")), *AIDecision.Outcome.choices]
    )

    def __init__(self, *args, org, agents: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].choices = [("", _("All")), *agents]
        self.fields["project"].queryset = Project.objects.for_org(org).order_by("name")
