"""The post editor: one form for the plain fields plus three sets of repeated rows (formsets).

What a post's structured fields hold (the month-plan pipeline writes the same shapes; unknown
keys are kept when the editor saves, so other writers may add their own):

    script       {"title", "language", "cta", "total_duration_seconds",
                  "scenes": [{"index", "voiceover", "on_screen_text", "visual", "duration_seconds"}]}
    storyboard   [{"index", "visual", "camera", "duration_seconds"}]
    video_prompt {"aspect_ratio": "9:16"|"1:1"|"16:9", "style",
                  "prompts": [{"scene_index", "prompt", "negative_prompt", "camera", "style", "duration_seconds"}]}
    hashtags     ["#tag", ...]

Each row carries a hidden `origin` (its position when the page was rendered), so the keys the
editor does not show (a scene's `visual`, a prompt's `camera`) survive reordering and deletion.
The limits follow the agents' contracts (apps.ai.contracts), so an AI draft always fits.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.posts.models import CommercialContent, PostItem
from apps.projects.forms import MAX_HASHTAG_LENGTH, example_hashtags, parse_hashtags, project_topics

HOOK_MAX = 150
FORMAT_MAX = 60
CAPTION_MAX = 2200  # TikTok's limit
CTA_MAX = 150
VOICEOVER_MAX = 400
ON_SCREEN_MAX = 120
VISUAL_MAX = 300
CAMERA_MAX = 120
PROMPT_MAX = 800
NEGATIVE_MAX = 300
STYLE_MAX = 200
SCENE_SECONDS_MAX = 30
SCRIPT_SECONDS_MAX = 180
MAX_ROWS = 10
MAX_HASHTAGS = 10
INSTRUCTION_MAX = 500
ASPECT_RATIOS = ("9:16", "1:1", "16:9")

EDITABLE_FIELDS = (
    "hook",
    "format",
    "script",
    "storyboard",
    "video_prompt",
    "caption",
    "hashtags",
    "commercial_content",
    "ai_generated",
)


def _dicts(value) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def script_scenes(post: PostItem) -> list[dict]:
    return _dicts((post.script or {}).get("scenes") if isinstance(post.script, dict) else None)


def storyboard_scenes(post: PostItem) -> list[dict]:
    return _dicts(post.storyboard)


def video_prompts(post: PostItem) -> list[dict]:
    return _dicts((post.video_prompt or {}).get("prompts") if isinstance(post.video_prompt, dict) else None)


def _text(value) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _seconds(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- rows ---------------------------------------------------------------------------------------


class _Row(forms.Form):
    origin = forms.IntegerField(required=False, min_value=0, max_value=999, widget=forms.HiddenInput)
    duration_seconds = forms.IntegerField(
        label=_("Seconds"),
        min_value=1,
        max_value=SCENE_SECONDS_MAX,
        widget=forms.NumberInput(attrs={"class": "seconds", "inputmode": "numeric"}),
    )


class SceneForm(_Row):
    voiceover = forms.CharField(
        label=_("Voice-over"), max_length=VOICEOVER_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    on_screen_text = forms.CharField(
        label=_("On-screen text"),
        max_length=ON_SCREEN_MAX,
        required=False,
        widget=forms.TextInput(attrs={"data-preview": "scene"}),
    )
    field_order = ["voiceover", "on_screen_text", "duration_seconds", "origin"]


class BoardForm(_Row):
    visual = forms.CharField(label=_("What we see"), max_length=VISUAL_MAX, widget=forms.Textarea(attrs={"rows": 2}))
    camera = forms.CharField(label=_("Camera"), max_length=CAMERA_MAX, required=False)
    field_order = ["visual", "camera", "duration_seconds", "origin"]


class PromptForm(_Row):
    prompt = forms.CharField(label=_("Prompt"), max_length=PROMPT_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    negative_prompt = forms.CharField(label=_("Negative prompt"), max_length=NEGATIVE_MAX, required=False)
    field_order = ["prompt", "negative_prompt", "duration_seconds", "origin"]


class _Rows(forms.BaseFormSet):
    def rows(self) -> list[dict]:
        """The kept rows, in order: cleaned data without the empty extra rows and deleted ones."""
        kept = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or (self.can_delete and self._should_delete_form(form)):
                continue
            kept.append(data)
        return kept


class _SceneRows(_Rows):
    def clean(self):
        if any(self.errors):
            return
        total = sum(row["duration_seconds"] for row in self.rows())
        if total > SCRIPT_SECONDS_MAX:
            raise forms.ValidationError(
                _("The scenes last %(total)s seconds together; at most %(max)s seconds are allowed."),
                params={"total": total, "max": SCRIPT_SECONDS_MAX},
            )


def _rows(form, base=_Rows):
    return forms.formset_factory(
        form, formset=base, extra=1, can_delete=True, max_num=MAX_ROWS, validate_max=True, absolute_max=50
    )


SceneFormSet = _rows(SceneForm, _SceneRows)
BoardFormSet = _rows(BoardForm)
PromptFormSet = _rows(PromptForm)


# --- the editor ---------------------------------------------------------------------------------


class PostForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    # data-preview: the phone preview mirrors these inputs while the user types (static/js/post-editor.js).
    hook = forms.CharField(label=_("Hook"), max_length=HOOK_MAX, widget=forms.TextInput(attrs={"data-preview": "hook"}))
    format = forms.CharField(label=_("Format"), max_length=FORMAT_MAX)
    caption = forms.CharField(
        label=_("Caption"),
        max_length=CAPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "data-preview": "caption"}),
    )
    hashtags = forms.CharField(
        label=_("Hashtags"),
        required=False,
        max_length=MAX_HASHTAGS * (MAX_HASHTAG_LENGTH + 2),
        help_text=_("Separated by spaces."),
        widget=forms.TextInput(attrs={"data-preview": "hashtags"}),
    )
    cta = forms.CharField(label=_("Call to action"), max_length=CTA_MAX, required=False)
    aspect_ratio = forms.ChoiceField(
        label=_("Aspect ratio"), required=False, choices=[("", "—")] + [(r, r) for r in ASPECT_RATIOS]
    )
    prompt_style = forms.CharField(label=_("Visual style"), max_length=STYLE_MAX, required=False)
    # Optional in a request: an editor without these inputs keeps the post's values.
    commercial_content = forms.ChoiceField(
        label=_("Commercial content"), choices=CommercialContent.choices, required=False
    )
    ai_generated = forms.BooleanField(label=_("AI-generated video, images or voice"), required=False)

    def clean_hashtags(self):
        return parse_hashtags(self.cleaned_data["hashtags"], MAX_HASHTAGS)

    def use_examples(self, project) -> None:
        """Help texts with examples from the project's own hashtags and topics."""
        tags = example_hashtags(project)
        if tags:
            self.fields["hashtags"].help_text = _("Separated by spaces, e.g. %(examples)s") % {
                "examples": " ".join(tags)
            }


def _initial(post: PostItem) -> dict:
    script = post.script if isinstance(post.script, dict) else {}
    video = post.video_prompt if isinstance(post.video_prompt, dict) else {}
    return {
        "form": {
            "version": post.version,
            "hook": post.hook,
            "format": post.format,
            "caption": post.caption,
            "hashtags": " ".join(_text(tag) for tag in (post.hashtags or [])),
            "cta": _text(script.get("cta")),
            "aspect_ratio": _text(video.get("aspect_ratio")),
            "prompt_style": _text(video.get("style")),
            "commercial_content": post.commercial_content,
            "ai_generated": post.ai_generated,
        },
        "scene": [
            {
                "origin": i,
                "voiceover": _text(s.get("voiceover")),
                "on_screen_text": _text(s.get("on_screen_text")),
                "duration_seconds": _seconds(s.get("duration_seconds")),
            }
            for i, s in enumerate(script_scenes(post))
        ],
        "board": [
            {
                "origin": i,
                "visual": _text(s.get("visual") or s.get("description") or s.get("shot")),
                "camera": _text(s.get("camera")),
                "duration_seconds": _seconds(s.get("duration_seconds")),
            }
            for i, s in enumerate(storyboard_scenes(post))
        ],
        "vprompt": [
            {
                "origin": i,
                "prompt": _text(p.get("prompt")),
                "negative_prompt": _text(p.get("negative_prompt")),
                "duration_seconds": _seconds(p.get("duration_seconds")),
            }
            for i, p in enumerate(video_prompts(post))
        ],
    }


def _merge(originals: list[dict], rows: list[dict], index_key: str, keys: tuple[str, ...]) -> list[dict]:
    merged = []
    for position, row in enumerate(rows, start=1):
        origin = row.get("origin")
        base = dict(originals[origin]) if origin is not None and 0 <= origin < len(originals) else {}
        base[index_key] = position
        base.update({key: row[key] for key in keys})
        merged.append(base)
    return merged


# Which fields and row sets each of posts' editor tabs edits (apps.posts.editor_tabs); a save sends one tab.
TAB_FIELDS = {
    "content": ("hook", "format", "caption", "hashtags", "commercial_content", "ai_generated"),
    "script": ("cta",),
    "storyboard": (),
    "video_prompt": ("aspect_ratio", "prompt_style"),
}
TAB_ROWS = {"content": (), "script": ("scenes",), "storyboard": ("board",), "video_prompt": ("prompts",)}
ROW_SETS = {"scenes": ("scene", SceneFormSet), "board": ("board", BoardFormSet), "prompts": ("vprompt", PromptFormSet)}


class PostEditor:
    """The post form and its row sets, validated and turned into field values together.

    `tab` limits the editor to one tab's fields and rows (what that tab's form sends); without it,
    everything (a request from an older page or a script sending all fields).
    """

    def __init__(self, post: PostItem, data=None, tab: str | None = None, project=None):
        self.post = post
        self.tab = tab if tab in TAB_FIELDS else None
        initial = _initial(post)
        self.form = PostForm(data, initial=initial["form"], auto_id="edit-%s")
        if self.tab is not None:
            keep = {"version", *TAB_FIELDS[self.tab]}
            for name in list(self.form.fields):
                if name not in keep:
                    del self.form.fields[name]
        if "hashtags" in self.form.fields:
            self.form.use_examples(project or post.project)
        rows = TAB_ROWS[self.tab] if self.tab is not None else tuple(ROW_SETS)
        initial_rows = {"scenes": initial["scene"], "board": initial["board"], "prompts": initial["vprompt"]}
        for name, (prefix, formset) in ROW_SETS.items():
            value = formset(data, initial=initial_rows[name], prefix=prefix) if name in rows else None
            setattr(self, name, value)

    @property
    def parts(self):
        return tuple(part for part in (self.form, self.scenes, self.board, self.prompts) if part is not None)

    def is_valid(self) -> bool:
        results = [part.is_valid() for part in self.parts]  # every part validates (and shows its errors)
        return all(results)

    @property
    def version(self) -> int | None:
        return self.form.cleaned_data.get("version") if hasattr(self.form, "cleaned_data") else None

    def error_count(self) -> int:
        count = len(self.form.errors)
        for formset in self.parts[1:]:
            count += sum(len(errors) for errors in formset.errors) + len(formset.non_form_errors())
        return count

    def tab_with_errors(self) -> str | None:
        """The first tab that shows an error (call after is_valid)."""
        for key, fields in TAB_FIELDS.items():
            rows = [getattr(self, name) for name in TAB_ROWS[key]]
            if any(name in self.form.errors for name in fields) or any(
                part is not None and (any(part.errors) or part.non_form_errors()) for part in rows
            ):
                return key
        return None

    def changes(self) -> dict:
        """The fields whose value differs from the post's, with their new values (call after is_valid)."""
        post, data = self.post, self.form.cleaned_data
        values = {name: data[name] for name in ("hook", "format", "caption", "hashtags") if name in self.form.fields}
        if data.get("commercial_content"):  # the disclosure inputs were part of the request
            values["commercial_content"] = data["commercial_content"]
            values["ai_generated"] = data["ai_generated"]
        script = dict(post.script) if isinstance(post.script, dict) else {}
        if self.scenes is not None and (self.scenes.has_changed() or "cta" in self.form.changed_data):
            scenes = _merge(
                script_scenes(post), self.scenes.rows(), "index", ("voiceover", "on_screen_text", "duration_seconds")
            )
            script["scenes"] = scenes
            script["cta"] = data["cta"]
            script["total_duration_seconds"] = sum(scene["duration_seconds"] for scene in scenes)
            values["script"] = script
        if self.board is not None and self.board.has_changed():
            values["storyboard"] = _merge(
                storyboard_scenes(post), self.board.rows(), "index", ("visual", "camera", "duration_seconds")
            )
        changed_video = {"aspect_ratio", "prompt_style"} & set(self.form.changed_data)
        if self.prompts is not None and (self.prompts.has_changed() or changed_video):
            video = dict(post.video_prompt) if isinstance(post.video_prompt, dict) else {}
            prompts = _merge(
                video_prompts(post),
                self.prompts.rows(),
                "scene_index",
                ("prompt", "negative_prompt", "duration_seconds"),
            )
            video["prompts"] = prompts
            video["aspect_ratio"] = data["aspect_ratio"] or ("9:16" if prompts else "")
            video["style"] = data["prompt_style"]
            values["video_prompt"] = video
        return {name: value for name, value in values.items() if getattr(post, name) != value}


# --- move, AI improve ---------------------------------------------------------------------------


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)


class MoveForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    slot = forms.TypedChoiceField(label=_("Slot"), coerce=int, choices=[(1, "1"), (2, "2"), (3, "3")])

    def __init__(self, *args, slot_choices=None, month_start=None, month_end=None, **kwargs):
        super().__init__(*args, **kwargs)
        if slot_choices:
            self.fields["slot"].choices = slot_choices
        self.month_start, self.month_end = month_start, month_end
        if month_start and month_end:
            self.fields["date"].widget.attrs.update({"min": month_start.isoformat(), "max": month_end.isoformat()})

    def clean_date(self):
        value = self.cleaned_data["date"]
        if self.month_start and not (self.month_start <= value <= self.month_end):
            raise forms.ValidationError(_("Choose a day of this plan's month."))
        return value


IMPROVABLE_FIELDS = [
    ("hook", _("Hook")),
    ("caption", _("Caption")),
    ("hashtags", _("Hashtags")),
    ("script", _("Script")),
    ("storyboard", _("Storyboard")),
    ("video_prompt", _("Video prompt")),
]


class ImproveForm(forms.Form):
    field = forms.ChoiceField(label=_("Field"), choices=IMPROVABLE_FIELDS)
    instruction = forms.CharField(
        label=_("Instruction"),
        max_length=INSTRUCTION_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("e.g. shorter, as a question, more casual")}),
    )

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        topics = project_topics(project) if project is not None else []
        if topics:
            self.fields["instruction"].widget.attrs["placeholder"] = _(
                "e.g. shorter, as a question, mention %(topic)s"
            ) % {"topic": topics[0][:40]}


class AcceptForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)


# --- checking values that did not come through the editor (AI suggestions) ----------------------


def _check_text(value, limit: int, *, required: bool = True) -> str:
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit:
        raise forms.ValidationError(_("The suggestion does not fit this field."))
    return value.strip()


def _check_seconds(value) -> int:
    if not isinstance(value, int) or not 1 <= value <= SCENE_SECONDS_MAX:
        raise forms.ValidationError(_("The suggestion does not fit this field."))
    return value


def check_value(field: str, value):
    """Validate a whole field value against the editor's rules; returns it cleaned or raises ValidationError."""
    if field == "hook":
        return _check_text(value, HOOK_MAX)
    if field == "caption":
        return _check_text(value, CAPTION_MAX, required=False)
    if field == "hashtags":
        if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
            raise forms.ValidationError(_("The suggestion does not fit this field."))
        return parse_hashtags(" ".join(value), MAX_HASHTAGS)
    rows = value.get("scenes" if field == "script" else "prompts") if isinstance(value, dict) else value
    if not isinstance(rows, list) or len(rows) > MAX_ROWS or not all(isinstance(row, dict) for row in rows):
        raise forms.ValidationError(_("The suggestion does not fit this field."))
    for row in rows:
        _check_seconds(row.get("duration_seconds"))
        if field == "script":
            _check_text(row.get("voiceover"), VOICEOVER_MAX)
            _check_text(row.get("on_screen_text", ""), ON_SCREEN_MAX, required=False)
        elif field == "storyboard":
            _check_text(row.get("visual"), VISUAL_MAX)
            _check_text(row.get("camera", ""), CAMERA_MAX, required=False)
        else:
            _check_text(row.get("prompt"), PROMPT_MAX)
            _check_text(row.get("negative_prompt", ""), NEGATIVE_MAX, required=False)
    if field == "script":
        _check_text(value.get("cta", ""), CTA_MAX, required=False)
        if sum(row["duration_seconds"] for row in rows) > SCRIPT_SECONDS_MAX:
            raise forms.ValidationError(_("The suggestion does not fit this field."))
    if field == "video_prompt":
        if value.get("aspect_ratio") not in ASPECT_RATIOS:
            raise forms.ValidationError(_("The suggestion does not fit this field."))
        _check_text(value.get("style", ""), STYLE_MAX, required=False)
    return value
