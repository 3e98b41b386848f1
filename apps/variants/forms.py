"""Forms of the variants app: the brief wizard, the rewrite and fix buttons, the voice trainer."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from apps.core import platforms
from apps.variants.actions import EXAMPLES_MAX, EXAMPLES_MIN, split_examples
from apps.variants.models import PER_PLATFORM_MAX
from apps.variants.reasons import FIXES

LANGUAGE_CHOICES = [(code, name) for code, name in settings.LANGUAGES if code in ("de", "en")]
EXAMPLE_FILE_MAX_BYTES = 200_000


class BriefForm(forms.Form):
    topic = forms.CharField(label=_("Topic"), max_length=200)
    goal = forms.CharField(
        label=_("Goal"), max_length=200, required=False, help_text=_("e.g. sign-ups for the workshop")
    )
    key_message = forms.CharField(
        label=_("Key message"), max_length=600, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    link = forms.URLField(label=_("Link"), max_length=500, required=False, assume_scheme="https")
    cta = forms.CharField(label=_("Call to action"), max_length=150, required=False)
    audience = forms.CharField(label=_("Audience"), max_length=200, required=False)
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=LANGUAGE_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    platforms = forms.MultipleChoiceField(
        label=_("Platforms"), choices=platforms.choices, widget=forms.CheckboxSelectMultiple
    )
    per_platform = forms.TypedChoiceField(
        label=_("Variants per platform and language"),
        choices=[(n, str(n)) for n in range(1, PER_PLATFORM_MAX + 1)],
        coerce=int,
        initial=3,
    )

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        if project is not None and not self.is_bound:
            self.initial.setdefault("languages", [project.language if project.language in ("de", "en") else "de"])
            self.initial.setdefault("platforms", [key for key, _name in platforms.choices()])
            self.initial.setdefault("cta", project.cta)
            self.initial.setdefault("audience", project.audience)


# Rewrite operations, the same as the post editor's "AI improve" understands (apps/ai/offline/intents).
OPERATIONS = {
    "formal": ("Make it more formal.", _("More formal")),
    "casual": ("Make it more casual.", _("More casual")),
    "shorter": ("Make it shorter.", _("Shorter")),
    "longer": ("Make it longer, with more detail.", _("Longer")),
    "cta": ("Add a call to action.", _("Add a call to action")),
    "emoji": ("Add emoji.", _("Add emoji")),
    "remove_hashtags": ("Remove hashtags.", _("Remove hashtags")),
    "translate_en": ("Translate to English.", _("Translate to English")),
    "translate_de": ("Translate to German.", _("Translate to German")),
}
TONE_OPERATIONS = ("formal", "casual")
LENGTH_OPERATIONS = ("shorter", "longer")
OTHER_OPERATIONS = ("cta", "emoji", "remove_hashtags", "translate_en", "translate_de")


class RewriteForm(forms.Form):
    operation = forms.ChoiceField(choices=[(key, label) for key, (_i, label) in OPERATIONS.items()])
    version = forms.IntegerField(min_value=1)


class FixForm(forms.Form):
    fix = forms.ChoiceField(choices=list(FIXES.items()))
    version = forms.IntegerField(min_value=1)


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=1)


class AcceptForm(forms.Form):
    token = forms.CharField(max_length=20000)


# The longest caption of any platform (Facebook); each platform's own limit is a lint finding, not a refusal.
TEXT_MAX = 63_206
HASHTAGS_MAX = 30
HASHTAG = re.compile(r"#[^\s#]{1,39}")


class VariantEditForm(forms.Form):
    """Hand-editing a variant: its text, title, hashtags and first comment, with the version it edits.

    Title and first comment are offered where the platform has them (or the variant already does)."""

    text = forms.CharField(label=_("Text"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 6}))
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    hashtags = forms.CharField(
        label=_("Hashtags"),
        max_length=2000,
        required=False,
        help_text=_("Separated by spaces, e.g. #coffee #espresso"),
    )
    first_comment = forms.CharField(
        label=_("First comment"), max_length=2200, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, variant, **kwargs):
        super().__init__(*args, **kwargs)
        self.variant = variant
        row = platforms.platform(variant.platform)
        if not row.title_max and not variant.title:
            del self.fields["title"]
        if not row.first_comment and not variant.first_comment:
            del self.fields["first_comment"]
        prefix = f"v-{variant.id}-edit"
        for name, field in self.fields.items():
            field.widget.attrs["id"] = f"{prefix}-{name}"

    @classmethod
    def of(cls, variant) -> VariantEditForm:
        initial = {
            "text": variant.text,
            "title": variant.title,
            "hashtags": " ".join(variant.hashtags or []),
            "first_comment": variant.first_comment,
            "version": variant.version,
        }
        return cls(variant=variant, initial=initial)

    def clean_hashtags(self) -> list[str]:
        tags = []
        for word in re.split(r"[\s,]+", self.cleaned_data["hashtags"]):
            if not word:
                continue
            tag = word if word.startswith("#") else f"#{word}"
            if not HASHTAG.fullmatch(tag):
                raise forms.ValidationError(
                    _("“%(tag)s” is not a hashtag: a # and up to 39 characters, without spaces or another #.")
                    % {"tag": word}
                )
            tags.append(tag)
        tags = list(dict.fromkeys(tags))
        if len(tags) > HASHTAGS_MAX:
            raise forms.ValidationError(_("At most %(n)s hashtags.") % {"n": HASHTAGS_MAX})
        return tags

    def changes(self) -> dict:
        fields = ("text", "title", "hashtags", "first_comment")
        return {name: self.cleaned_data[name] for name in fields if name in self.fields}


class VoiceTrainerForm(forms.Form):
    examples = forms.CharField(
        label=_("Example posts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("One post per paragraph, or separate posts with a line that holds only ---."),
    )
    file = forms.FileField(label=_("…or upload a .txt file"), required=False)

    def clean(self):
        data = super().clean()
        text = data.get("examples") or ""
        upload = data.get("file")
        if upload is not None:
            if upload.size > EXAMPLE_FILE_MAX_BYTES or not upload.name.lower().endswith((".txt", ".md")):
                raise forms.ValidationError(_("Upload a .txt or .md file of at most 200 KB."))
            try:
                text = f"{text}\n\n{upload.read().decode('utf-8')}"
            except UnicodeDecodeError:
                raise forms.ValidationError(_("The file is not UTF-8 text.")) from None
        examples = split_examples(text)
        if not EXAMPLES_MIN <= len(examples) <= EXAMPLES_MAX:
            raise forms.ValidationError(
                _("Paste between %(low)s and %(high)s example posts; you gave %(n)s.")
                % {"low": EXAMPLES_MIN, "high": EXAMPLES_MAX, "n": len(examples)}
            )
        data["example_list"] = examples
        return data
