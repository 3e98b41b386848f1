"""The render: a `RenderSpec` → an MP4, a cover JPEG and a QA report, re-using what did not change.

    result = render(spec, workdir, voice=EspeakVoice(), asset_check=assert_usable, limits=Limits())

`workdir` is a cache kept per post: sentences (by voice and text), segments (by everything
that goes into them), sound tracks and finished renders (by the digest of the whole spec).
The same spec again returns the finished render; a changed scene re-encodes only its segment
and the segments are joined again by stream copy, with the sound made for the whole timeline.
Every file is written under a temporary name and renamed, so a killed render resumes where
it stopped.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from apps.core import threads
from apps.core.reasons import Reason
from apps.media.render import audio, cache, captions, qa, segments
from apps.media.render.ffmpeg import atomic_path, run
from apps.media.render.reasons import ASSET_REFUSED, VOICE_UNAVAILABLE
from apps.media.render.spec import (
    ENGINE_VERSION,
    TITLE_SECONDS,
    RenderSpec,
    Visual,
    digest_of,
    file_digest,
    spec_digest,
)
from apps.media.render.timing import SceneTiming, layout, refine, transcribe_words
from apps.media.render.voice import EspeakVoice, Voice, VoiceUnavailable, Word, speak, split_sentences

COVER_TIMESTAMP_MS = round(TITLE_SECONDS * 1000 / 2)  # the middle of the title card


class RenderRefused(Exception):
    """The render may not run (an unusable asset, no voice); `reasons` are codes with parameters."""

    def __init__(self, reasons: list[Reason]):
        super().__init__("; ".join(str(reason.code) for reason in reasons))
        self.reasons = reasons


@dataclass
class SegmentRecord:
    index: int | None  # the scene (None: the title card)
    digest: str
    start_s: float
    seconds: float
    frames: int
    reencoded: bool


@dataclass
class RenderResult:
    digest: str
    video_path: str
    cover_path: str
    video_cover_timestamp_ms: int
    duration_s: float
    voice_start_s: float
    voice_end_s: float
    title: SegmentRecord  # the title card with the hook (the cover), before the first scene's picture
    segments: list[SegmentRecord]
    reencoded: list[int]  # indexes of the scenes whose segment was encoded in this call
    audio_reencoded: bool
    reused: bool  # the whole render existed already (same digest)
    qa: dict
    words: list[list] = field(default_factory=list)  # [text, start, end] on the timeline
    steps: dict[str, float] = field(default_factory=dict)  # seconds per step
    keep: list[str] = field(default_factory=list)  # cache files (relative to the workdir) this render used

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> RenderResult:
        data = dict(data)
        data["segments"] = [SegmentRecord(**item) for item in data["segments"]]
        data["title"] = SegmentRecord(**data["title"])
        return cls(**data)


class _SegmentContext:
    """Encodes segments into `folder`, named by the digest of everything that goes into them."""

    def __init__(self, spec: RenderSpec, folder: Path, fps: int):
        self.spec, self.folder, self.fps = spec, folder, fps
        folder.mkdir(parents=True, exist_ok=True)
        self.fonts_dir = str(Path(spec.font_path).parent)
        self.safe = spec.safe_zone.box(spec.width, spec.height)
        self.logo = spec.logo_path if spec.watermark and spec.logo_path else None

    def scratch(self, name: str) -> Path:
        folder = self.folder / f".scratch-{os.getpid()}-{name}"
        folder.mkdir(exist_ok=True)
        return folder

    def segment(
        self, index: int | None, visual: Visual, frames: int, ass: dict[str, Path], *, start_s: float,
        fade_out: bool, logo: bool,
    ) -> tuple[SegmentRecord, dict]:  # fmt: skip
        spec, fps = self.spec, self.fps
        logo_path = self.logo if logo else None
        texts = {name: path.read_text() for name, path in ass.items()}
        digest = digest_of(
            {
                "engine": ENGINE_VERSION,
                "pan": None if index is None else index % len(segments.PANS),
                "frames": frames,
                "size": [spec.width, spec.height, fps],
                "visual": [visual.kind, file_digest(visual.path)],
                "background": spec.background,
                "texts": texts,
                "font": file_digest(spec.font_path),
                "fade_out": fade_out,
                "logo": file_digest(logo_path) if logo_path else "",
            }
        )
        kept = {}
        for name, path in ass.items():
            kept[name] = self.folder / f"{digest}.{name}.ass"
            path.replace(kept[name])
        for folder in {path.parent for path in ass.values()}:
            shutil.rmtree(folder, ignore_errors=True)
        seg_path, sidecar_path = self.folder / f"{digest}.mp4", self.folder / f"{digest}.json"
        sidecar = segments.read_sidecar(sidecar_path) if seg_path.exists() else None
        reencoded = sidecar is None
        if reencoded:
            job = segments.SegmentJob(
                index=index or 0,
                frames=frames,
                fps=fps,
                width=spec.width,
                height=spec.height,
                visual_kind=visual.kind,
                visual_path=visual.path,
                background=spec.background,
                overlay_ass=self._burn(digest, kept),
                captions_ass=None,
                fade_out=fade_out,
                fonts_dir=self.fonts_dir,
                logo_path=logo_path,
                logo_box=(self.safe[0], self.safe[1], round(spec.height * 0.06)),
                pan=index is not None,
            )
            black = segments.encode(job, seg_path)
            box = None
            if "captions" in kept:
                box = segments.caption_box(kept["captions"], spec.width, spec.height, frames / fps, self.fonts_dir)
            sidecar = {"black": black, "caption_box": box, "frames": frames}
            segments.write_sidecar(sidecar_path, sidecar)
        return SegmentRecord(index, digest, start_s, frames / fps, frames, reencoded), sidecar

    def _burn(self, digest: str, kept: dict[str, Path]) -> Path | None:
        """Every text of the segment in one ASS file (each `ass` filter copies and blends every frame)."""
        if len(kept) <= 1:
            return next(iter(kept.values()), None)
        burn = self.folder / f"{digest}.burn.ass"
        captions.combine(list(kept.values()), burn)
        return burn


def _sound(spec: RenderSpec, folder: Path, digest: str, voice_wav: Path, seconds: float) -> tuple[Path, bool]:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest}.m4a"
    if path.exists():
        return path, False
    audio.mix(voice_wav, seconds, path, music=spec.music_path, music_db=spec.music_volume_db)
    return path, True


def _check_assets(spec: RenderSpec, asset_check: Callable[[Iterable[Any]], None] | None) -> None:
    for scene in spec.scenes:
        if scene.visual.path and not Path(scene.visual.path).is_file():
            raise FileNotFoundError(scene.visual.path)
    if asset_check is None:
        return
    try:
        asset_check(spec.assets)
    except Exception as exc:  # the caller's gate says no: say why and stop before any work
        found = getattr(exc, "reasons", None)
        raise RenderRefused(list(found) if found else [ASSET_REFUSED.reason(detail=str(exc))]) from exc


def _used_files(spec: RenderSpec, workdir: Path, timings, records, audio_path: Path, out_dir: Path) -> list[str]:
    """What re-rendering one scene of this spec needs from the cache (relative paths; see `cache.prune_post`)."""
    used = [f"voice/{p.sentence.digest}.{ext}" for t in timings for p in t.sentences for ext in ("wav", "json")]
    for record in records:
        used += [f"segments/{path.name}" for path in (workdir / "segments").glob(f"{record.digest}.*")]
    inputs = [scene.visual.path for scene in spec.scenes] + [spec.music_path]
    used += [str(Path(path).relative_to(workdir)) for path in inputs if path and Path(path).is_relative_to(workdir)]
    return [*used, str(audio_path.relative_to(workdir)), str(out_dir.relative_to(workdir))]


def timeline(spec: RenderSpec, voice: Voice, voice_dir: Path) -> list[SceneTiming]:
    """Every scene's sentences spoken (cached in `voice_dir`) and laid out: the scenes' frames and word times."""
    sentences = [split_sentences(scene.voiceover) for scene in spec.scenes]
    texts = list(dict.fromkeys(text for scene in sentences for text in scene))  # each once: one cache file each
    try:
        # An offline voice is a process per sentence: two at a time keep both cores busy.
        said = threads.map(
            lambda text: speak(voice, text, spec.language, voice_dir), texts, concurrency=getattr(voice, "parallel", 1)
        )
    except VoiceUnavailable as exc:
        raise RenderRefused([VOICE_UNAVAILABLE.reason(detail=str(exc))]) from exc
    by_text = dict(zip(texts, said, strict=True))
    spoken = [[by_text[text] for text in scene] for scene in sentences]
    return layout(
        spoken,
        [scene.silent_seconds for scene in spec.scenes],
        spec.fps,
        min_first=TITLE_SECONDS + 1.0,
        min_seconds=[scene.min_seconds for scene in spec.scenes],
    )


def render(
    spec: RenderSpec,
    workdir: str | Path,
    *,
    voice: Voice | None = None,
    asset_check: Callable[[Iterable[Any]], None] | None = None,
    limits: qa.Limits | None = None,
    progress: Callable[[int, str], None] | None = None,
) -> RenderResult:
    started = time.perf_counter()
    steps: dict[str, float] = {}
    report = progress or (lambda percent, step: None)
    limits = limits or qa.Limits()
    voice = voice or EspeakVoice()
    workdir = Path(workdir)
    _check_assets(spec, asset_check)
    cache.touch(workdir)

    digest = spec_digest(spec, voice.key(spec.language))
    out_dir = workdir / "renders" / digest
    result_path = out_dir / "result.json"
    if result_path.exists() and (out_dir / "video.mp4").exists():
        result = RenderResult.from_dict(json.loads(result_path.read_text()))
        result.reused, result.reencoded, result.audio_reencoded = True, [], False
        for segment in [result.title, *result.segments]:
            segment.reencoded = False
        return result
    out_dir.mkdir(parents=True, exist_ok=True)

    # 1. Voice, one sentence at a time (cached by voice and text).
    report(5, "voice")
    timings = timeline(spec, voice, workdir / "voice")
    fps = spec.fps
    steps["voice"] = time.perf_counter() - started

    # 2. The voice track on the whole timeline; optionally, word times heard by Whisper.
    mark = time.perf_counter()
    voice_wav = out_dir / "voice.wav"
    voice_end = audio.voice_track(timings, fps, voice_wav)
    if spec.whisper_model and spec.captions:
        report(12, "listen")
        heard = transcribe_words(spec.whisper_model, str(voice_wav), spec.language)
        if heard:
            refine(timings, heard, fps)
    steps["timing"] = time.perf_counter() - mark

    # The sound for the whole timeline (voice, ducked music, two-pass loudnorm) is made in a
    # thread while the segments encode: it needs only the timeline, and ffmpeg's audio work
    # fills the gaps x264 leaves on the second core.
    total_seconds = sum(t.frames for t in timings) / fps
    audio_digest = digest_of(
        {
            "sentences": [[t.start_frame, [[p.sentence.digest, p.offset] for p in t.sentences]] for t in timings],
            "seconds": total_seconds,
            "music": [file_digest(spec.music_path), spec.music_volume_db],
            "engine": ENGINE_VERSION,
        }
    )
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="render-audio")
    sound = pool.submit(_sound, spec, workdir / "audio", audio_digest, voice_wav, total_seconds)

    try:
        # 3. The title card, then one segment per scene, each encoded only when its inputs changed.
        ctx = _SegmentContext(spec, workdir / "segments", fps)
        title_frames = round(TITLE_SECONDS * fps)
        mark = time.perf_counter()
        title_ass = ctx.scratch("title") / "title.ass"
        captions.title_file(spec, TITLE_SECONDS, title_ass)
        title, title_side = ctx.segment(
            None, Visual("card"), title_frames, {"title": title_ass}, start_s=0.0, fade_out=False, logo=False
        )
        steps["title"] = time.perf_counter() - mark
        records, sidecars = [], [title_side]
        for timing in timings:
            mark = time.perf_counter()
            index = timing.index
            scene = spec.scenes[index]
            # The first scene's voice starts under the title card; its picture starts after it.
            shift = TITLE_SECONDS if index == 0 else 0.0
            frames = timing.frames - (title_frames if index == 0 else 0)
            seconds = frames / fps
            folder = ctx.scratch(str(index))
            ass: dict[str, Path] = {}
            if spec.captions:
                words = [[Word(w.text, w.start - shift, w.end - shift) for w in p.words] for p in timing.sentences]
                if captions.caption_file(spec, words, seconds, 0.0, folder / "captions.ass"):
                    ass["captions"] = folder / "captions.ass"
            if captions.overlay_file(
                spec, scene.on_screen_text, scene.visual.kind == "card", seconds, 0.0, folder / "overlay.ass"
            ):
                ass["overlay"] = folder / "overlay.ass"
            report(15 + round(60 * index / len(timings)), f"scene {index + 1}")
            fade_out = index < len(timings) - 1
            record, side = ctx.segment(
                index, scene.visual, frames, ass, start_s=timing.start(fps) + shift, fade_out=fade_out, logo=True
            )
            records.append(record)
            sidecars.append(side)
            steps[f"scene_{index + 1}"] = time.perf_counter() - mark
        all_records = [title, *records]

    except BaseException:
        pool.shutdown(wait=True)  # let the sound thread finish its files before the error goes up
        raise
    report(80, "audio")
    mark = time.perf_counter()
    audio_path, audio_reencoded = sound.result()
    pool.shutdown()
    steps["audio_wait"] = time.perf_counter() - mark

    # 5. Join by stream copy, cover frame, QA.
    report(88, "join")
    mark = time.perf_counter()
    video_path = out_dir / "video.mp4"
    concat_list = out_dir / "segments.txt"
    concat_list.write_text("".join(f"file '{ctx.folder / (r.digest + '.mp4')}'\n" for r in all_records))
    part = atomic_path(video_path)
    run(
        [
            "-y",
            "-f",
            "concat",
            "-safe",
            "0",
            "-i",
            str(concat_list),
            "-i",
            str(audio_path),
            "-map",
            "0:v:0",
            "-map",
            "1:a:0",
            "-c",
            "copy",
            "-movflags",
            "+faststart",
            str(part),
        ]
    )
    part.replace(video_path)
    cover_path = out_dir / "cover.jpg"
    cover_part = atomic_path(cover_path)
    run(
        [
            "-y",
            "-ss",
            f"{COVER_TIMESTAMP_MS / 1000:.3f}",
            "-i",
            str(video_path),
            "-frames:v",
            "1",
            "-q:v",
            "3",
            str(cover_part),
        ]
    )
    cover_part.replace(cover_path)
    steps["join"] = time.perf_counter() - mark

    report(93, "qa")
    mark = time.perf_counter()
    found = qa.probe(video_path)
    black = qa.merge_black(
        [
            (r.start_s + a, r.start_s + b)
            for r, side in zip(all_records, sidecars, strict=True)
            for a, b in side["black"]
        ]
    )
    boxes = [(r, side["caption_box"]) for r, side in zip(all_records, sidecars, strict=True) if side.get("caption_box")]
    caption_box = None
    if boxes:
        caption_box = (
            min(b[0] for _, b in boxes),
            min(b[1] for _, b in boxes),
            max(b[2] for _, b in boxes),
            max(b[3] for _, b in boxes),
        )
    words = [
        [w.text, round(t.start(fps) + w.start, 3), round(t.start(fps) + w.end, 3)] for t in timings for w in t.words
    ]
    voice_start = words[0][1] if words else 0.0
    report_qa = qa.evaluate(
        found,
        limits,
        voice_span=(voice_start, voice_end),
        black=black,
        caption_box=caption_box,
        safe_box=spec.safe_zone.box(spec.width, spec.height),
    )
    report_qa["probe"] = asdict(found)
    steps["qa"] = time.perf_counter() - mark
    steps["total"] = time.perf_counter() - started

    result = RenderResult(
        digest=digest,
        video_path=str(video_path),
        cover_path=str(cover_path),
        video_cover_timestamp_ms=COVER_TIMESTAMP_MS,
        duration_s=round(found.duration, 3),
        voice_start_s=voice_start,
        voice_end_s=round(voice_end, 3),
        title=title,
        segments=records,
        reencoded=[r.index for r in records if r.reencoded],
        audio_reencoded=audio_reencoded,
        reused=False,
        qa=report_qa,
        words=words,
        steps={k: round(v, 3) for k, v in steps.items()},
        keep=_used_files(spec, workdir, timings, all_records, audio_path, out_dir),
    )
    record_part = atomic_path(result_path)
    record_part.write_text(json.dumps(result.as_dict()))
    record_part.replace(result_path)
    report(100, "done")
    return result
