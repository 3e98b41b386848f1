"""The project's voice: a section of the project settings page (offline espeak-ng or an ElevenLabs voice)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.media import actions
from apps.media.forms import VoiceSettingsForm
from apps.media.voices import voice_settings
from apps.orgs.access import OrgRequest, org_view
from apps.orgs.roles import Role
from apps.projects.access import get_project
from apps.projects.extensions import Section, add_settings_section
from apps.projects.views import apply_section

TEMPLATE = "media/voice_settings.html"


def voice_context(request, project, form=None) -> dict:
    if form is None:
        form = VoiceSettingsForm(initial=VoiceSettingsForm.initial_for(voice_settings(project)))
    return {"voice_form": form}


def register() -> None:
    add_settings_section(
        Section("voice", 56, f"{TEMPLATE}#section_voice", voice_context, gettext_lazy("Speaker voice"))
    )


@require_POST
@org_view(Role.ADMIN)
def project_settings_voice(request: OrgRequest, project_slug: str) -> HttpResponse:
    project = get_project(request.org, project_slug)
    form = VoiceSettingsForm(request.POST)

    def save(project, data):
        actions.do_save_voice_settings(project, **data)

    return apply_section(request, project, "voice", form, save, _("Voice saved."))
