"""The renderer end to end: real espeak-ng, real ffmpeg, checked with PyAV and ffmpeg filters.

The 3-scene post is rendered once at TikTok's 1080×1920 (with and without captions); re-renders,
QA failures and the watermark are checked at 270×480, where the same filter graphs are cheap.
"""

import dataclasses
import re
from pathlib import Path

import av
import numpy as np
import pytest

from apps.core.reasons import define
from apps.media.render import Limits, RenderRefused, RenderSpec, SceneSpec, Visual, captions, render, samples, segments
from apps.media.render.captions import luminance, phrases
from apps.media.render.ffmpeg import run
from apps.media.render.qa import Probe, evaluate
from apps.media.render.timing import estimate_words, syllables
from apps.media.render.voice import Word, split_sentences

W, H = 270, 480
LIMITS = Limits(min_width=W)
FULL_W, FULL_H = 1080, 1920
BACKGROUND = "#1E3A5F"
HOOK = "Warum dein Kaffee flach schmeckt"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("render-inputs")
    return {
        "still": samples.still(folder / "still.jpg", 540, 960, 0),
        "clip": samples.clip(folder / "clip.mp4", 320, 180, seconds=2),
        "music": samples.music(folder / "music.mp3", seconds=6),
    }


def post_spec(inputs, **changes) -> RenderSpec:
    spec = RenderSpec(
        scenes=(
            SceneSpec(
                "Frisch gerösteter Kaffee schmeckt besser. Das merkst du sofort.",
                "Frisch schlägt alt",
                Visual("image", str(inputs["still"])),
            ),
            SceneSpec("Wir rösten jeden Tag in kleinen Mengen.", "Kleine Mengen", Visual("clip", str(inputs["clip"]))),
            SceneSpec("Probier es heute aus!", "Heute probieren", Visual("card")),
        ),
        hook=HOOK,
        language="de",
        colors=(BACKGROUND, "#FFC857", "#FFFFFF"),
        music_path=str(inputs["music"]),
        width=W,
        height=H,
    )
    return dataclasses.replace(spec, **changes)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("render-work")


@pytest.fixture(scope="module")
def full(inputs, tmp_path_factory):
    """The post at 1080×1920 (the size the product renders), short sentences to keep it cheap, own cache folder."""
    return render(full_spec(inputs), tmp_path_factory.mktemp("render-full"))


def full_spec(inputs, **changes) -> RenderSpec:
    spec = post_spec(inputs, width=FULL_W, height=FULL_H)
    voiceovers = ("Frischer Kaffee schmeckt besser.", "Wir rösten jeden Tag.", "Probier es heute!")
    scenes = tuple(dataclasses.replace(s, voiceover=v) for s, v in zip(spec.scenes, voiceovers, strict=True))
    return dataclasses.replace(spec, scenes=scenes, **changes)


@pytest.fixture(scope="module")
def first(inputs, workdir):
    return render(post_spec(inputs), workdir, limits=LIMITS)


def frame_at(path: str, seconds: float) -> np.ndarray:
    """The decoded RGB frame shown at `seconds`."""
    with av.open(path) as container:
        stream = container.streams.video[0]
        best = None
        for frame in container.decode(stream):
            if frame.time is not None and frame.time <= seconds + 1e-3:
                best = frame
            else:
                break
        return best.to_ndarray(format="rgb24").astype(np.int16)


def integrated_lufs(path: str) -> float:
    result = run(["-i", path, "-map", "0:a:0", "-af", "ebur128", "-f", "null", "-"])
    found = re.findall(r"I:\s*(-?[\d.]+) LUFS", result.stderr.decode())
    return float(found[-1])


def test_a_three_scene_post_renders_and_passes_the_checks(full):
    first = full
    with av.open(first.video_path) as container:
        video, sound = container.streams.video[0], container.streams.audio[0]
        assert (video.codec_context.name, sound.codec_context.name) == ("h264", "aac")
        assert (video.codec_context.width, video.codec_context.height) == (FULL_W, FULL_H)
        assert float(video.average_rate) == 30
        assert sound.codec_context.sample_rate == 48000
        assert video.codec_context.pix_fmt == "yuv420p"
        duration = container.duration / av.time_base
        frames = sum(1 for _ in container.demux(video) if _.size)
    assert frames == first.title.frames + sum(segment.frames for segment in first.segments)
    assert first.title.frames == 15 and first.segments[0].start_s == 0.5
    # The video is as long as its voice-over: it ends right after the last spoken word.
    assert first.voice_end_s > 3
    assert abs(duration - first.voice_end_s) <= 0.2
    assert abs(integrated_lufs(first.video_path) - (-14)) <= 1
    assert first.qa["passed"], first.qa["failed"]
    assert first.reencoded == [0, 1, 2] and first.audio_reencoded
    assert first.video_cover_timestamp_ms == 250
    # Scenes follow their voice-over: each segment is longer than the speech placed in it.
    for segment in first.segments:
        spoken = [w for w in first.words if segment.start_s <= w[1] < segment.start_s + segment.seconds]
        assert spoken and spoken[-1][2] <= segment.start_s + segment.seconds


def test_captions_are_burned_in_where_the_word_is_spoken(inputs, full):
    first = full
    plain = render(full_spec(inputs, captions=False), Path(first.video_path).parents[2])
    assert plain.digest != first.digest
    assert not plain.audio_reencoded  # same voice and music: the sound track is reused
    second = first.segments[1]
    word = next(w for w in first.words if w[1] > second.start_s)  # a word of the second scene
    moment = (word[1] + word[2]) / 2
    with_captions, without = frame_at(first.video_path, moment), frame_at(plain.video_path, moment)
    x0, y0, x1, y1 = next(c for c in first.qa["checks"] if c["check"] == "captions_safe_zone")["value"]
    inside = np.abs(with_captions[y0:y1, x0:x1] - without[y0:y1, x0:x1]).mean()
    above = np.abs(with_captions[: y0 - 10] - without[: y0 - 10]).mean()
    assert inside > 12 > above * 4, (inside, above)
    # …and inside TikTok's safe zone (not under the buttons on the right, above the bottom texts).
    assert x1 <= FULL_W * 0.85 and y1 <= FULL_H * 0.75 and y0 >= FULL_H * 0.1


def test_the_cover_frame_is_the_title_card_with_the_hook(full):
    first = full
    cover = np.asarray(av.open(first.cover_path).decode(video=0).__next__().to_ndarray(format="rgb24"), dtype=np.int16)
    background = np.array([int(BACKGROUND[i : i + 2], 16) for i in (1, 3, 5)])
    corners = np.concatenate([cover[:20, :20].reshape(-1, 3), cover[-20:, -20:].reshape(-1, 3)])
    assert np.abs(corners - background).max() < 24  # the brand-colour card
    assert cover.shape == (FULL_H, FULL_W, 3)
    band = cover[int(FULL_H * 0.35) : int(FULL_H * 0.65)]
    text_pixels = (band.mean(axis=2) > 200).sum()  # white hook text on the dark card
    assert text_pixels > 800 * 16, text_pixels
    # The cover is the video's frame at video_cover_timestamp_ms.
    frame = frame_at(first.video_path, first.video_cover_timestamp_ms / 1000)
    assert np.abs(frame - cover).mean() < 6


def test_changing_one_scene_reencodes_only_its_segment(inputs, workdir, first):
    again = render(post_spec(inputs), workdir, limits=LIMITS)
    assert again.reused and again.reencoded == [] and again.digest == first.digest and not again.title.reencoded

    spec = post_spec(inputs)
    scenes = list(spec.scenes)
    scenes[1] = dataclasses.replace(scenes[1], on_screen_text="Jeden Tag frisch")
    changed = render(dataclasses.replace(spec, scenes=tuple(scenes)), workdir, limits=LIMITS)
    assert changed.reencoded == [1] and not changed.audio_reencoded and not changed.title.reencoded
    assert [s.digest for s in changed.segments][::2] == [s.digest for s in first.segments][::2]
    assert changed.qa["passed"], changed.qa["failed"]

    scenes[2] = dataclasses.replace(scenes[2], voiceover="Probier es heute aus. Du wirst es schmecken!")
    longer = render(dataclasses.replace(spec, scenes=tuple(scenes)), workdir, limits=LIMITS)
    assert longer.reencoded == [2] and longer.audio_reencoded  # new words: new sound for the whole timeline
    assert longer.qa["passed"], longer.qa["failed"]
    assert longer.duration_s > changed.duration_s + 0.5
    assert abs(longer.duration_s - longer.voice_end_s) <= 0.2
    assert abs(integrated_lufs(longer.video_path) - (-14)) <= 1


@dataclasses.dataclass
class LicensedStill:
    name: str
    licensed_until: str


LICENCE_EXPIRED = define("render_test.licence_expired", "The licence of “%(asset)s” expired on %(date)s.")


class LicenceGateError(Exception):
    def __init__(self, reasons):
        super().__init__(", ".join(str(r) for r in reasons))
        self.reasons = reasons


def refuse_expired(assets, today="2026-12-03"):
    expired = [LICENCE_EXPIRED.reason(asset=a.name, date=a.licensed_until) for a in assets if a.licensed_until < today]
    if expired:
        raise LicenceGateError(expired)


def test_an_expired_asset_stops_the_render_with_its_reason(inputs, tmp_path):
    spec = post_spec(inputs)
    scenes = list(spec.scenes)
    scenes[0] = dataclasses.replace(
        scenes[0], visual=Visual("image", str(inputs["still"]), asset=LicensedStill("Bohnen.jpg", "2026-11-30"))
    )
    with pytest.raises(RenderRefused) as refused:
        render(dataclasses.replace(spec, scenes=tuple(scenes)), tmp_path, asset_check=refuse_expired, limits=LIMITS)
    assert [r.as_dict() for r in refused.value.reasons] == [
        {"code": "render_test.licence_expired", "params": {"asset": "Bohnen.jpg", "date": "2026-11-30"}}
    ]
    assert str(refused.value.reasons[0]) == "The licence of “Bohnen.jpg” expired on 2026-11-30."
    assert list(tmp_path.iterdir()) == []  # refused before any work
    # The gate sees every asset of the render: the scenes' and the music's.
    seen = []
    spec = dataclasses.replace(spec, scenes=tuple(scenes), music_asset=LicensedStill("Loop.mp3", "2027-01-31"))
    with pytest.raises(RenderRefused):
        render(spec, tmp_path, asset_check=lambda assets: seen.extend(assets) or refuse_expired(assets))
    assert [a.name for a in seen] == ["Bohnen.jpg", "Loop.mp3"]


# --- pieces ---------------------------------------------------------------------------------------


def test_sentences_phrases_and_estimated_word_times():
    assert split_sentences("Hallo Welt. Wie geht's? Gut!\nNeu") == ["Hallo Welt.", "Wie geht's?", "Gut!", "Neu"]
    for count in range(2, 14):
        words = [Word(str(i), i, i + 1) for i in range(count)]
        groups = phrases(words)
        assert [w for g in groups for w in g] == words
        assert all(2 <= len(g) <= 4 for g in groups), (count, [len(g) for g in groups])
    assert syllables("Kaffeeröstung") == 4 and syllables("2026") == 4 and syllables("—") == 0
    timed = estimate_words("Ein Espresso, bitte sehr.", 2.0)
    assert timed[0].start == 0 and abs(timed[-1].end - 2.0) < 1e-9
    assert all(a.end == b.start for a, b in zip(timed, timed[1:], strict=False))
    assert timed[1].end - timed[1].start > timed[0].end - timed[0].start  # "Espresso," is longer than "Ein"
    assert luminance("#FFFFFF") == pytest.approx(1) and luminance("#000000") == 0


def test_failed_checks_say_what_and_why():
    probe = Probe(
        duration=70.0, width=640, height=480, fps=15.0, frames=1050, video_codec="hevc", audio_codec=None,
        sample_rate=None, size_bytes=5_000_000,
    )  # fmt: skip
    report = evaluate(
        probe,
        Limits(max_seconds=60),
        voice_span=(0, 70),
        black=[(10.0, 11.2)],
        caption_box=(20, 300, 600, 470),
        safe_box=(38, 48, 544, 360),
    )
    assert not report["passed"]
    assert report["failed"] == [
        "render.qa.duration",
        "render.qa.aspect",
        "render.qa.resolution",
        "render.qa.fps",
        "render.qa.video_codec",
        "render.qa.no_audio",
        "render.qa.black",
        "render.qa.captions_safe_zone",
    ]
    black = next(c for c in report["checks"] if c["check"] == "black")
    assert black["reason"] == {"code": "render.qa.black", "params": {"value": 1.2, "at": 10.0, "max": 0.5}}


def test_black_pictures_and_a_silent_middle_fail_qa_with_reasons(inputs, tmp_path):
    black = tmp_path / "black.png"
    run(["-y", "-f", "lavfi", "-i", "color=c=black:s=270x480", "-frames:v", "1", str(black)])
    spec = RenderSpec(
        scenes=(
            SceneSpec("Eins, zwei, drei.", "", Visual("card")),
            SceneSpec("", "", Visual("image", str(black)), silent_seconds=2.0),
            SceneSpec("Vier, fünf.", "", Visual("card")),
        ),
        hook="Zählen",
        width=W,
        height=H,
    )
    result = render(spec, tmp_path / "work", limits=LIMITS)
    assert not result.qa["passed"]
    assert {"render.qa.black", "render.qa.silence"} <= set(result.qa["failed"])
    black_check = next(c for c in result.qa["checks"] if c["check"] == "black")
    assert 1.5 <= black_check["value"] <= 2.1
    assert abs(black_check["reason"]["params"]["at"] - result.segments[1].start_s) < 0.3


def test_a_post_script_becomes_a_spec():
    from apps.media.render.from_post import spec_from_post

    script = {
        "language": "de",
        "scenes": [
            {"index": 2, "voiceover": "Zwei.", "on_screen_text": "", "visual": "Tasse", "duration_seconds": 3},
            {"index": 1, "voiceover": "Eins.", "on_screen_text": "Start", "visual": "Bohnen", "duration_seconds": 4},
        ],
    }
    still = Visual("image", __file__)
    spec = spec_from_post(
        hook="Hook", script=script, language="en", colors=["#112233"], visuals={2: still}, width=W, height=H
    )
    assert [s.voiceover for s in spec.scenes] == ["Eins.", "Zwei."]
    assert spec.scenes[0].visual.kind == "card" and spec.scenes[1].visual == still
    assert spec.colors[0] == "#112233" and len(spec.colors) == 3 and spec.language == "de"


def test_the_logo_watermark_is_opt_in(tmp_path):
    logo = tmp_path / "logo.png"
    run(["-y", "-f", "lavfi", "-i", "color=c=0xFF0000:s=64x64", "-frames:v", "1", str(logo)])
    spec = RenderSpec(
        scenes=(SceneSpec("Eins, zwei, drei, vier.", "", Visual("card")),),
        hook="Logo",
        logo_path=str(logo),
        width=W,
        height=H,
    )
    plain = render(spec, tmp_path / "work", limits=LIMITS)
    marked = render(dataclasses.replace(spec, watermark=True), tmp_path / "work", limits=LIMITS)
    moment = plain.segments[0].start_s + 0.3
    x0, y0 = round(W * 0.06), round(H * 0.10)  # the logo sits at the safe zone's top-left corner
    without, with_logo = frame_at(plain.video_path, moment), frame_at(marked.video_path, moment)
    patch = (slice(y0 + 4, y0 + 20), slice(x0 + 4, x0 + 20))
    assert with_logo[patch][..., 0].mean() > without[patch][..., 0].mean() + 80  # red shows only when opted in
    assert not marked.title.reencoded  # the title card carries no logo: re-used


def _offset(first: np.ndarray, frame: np.ndarray) -> tuple[int, int]:
    """How far (x, y, whole pixels) the picture moved from `first` to `frame` (phase correlation)."""
    window = np.outer(np.hanning(first.shape[0]), np.hanning(first.shape[1]))
    a, b = np.fft.fft2((first - first.mean()) * window), np.fft.fft2((frame - frame.mean()) * window)
    cross = a * np.conj(b)
    peak = np.abs(np.fft.ifft2(cross / (np.abs(cross) + 1e-9)))
    y, x = np.unravel_index(np.argmax(peak), peak.shape)
    height, width = first.shape
    return int(x if x <= width // 2 else x - width), int(y if y <= height // 2 else y - height)


def test_a_still_glides_along_its_pan_without_jitter(inputs, tmp_path):
    """Every frame of a still scene sits where the eased pan puts it: no step back, no jump, no shake."""
    frames = 45
    pan = 4  # the diagonal pan: x and y both move
    job = segments.SegmentJob(
        index=pan, frames=frames, fps=30, width=W, height=H, visual_kind="image", visual_path=str(inputs["still"]),
        background=BACKGROUND, overlay_ass=None, captions_ass=None, fade_out=False, fonts_dir=".", logo_path=None,
        logo_box=(0, 0, 0),
    )  # fmt: skip
    out = tmp_path / "still.mp4"
    segments.encode(job, out)
    with av.open(str(out)) as container:
        pictures = [f.to_ndarray(format="gray").astype(np.float64) for f in container.decode(video=0)]
    assert len(pictures) == frames
    moved = np.array([_offset(pictures[0], picture) for picture in pictures])
    margin_x = 2 * round(W * segments.OVERSCAN / 2) - W
    margin_y = 2 * round(H * segments.OVERSCAN / 2) - H
    ease = 0.5 - 0.5 * np.cos(np.pi * np.arange(frames) / frames)
    x0, x1, y0, y1 = segments.PANS[pan]
    expected = np.stack([margin_x * (x1 - x0) * ease, margin_y * (y1 - y0) * ease], axis=1)
    assert np.abs(moved - expected).max() <= 1.5, (moved.tolist(), expected.round(1).tolist())
    steps = np.diff(moved, axis=0)
    assert (steps >= 0).all() and steps.max() <= 3, steps.tolist()  # forward only, never a jump


@pytest.mark.parametrize("kind", ["image", "clip", "card"])
def test_a_segment_converts_no_frame_on_its_way_to_the_encoder(inputs, tmp_path, kind):
    """Text, dip and logo work on the YUV frames as they are: ffmpeg inserts no conversion (at 1080×1920 each
    one costs more than the text; a dip to a colour by `fade` once turned every frame into RGB and back)."""
    spec = post_spec(inputs)
    text = tmp_path / "text.ass"
    captions.title_file(spec, 1.0, text)
    logo = tmp_path / "logo.png"
    run(["-y", "-f", "lavfi", "-i", "color=c=0xFF0000:s=64x64", "-frames:v", "1", str(logo)])
    visual = {"image": str(inputs["still"]), "clip": str(inputs["clip"]), "card": None}[kind]
    job = segments.SegmentJob(
        index=1, frames=12, fps=30, width=W, height=H, visual_kind=kind, visual_path=visual, background=BACKGROUND,
        overlay_ass=text, captions_ass=None, fade_out=True, fonts_dir=str(Path(spec.font_path).parent),
        logo_path=str(logo), logo_box=(10, 10, 40),
    )  # fmt: skip
    log = run(["-loglevel", "debug", *segments.build_command(job, tmp_path / "segment.mp4")]).stderr.decode()
    assert "auto-inserting" not in log, [line for line in log.splitlines() if "auto-inserting" in line]
    with av.open(str(tmp_path / "segment.mp4")) as container:
        last = list(container.decode(video=0))[-1].to_ndarray(format="rgb24").astype(np.int16)
    brand = np.array([int(BACKGROUND[i : i + 2], 16) for i in (1, 3, 5)])
    assert np.abs(last[H // 2 :] - brand).mean() < 30  # the last frame has dipped into the brand colour
