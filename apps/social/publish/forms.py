"""The composer's form, built from the creator's limits: no privacy preselected, interactions off by
default and disabled where the creator disabled them, an explicit consent box."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core import platforms as platform_table
from apps.social.models import PRIVACY_LABELS, PublishMode, PublishSettings
from apps.social.publish.actions import ComposerChoices
from apps.social.publish.gates import title_length

INTERACTIONS = (("allow_comment", "comment_disabled"), ("allow_duet", "duet_disabled"),
                ("allow_stitch", "stitch_disabled"))  # fmt: skip


class ComposerForm(forms.Form):
    account = forms.ChoiceField(label=_("TikTok account"))
    title = forms.CharField(label=_("Title"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    privacy_level = forms.ChoiceField(label=_("Who can view this video"), widget=forms.RadioSelect, required=False)
    allow_comment = forms.BooleanField(label=_("Allow comments"), required=False)
    allow_duet = forms.BooleanField(label=_("Allow duets"), required=False)
    allow_stitch = forms.BooleanField(label=_("Allow stitches"), required=False)
    consent = forms.BooleanField(label=_("I have reviewed the post and agree to publish it."), required=False)

    def __init__(self, *args, accounts, mode: str, branded: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.accounts = {str(a.id): a for a in accounts}
        self.mode = mode
        self.branded = branded
        self.fields["account"].choices = [(str(a.id), str(a)) for a in accounts]
        account = self.chosen_account()
        info = account.creator_info if account else {}
        options = info.get("privacy_level_options") or []
        # No option is preselected (TikTok's rule): the empty initial value leaves every radio unchecked.
        self.fields["privacy_level"].choices = [(o, PRIVACY_LABELS.get(o, o)) for o in options]
        for field, flag in INTERACTIONS:
            if info.get(flag):
                self.fields[field].disabled = True
                self.fields[field].help_text = _("The creator turned this off in TikTok.")
        if mode == PublishMode.INBOX:
            del self.fields["privacy_level"]

    def chosen_account(self):
        key = self.data.get("account") if self.is_bound else self.initial.get("account")
        return self.accounts.get(str(key)) or next(iter(self.accounts.values()), None)

    def clean_title(self):
        title = self.cleaned_data["title"]
        limit = platform_table.platform("tiktok").caption_max
        if title_length(title) > limit:
            raise forms.ValidationError(
                _("The title is %(length)s characters long (UTF-16 units); TikTok allows %(limit)s."),
                params={"length": title_length(title), "limit": limit},
            )
        return title

    def clean(self):
        data = super().clean()
        if self.mode == PublishMode.DIRECT:
            privacy = data.get("privacy_level")
            if not privacy:
                self.add_error("privacy_level", _("Choose who can view this video."))
            elif self.branded and privacy == "SELF_ONLY":
                self.add_error("privacy_level", _("A paid partnership cannot be posted as “Only me”."))
        if not data.get("consent"):
            self.add_error("consent", _("Please confirm before publishing."))
        return data

    def choices(self) -> ComposerChoices:
        data = self.cleaned_data
        return ComposerChoices(
            title=data["title"], privacy_level=data.get("privacy_level", ""), allow_comment=bool(data["allow_comment"]),
            allow_duet=bool(data["allow_duet"]), allow_stitch=bool(data["allow_stitch"]), consent=True,
        )  # fmt: skip


class PublishSettingsForm(forms.ModelForm):
    class Meta:
        model = PublishSettings
        fields = ["mode", "catch_up_minutes"]
