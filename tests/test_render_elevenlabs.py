"""The ElevenLabs client against its sandbox stand-in (real espeak-ng audio, character alignments, faults)."""

import contextlib

import pytest

from apps.media.render.elevenlabs import ElevenLabsError, ElevenLabsVoice, words_from_alignment
from apps.media.render.voice import decode_mono, speak
from apps.sandbox.faults import clear_faults, seeded_draw, set_faults
from apps.sandbox.models import SandboxCall

pytestmark = pytest.mark.django_db(transaction=True)
TEXT = "Frisch gerösteter Kaffee, jeden Morgen."


@pytest.fixture
def base_url(live_server):
    clear_faults("elevenlabs")
    yield live_server.url + "/sandbox/elevenlabs"
    clear_faults("elevenlabs")


def voice(base_url, **options):
    return ElevenLabsVoice(
        api_key="sk_sandbox_render", voice_id="sandbox-anna", base_url=base_url, max_backoff=0.01, **options
    )


def calls():
    return list(SandboxCall.objects.filter(service="elevenlabs").order_by("id"))


def test_speech_comes_with_word_timings_from_the_alignment(base_url, tmp_path):
    metered = []

    @contextlib.contextmanager
    def meter(characters):
        use = type("Use", (), {"actual": None})()
        yield use
        metered.append((characters, use.actual))

    synthesis = voice(base_url, meter=meter).synthesize(TEXT, "de", tmp_path)
    assert synthesis.audio_path.suffix == ".mp3" and len(decode_mono(synthesis.audio_path)) > 48_000
    assert [w.text for w in synthesis.words] == TEXT.split()
    starts = [w.start for w in synthesis.words]
    assert starts == sorted(starts) and all(w.end > w.start for w in synthesis.words)
    assert metered == [(len(TEXT), len(TEXT))]  # characters through the caller's quota meter
    (call,) = calls()
    assert call.path.endswith("/v1/text-to-speech/sandbox-anna/with-timestamps") and call.status == 200
    assert call.body["text"] == TEXT and call.body["language_code"] == "de"
    assert "sk_sandbox_render" not in str(call.headers) + str(call.body)

    # Through the renderer's sentence cache: trimmed audio, the alignment kept (shifted by the trim).
    sentence = speak(voice(base_url), TEXT, "de", tmp_path / "cache")
    assert sentence.words is not None and len(sentence.words) == 5
    assert 0 <= sentence.words[0].start < 0.2 and sentence.words[-1].end <= sentence.duration + 1e-6
    again = speak(voice(base_url), TEXT, "de", tmp_path / "cache")
    assert again.words == sentence.words and len(calls()) == 2  # the second time came from the cache


def test_a_busy_answer_is_retried_and_a_used_up_quota_stops_at_once(base_url, tmp_path):
    seed = next(s for s in range(1000) if seeded_draw(s, 1) < 0.5 <= seeded_draw(s, 2))
    set_faults("elevenlabs", rates={"429": 0.5}, retry_after=0, seed=seed)
    assert voice(base_url).synthesize(TEXT, "de", tmp_path).words
    assert [(c.status, c.fault) for c in calls()] == [(429, "429"), (200, "")]

    set_faults("elevenlabs", rates={"402": 1.0})
    with pytest.raises(ElevenLabsError) as stopped:
        voice(base_url).synthesize(TEXT, "de", tmp_path)
    assert (stopped.value.status, stopped.value.code, stopped.value.retryable) == (402, "quota_exceeded", False)
    assert len(calls()) == 3  # not retried


def test_the_stand_in_refuses_like_the_real_api(client):
    url = "/sandbox/elevenlabs/v1/text-to-speech/sandbox-anna/with-timestamps"
    no_key = client.post(url, {"text": TEXT}, content_type="application/json")
    assert no_key.status_code == 401 and no_key.json()["detail"]["status"] == "invalid_api_key"
    unknown = client.post(
        "/sandbox/elevenlabs/v1/text-to-speech/nobody", {"text": TEXT}, content_type="application/json",
        HTTP_XI_API_KEY="sk_x",
    )  # fmt: skip
    assert unknown.status_code == 404 and unknown.json()["detail"]["status"] == "voice_not_found"
    empty = client.post(
        url + "?output_format=wav_1", {"text": ""}, content_type="application/json", HTTP_XI_API_KEY="sk_x"
    )
    assert empty.status_code == 422
    assert {tuple(item["loc"]) for item in empty.json()["detail"]} == {("body", "text"), ("query", "output_format")}
    plain = client.post(
        "/sandbox/elevenlabs/v1/text-to-speech/sandbox-anna?output_format=pcm_16000", {"text": "Hallo"},
        content_type="application/json", HTTP_XI_API_KEY="sk_x",
    )  # fmt: skip
    assert plain.status_code == 200 and plain["Content-Type"] == "audio/pcm" and len(plain.content) > 16_000
    voices = client.get("/sandbox/elevenlabs/v1/voices", HTTP_XI_API_KEY="sk_x").json()["voices"]
    assert {v["voice_id"] for v in voices} == {"sandbox-anna", "sandbox-jack"}


def test_words_from_alignment_group_characters_between_spaces():
    alignment = {
        "characters": list("Hi du!"),
        "character_start_times_seconds": [0.0, 0.1, 0.2, 0.3, 0.4, 0.5],
        "character_end_times_seconds": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
    }
    assert [(w.text, w.start, w.end) for w in words_from_alignment(alignment)] == [("Hi", 0.0, 0.2), ("du!", 0.3, 0.6)]
