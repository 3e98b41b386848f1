import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from apps.compliance.evaluation import EvalError, parse_tsv
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


class PolicyEvaluationForm(forms.Form):
    """A labelled TSV (the columns of tests/data/policy_corpus/tune.tsv), read in memory, never stored."""

    corpus = forms.FileField(
        label=_("Labelled TSV file"),
        help_text=_("Columns: id, language, category, expected, platform, commercial_content, ai_generated, text."),
        error_messages={"required": _("Choose a TSV file to evaluate.")},
    )

    def clean_corpus(self):
        upload = self.cleaned_data["corpus"]
        limit_kb = settings.VF_POLICY_EVAL_MAX_KB
        if upload.size > limit_kb * 1024:
            raise forms.ValidationError(
                _("The file is too big: at most %(limit)s KB."), code="too_big", params={"limit": limit_kb}
            )
        try:
            content = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not UTF-8 text."), code="encoding") from None
        try:
            self.rows = parse_tsv(content)
        except EvalError as exc:
            raise forms.ValidationError(
                _("The file is not a labelled TSV: %(detail)s"), code="columns", params={"detail": exc}
            ) from None
        if not self.rows:
            raise forms.ValidationError(_("The file has no rows."), code="empty")
        return upload
