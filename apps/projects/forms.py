"""Forms of the project pages: one form per settings section, each validating everything it accepts.

A form that is valid hands the action clean Python values (lists, ints, None for "empty"); the
actions in `apps.projects.actions` write them.
"""

from __future__ import annotations

import functools
import re
import zoneinfo

from django import forms
from django.conf import settings
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from apps.projects.models import ApprovalRule

# Slugs the project URLs use for pages of their own (/o/<org>/p/new/).
RESERVED_SLUGS = frozenset({"new"})

PLATFORM_CHOICES = [
    ("tiktok", "TikTok"),
    ("instagram", "Instagram"),
    ("youtube_shorts", "YouTube Shorts"),
    ("x", "X"),
    ("linkedin", "LinkedIn"),
    ("facebook", "Facebook"),
    ("threads", "Threads"),
    ("pinterest", "Pinterest"),
]

MAX_LIST_ITEMS = 30
MAX_LIST_ITEM_LENGTH = 200
MAX_COLORS = 12
MAX_HASHTAGS = 30
MAX_HASHTAG_LENGTH = 40  # with the '#'
HASHTAG_RE = re.compile(r"^\w+$")
LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_KINDS = {"png": "image/png", "jpeg": "image/jpeg", "svg": "image/svg+xml", "webp": "image/webp"}
LOGO_EXTENSIONS = {"png": "png", "jpg": "jpeg", "jpeg": "jpeg", "svg": "svg", "webp": "webp"}
COLOR_RE = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_SVG_FORBIDDEN = re.compile(rb"<script|<foreignobject|\bon[a-z]+\s*=|javascript:|<!entity", re.IGNORECASE)


@functools.cache
def time_zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def sorted_time_zones() -> list[str]:
    return sorted(time_zone_names())


def split_lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


def parse_hashtags(raw: str, max_tags: int) -> list[str]:
    """`#a #b, c` → ["#a", "#b", "#c"] (unique, case-insensitive); raises ValidationError."""
    tags, seen = [], set()
    for item in re.split(r"[\s,;]+", raw or ""):
        if not item:
            continue
        word = item.lstrip("#")
        if not word or not HASHTAG_RE.match(word):
            raise forms.ValidationError(
                _("“%(value)s” is not a hashtag: use letters, digits and underscores only."),
                code="invalid",
                params={"value": item[:40]},
            )
        tag = f"#{word}"
        if len(tag) > MAX_HASHTAG_LENGTH:
            raise forms.ValidationError(
                _("“%(value)s…” is too long: at most %(max)s characters per hashtag."),
                params={"value": tag[:20], "max": MAX_HASHTAG_LENGTH},
            )
        if tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    if len(tags) > max_tags:
        raise forms.ValidationError(_("Enter at most %(max)s hashtags."), params={"max": max_tags})
    return tags


def project_topics(project) -> list[str]:
    """The project's topics and content pillars: where examples in help texts come from."""
    values = [*(getattr(project, "topics", None) or []), *(getattr(project, "content_pillars", None) or [])]
    return [str(value).strip() for value in values if str(value).strip()]


def example_hashtags(project) -> list[str]:
    """Two hashtags that fit the project: its own, else made from its topics."""
    own = [str(tag) for tag in (getattr(project, "hashtags", None) or []) if str(tag).strip()]
    made = [re.sub(r"\W", "", topic.casefold())[: MAX_HASHTAG_LENGTH - 1] for topic in project_topics(project)]
    tags = [tag if tag.startswith("#") else f"#{tag}" for tag in [*own, *made] if tag.strip("#")]
    return list(dict.fromkeys(tags))[:2]


class LinesField(forms.CharField):
    """A textarea with one entry per line → a list without blanks and duplicates (case-insensitive)."""

    widget = forms.Textarea(attrs={"rows": 4})

    def __init__(self, *args, max_items: int = MAX_LIST_ITEMS, max_item_length: int = MAX_LIST_ITEM_LENGTH, **kwargs):
        self.max_items, self.max_item_length = max_items, max_item_length
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list | tuple) else value

    def clean(self, value):
        items, seen = [], set()
        for line in split_lines(super().clean(value)):
            if line.casefold() not in seen:
                seen.add(line.casefold())
                items.append(line)
        if len(items) > self.max_items:
            raise forms.ValidationError(
                _("Enter at most %(max)s entries (one per line)."), code="too_many", params={"max": self.max_items}
            )
        for item in items:
            if len(item) > self.max_item_length:
                raise forms.ValidationError(
                    _("“%(item)s…” is too long: at most %(max)s characters per line."),
                    code="too_long",
                    params={"item": item[:30], "max": self.max_item_length},
                )
        return items


def _slot_field(label):
    return forms.TimeField(
        label=label,
        input_formats=["%H:%M"],
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
        error_messages={"invalid": _("Enter a time as HH:MM, for example 09:30.")},
    )


class ProjectBasicsForm(forms.Form):
    """Name, address, language, time zone and the three daily slot times (create and settings)."""

    name = forms.CharField(label=_("Name"), max_length=120)
    slug = forms.CharField(
        label=_("Address (slug)"),
        max_length=60,
        required=False,
        help_text=_("Lower-case letters, digits and hyphens. Leave empty to derive it from the name."),
    )
    language = forms.ChoiceField(
        label=_("Content language"),
        choices=settings.LANGUAGES,
        initial="de",
        help_text=_("The language of the generated posts."),
    )
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=60,
        initial="Europe/Berlin",
        widget=forms.Select(choices=[(zone, zone) for zone in sorted_time_zones()]),
        help_text=_("Slot times are in this time zone."),
    )
    slot_1 = _slot_field(_("First slot"))
    slot_2 = _slot_field(_("Second slot"))
    slot_3 = _slot_field(_("Third slot"))

    SLOT_FIELDS = ("slot_1", "slot_2", "slot_3")

    def basics(self) -> dict:
        """The cleaned values as `do_create_project` / `do_update_project_basics` take them."""
        names = ("name", "slug", "language", "time_zone", "slot_times")
        return {name: self.cleaned_data[name] for name in names}

    @classmethod
    def initial_for(cls, project) -> dict:
        initial = {
            "name": project.name,
            "slug": project.slug,
            "language": project.language,
            "time_zone": project.time_zone,
        }
        for name, value in zip(cls.SLOT_FIELDS, project.slot_times or [], strict=False):
            initial[name] = value
        return initial

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Please enter a name for the project."), code="required")
        return name

    def clean_slug(self):
        slug = self.cleaned_data["slug"].strip().lower()
        if slug and slugify(slug) != slug:
            raise forms.ValidationError(
                _("Use only lower-case letters, digits and hyphens in the address."), code="invalid"
            )
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(_("“%(slug)s” is reserved; choose another address."), params={"slug": slug})
        return slug

    def clean_time_zone(self):
        value = self.cleaned_data["time_zone"].strip()
        if value not in time_zone_names():
            raise forms.ValidationError(
                _("“%(zone)s” is not a known time zone. Use a name such as Europe/Berlin."),
                code="unknown",
                params={"zone": value[:60]},
            )
        return value

    def clean(self):
        cleaned = super().clean()
        times = [cleaned.get(name) for name in self.SLOT_FIELDS]
        if all(time is not None for time in times):
            labels = [time.strftime("%H:%M") for time in times]
            if len(set(labels)) != len(labels):
                self.add_error("slot_3", _("The three slot times must be different."))
            else:
                cleaned["slot_times"] = sorted(labels)
        return cleaned


class BrandKitForm(forms.Form):
    voice = forms.CharField(
        label=_("Voice"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("How the brand speaks, e.g. “warm, expert, a little cheeky”."),
    )
    tone = forms.CharField(label=_("Tone"), required=False, max_length=200)
    do_list = LinesField(label=_("Do"), help_text=_("One rule per line."))
    dont_list = LinesField(label=_("Don't"), help_text=_("One rule per line."))
    audience = forms.CharField(
        label=_("Audience"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    colors = forms.CharField(
        label=_("Brand colours"),
        required=False,
        max_length=200,
        help_text=_("Hex codes separated by spaces or commas, e.g. #5b3df5, #ffb300."),
    )
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG, JPEG, SVG or WebP, at most 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".png,.jpg,.jpeg,.svg,.webp"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    cta = forms.CharField(label=_("Call to action"), required=False, max_length=200)
    hashtags = forms.CharField(
        label=_("Hashtags"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Separated by spaces, commas or new lines; the # is added for you."),
    )
    topics = LinesField(label=_("Topics"), help_text=_("One per line."))
    content_pillars = LinesField(label=_("Content pillars"), help_text=_("One per line."))

    def use_examples(self, project) -> None:
        """The hashtag help text with examples from the project's own topics."""
        tags = example_hashtags(project)
        if tags:
            self.fields["hashtags"].help_text = _(
                "Separated by spaces, commas or new lines; the # is added for you. For example: %(examples)s"
            ) % {"examples": " ".join(tags)}

    @staticmethod
    def initial_for(project, voice) -> dict:
        return {
            "voice": voice.voice if voice else "",
            "tone": voice.tone if voice else "",
            "do_list": voice.do_list if voice else "",
            "dont_list": voice.dont_list if voice else "",
            "audience": project.audience,
            "colors": ", ".join(project.colors or []),
            "cta": project.cta,
            "hashtags": " ".join(project.hashtags or []),
            "topics": project.topics,
            "content_pillars": project.content_pillars,
        }

    def clean_colors(self):
        colors = []
        for raw in re.split(r"[\s,;]+", self.cleaned_data["colors"]):
            if not raw:
                continue
            match = COLOR_RE.match(raw)
            if match is None:
                raise forms.ValidationError(
                    _("“%(value)s” is not a hex colour such as #5b3df5."), code="invalid", params={"value": raw[:20]}
                )
            digits = match.group(1).lower()
            if len(digits) == 3:
                digits = "".join(c * 2 for c in digits)
            if f"#{digits}" not in colors:
                colors.append(f"#{digits}")
        if len(colors) > MAX_COLORS:
            raise forms.ValidationError(_("Enter at most %(max)s colours."), params={"max": MAX_COLORS})
        return colors

    def clean_hashtags(self):
        return parse_hashtags(self.cleaned_data["hashtags"], MAX_HASHTAGS)

    def clean_do_list(self):
        return "\n".join(self.cleaned_data["do_list"])

    def clean_dont_list(self):
        return "\n".join(self.cleaned_data["dont_list"])

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        if not upload:
            return None
        extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if extension not in LOGO_EXTENSIONS:
            raise forms.ValidationError(_("Upload the logo as PNG, JPEG, SVG or WebP."), code="type")
        if upload.size > LOGO_MAX_BYTES:
            raise forms.ValidationError(_("The logo is too large: at most 2 MB."), code="size")
        upload.seek(0)
        head = upload.read(LOGO_MAX_BYTES + 1)
        upload.seek(0)
        kind = sniff_image(head)
        if kind is None or kind != LOGO_EXTENSIONS[extension]:
            raise forms.ValidationError(
                _("This file is not a valid %(kind)s image."), code="content", params={"kind": extension.upper()}
            )
        upload.logo_kind = kind
        return upload

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("logo") and cleaned.get("remove_logo"):
            self.add_error("remove_logo", _("Either upload a new logo or remove it, not both."))
        return cleaned


def sniff_image(data: bytes) -> str | None:
    """The kind of image in `data` by its content ("png", "jpeg", "webp", "svg"), or None.

    An SVG is accepted only without scripts, event handlers, foreign objects or entities."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    text = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if (text.startswith(b"<?xml") or text.startswith(b"<svg") or text.startswith(b"<!--")) and b"<svg" in text:
        try:
            text.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if _SVG_FORBIDDEN.search(text):
            return None
        return "svg"
    return None


class PublishingForm(forms.Form):
    target_platforms = forms.MultipleChoiceField(
        label=_("Target platforms"),
        choices=PLATFORM_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    autopilot = forms.BooleanField(
        label=_("Autopilot"),
        required=False,
        help_text=_("Publish posts that pass every check without waiting for a person."),
    )
    approval_rule = forms.ChoiceField(label=_("Approval"), choices=ApprovalRule.choices)

    @staticmethod
    def initial_for(project) -> dict:
        return {
            "target_platforms": project.target_platforms,
            "autopilot": project.autopilot,
            "approval_rule": project.approval_rule,
        }

    def clean_target_platforms(self):
        chosen = set(self.cleaned_data["target_platforms"])
        return [value for value, _label in PLATFORM_CHOICES if value in chosen]


class BudgetsForm(forms.Form):
    EMPTY = _("Empty: only the plan's limits apply.")

    monthly_token_budget = forms.IntegerField(
        label=_("LLM tokens per month"), required=False, min_value=0, max_value=10**15, help_text=EMPTY
    )
    monthly_video_seconds_budget = forms.IntegerField(
        label=_("Video seconds per month"), required=False, min_value=0, max_value=2_000_000_000, help_text=EMPTY
    )
    max_regenerations_per_post = forms.IntegerField(
        label=_("Regenerations per post"), required=False, min_value=0, max_value=1000, help_text=EMPTY
    )

    FIELDS = ("monthly_token_budget", "monthly_video_seconds_budget", "max_regenerations_per_post")

    @classmethod
    def initial_for(cls, project) -> dict:
        return {name: getattr(project, name) for name in cls.FIELDS}


class DeleteProjectForm(forms.Form):
    confirmation = forms.CharField(label=_("Type the project's address (slug) to confirm"), max_length=60)
