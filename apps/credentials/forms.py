from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from apps.credentials.models import PROVIDER_SPECS, Mode, Provider, ProviderCredential

# Project lives in an app above this one: reached through the foreign key, not an import.
Project = ProviderCredential._meta.get_field("project").related_model


def managed_keys_configured() -> bool:
    """Is any managed (platform) provider key configured (settings.VF_MANAGED_KEYS)?"""
    keys = settings.VF_MANAGED_KEYS
    return any(spec.managed and keys.get(provider) for provider, spec in PROVIDER_SPECS.items())


class SecretInput(forms.PasswordInput):
    """Never renders a value back (also not after a failed submit)."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"autocomplete": "new-password", "spellcheck": "false", **(attrs or {})})


class AddCredentialForm(forms.Form):
    provider = forms.ChoiceField(label=_("Provider"), choices=Provider.choices)
    mode = forms.ChoiceField(label=_("Mode"), choices=Mode.choices, initial=Mode.BYOK)
    project = forms.ModelChoiceField(
        label=_("Scope"),
        queryset=Project.objects.none(),
        required=False,
        empty_label=_("Whole organization"),
        help_text=_("A key for one project is used there instead of the organization's key."),
    )
    label = forms.CharField(label=_("Label"), max_length=120, required=False)
    identifier = forms.CharField(
        label=_("Client key / access key / user name"),
        max_length=512,
        required=False,
        help_text=_("Only for providers that need one besides the secret (Kling, TikTok, S3, SMTP)."),
    )
    secret = forms.CharField(
        label=_("Secret"),
        max_length=4096,
        required=False,
        strip=True,
        widget=SecretInput,
        help_text=_("Shown only as its last four characters after saving. Leave empty for a managed key."),
    )

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.for_org(org).order_by("name")
        if not managed_keys_configured():
            # "Managed by ViralForge" is offered only where the platform has a key to lend.
            self.fields["mode"].choices = [(Mode.BYOK.value, Mode.BYOK.label)]
            self.fields["secret"].help_text = _("Shown only as its last four characters after saving.")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") == Mode.BYOK and not cleaned.get("secret"):
            self.add_error("secret", _("Please enter the secret."))
        return cleaned


class ReplaceCredentialForm(forms.Form):
    identifier = forms.CharField(label=_("Client key / access key / user name"), max_length=512, required=False)
    secret = forms.CharField(label=_("New secret"), max_length=4096, widget=SecretInput)


class RotationPolicyForm(forms.Form):
    max_age_days = forms.IntegerField(label=_("Flag own keys for rotation after (days)"), min_value=1, max_value=3650)
