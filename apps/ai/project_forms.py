"""The AI routing section of the project settings: which provider and model each agent uses."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.ai.models import AgentRoute

MODEL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$")

PROVIDER_CHOICES = [("", _("Default (organization)")), *AgentRoute.ProviderName.choices]


class RoutingForm(forms.Form):
    """One row per agent: provider (empty = the organization's route or the default), model,
    escalation model and threshold. Field names are `<agent>-<field>`."""

    ROW_FIELDS = ("provider", "model", "escalation_model", "escalate_below")

    def __init__(self, *args, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.agents = list(agents)
        for key, _spec in self.agents:
            self.fields[f"{key}-provider"] = forms.ChoiceField(
                label=_("Provider"), choices=PROVIDER_CHOICES, required=False
            )
            self.fields[f"{key}-model"] = forms.CharField(
                label=_("Model"), max_length=100, required=False, widget=forms.TextInput(attrs={"spellcheck": "false"})
            )
            self.fields[f"{key}-escalation_model"] = forms.CharField(
                label=_("Escalation model"),
                max_length=100,
                required=False,
                widget=forms.TextInput(attrs={"spellcheck": "false"}),
            )
            self.fields[f"{key}-escalate_below"] = forms.FloatField(
                label=_("Escalate below"),
                min_value=0,
                max_value=1,
                required=False,
                widget=forms.NumberInput(attrs={"step": "0.05", "min": "0", "max": "1"}),
            )

    @staticmethod
    def initial_for(routes) -> dict:
        initial = {}
        for route in routes:
            initial |= {
                f"{route.agent}-provider": route.provider,
                f"{route.agent}-model": route.model,
                f"{route.agent}-escalation_model": route.escalation_model,
                f"{route.agent}-escalate_below": route.escalate_below,
            }
        return initial

    provider_choices = PROVIDER_CHOICES

    def rows(self):
        """(agent key, spec, bound fields) for the template: provider, models (model, escalation), threshold."""
        rows = []
        for key, spec in self.agents:
            fields = {name: self[f"{key}-{name}"] for name in self.ROW_FIELDS}
            fields["models"] = [fields["model"], fields["escalation_model"]]
            rows.append((key, spec, fields))
        return rows

    def clean(self):
        cleaned = super().clean()
        routes = {}
        for key, _spec in self.agents:
            provider = cleaned.get(f"{key}-provider")
            model = (cleaned.get(f"{key}-model") or "").strip()
            escalation = (cleaned.get(f"{key}-escalation_model") or "").strip()
            threshold = cleaned.get(f"{key}-escalate_below")
            for name, value in (("model", model), ("escalation_model", escalation)):
                if value and not MODEL_RE.match(value):
                    self.add_error(f"{key}-{name}", _("Use a model id such as openai/gpt-4o-mini (no spaces)."))
            if provider is None:
                continue  # a field error already
            if not provider:
                if model or escalation:
                    self.add_error(f"{key}-provider", _("Choose a provider to use these models."))
                routes[key] = None
                continue
            routes[key] = {
                "provider": provider,
                "model": model,
                "escalation_model": escalation,
                "escalate_below": 0.5 if threshold is None else threshold,
            }
        cleaned["routes"] = routes
        return cleaned
