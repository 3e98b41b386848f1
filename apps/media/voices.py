"""Which voice speaks a project's videos: its ElevenLabs voice (key from apps.credentials, characters
through the quota API) or the offline espeak-ng voice, and why the offline voice stood in when it did.

    chosen = choose_voice(post)        # chosen.voice for the engine; chosen.fallback a reason dict or {}
    chosen = chosen.fallen_back(exc)   # after ElevenLabs refused or the character quota ran out
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.conf import settings

from apps.billing.models import UsageKind
from apps.billing.quota import QuotaExceeded, metered
from apps.credentials.models import Provider
from apps.credentials.services import CredentialUnavailable, resolve_credential
from apps.media.models import ProjectVoiceSettings, VoiceEngine
from apps.media.reasons import (
    VOICE_FALLBACK_NO_KEY,
    VOICE_FALLBACK_NO_VOICE_ID,
    VOICE_FALLBACK_QUOTA,
    VOICE_FALLBACK_REFUSED,
)
from apps.media.render import EspeakVoice, Voice
from apps.media.render.elevenlabs import ElevenLabsError, ElevenLabsVoice


def voice_settings(project) -> ProjectVoiceSettings:
    """The project's voice settings (unsaved defaults — the offline voice — when it has none)."""
    found = ProjectVoiceSettings.objects.for_org(project.organization_id).filter(project=project).first()
    return found or ProjectVoiceSettings(organization_id=project.organization_id, project=project)


@dataclass(frozen=True)
class ChosenVoice:
    voice: Voice
    fallback: dict = field(default_factory=dict)  # the reason the offline voice stands in, as stored

    def fallen_back(self, exc: Exception) -> ChosenVoice | None:
        """The offline voice with the reason, when `exc` means the paid voice cannot speak this render;
        None when it is a passing fault (429/5xx after the retries) the job's retry should meet again."""
        if isinstance(exc, QuotaExceeded) and exc.kind == UsageKind.VOICE_CHARACTERS:
            reason = VOICE_FALLBACK_QUOTA.reason(limit=exc.limit)
        elif isinstance(exc, ElevenLabsError) and not exc.retryable:
            reason = VOICE_FALLBACK_REFUSED.reason(code=exc.code or str(exc.status))
        else:
            return None
        return ChosenVoice(EspeakVoice(), reason.as_dict())


def _character_meter(post):
    """Each ElevenLabs request reserves its characters first and commits them once the audio came back;
    a failed request is released (nothing charged). One key per request: a retried job asks anew."""

    def meter(characters: int):
        return metered(
            post.organization, UsageKind.VOICE_CHARACTERS, characters, project=post.project,
            source=f"posts.PostItem:{post.id}", idempotency_key=f"voice:{post.id}:{uuid.uuid4()}",
        )  # fmt: skip

    return meter


def choose_voice(post) -> ChosenVoice:
    chosen = voice_settings(post.project)
    if chosen.engine != VoiceEngine.ELEVENLABS:
        return ChosenVoice(EspeakVoice())
    if not chosen.voice_id:
        return ChosenVoice(EspeakVoice(), VOICE_FALLBACK_NO_VOICE_ID.reason().as_dict())
    try:
        key = resolve_credential(post.organization, Provider.ELEVENLABS, project=post.project)
    except CredentialUnavailable as exc:
        return ChosenVoice(EspeakVoice(), VOICE_FALLBACK_NO_KEY.reason(code=exc.code).as_dict())
    voice = ElevenLabsVoice(
        api_key=key.secret, voice_id=chosen.voice_id, model_id=chosen.model_id,
        base_url=settings.VF_ELEVENLABS_BASE_URL, meter=_character_meter(post),
    )  # fmt: skip
    return ChosenVoice(voice)
