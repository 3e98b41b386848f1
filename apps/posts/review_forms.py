from django import forms
from django.utils.translation import gettext_lazy as _


class GuestInviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address of the reviewer"))


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Mention someone of the team with @ and their e-mail address, e.g. @anna@agency.example."),
    )


class ChangesForm(forms.Form):
    message = forms.CharField(label=_("What should change?"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class VisitorMixin(forms.Form):
    """Review-link visitors have no account: they sign with their name."""

    name = forms.CharField(label=_("Your name"), max_length=120)


class LinkApproveForm(VisitorMixin):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class LinkChangesForm(VisitorMixin, ChangesForm):
    pass


class PinForm(forms.Form):
    pin = forms.CharField(label=_("PIN"), max_length=12, widget=forms.PasswordInput)


class ReviewLinkForm(forms.Form):
    post = forms.UUIDField(label=_("Post"), required=False, widget=forms.HiddenInput)
    week_start = forms.DateField(
        label=_("Week"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Any day of the week; the link covers Monday to Sunday."),
    )
    expires_on = forms.DateField(label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"}))
    pin = forms.CharField(
        label=_("PIN (optional)"),
        required=False,
        max_length=12,
        help_text=_("4 to 12 digits. Send it separately from the link."),
    )
