"""Renderer speed and memory: `python -m bench.render [--width 1080 --height 1920] [--keep DIR]`.

Renders a 30 s (900 frames), 5-scene vertical video (stills panned by a moving crop, a clip, a
brand card; espeak-ng voice per sentence, word captions, ducked music, two-pass loudnorm, title
card and cover; the voice-over runs ~29.8 s and the last scene is held to exactly 30 s) into a
fresh work folder, then measures in the same run the baseline: decoding the rendered MP4 and
re-encoding its frames with the same libx264 settings and no filters. Then it changes one
scene's picture and renders again (only that segment is encoded; the rest is joined by stream
copy), and once more with one scene's voice-over changed (its segment and the whole sound track
are made again). Peak memory is the whole process tree's: the RSS of this process and all its
children, summed ten times a second (the sound is made while a segment encodes, and the voice
speaks two sentences at once, so no single child's peak bounds it). Besides wall-time ratios it
prints the CPU-time ratio of render to baseline, steadier on a shared machine.
"""

import argparse
import contextlib
import dataclasses
import json
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from bench.common import emit, setup_django

VOICEOVER = (
    "Dein Kaffee schmeckt flach? Das liegt selten an der Maschine. Meistens sind die Bohnen einfach zu alt.",
    "Nach dem Rösten verliert Kaffee jeden Tag Aroma. Nach vier Wochen ist das Beste verflogen.",
    "Achte deshalb auf das Röstdatum auf der Tüte. Nicht auf das Mindesthaltbarkeitsdatum. Das verrät dir mehr.",
    "Wir rösten jeden Morgen in kleinen Mengen. So kommt jede Tüte frisch bei dir an. Frischer geht es kaum.",
    "Probier den Unterschied selbst. Der Link ist in unserer Bio! Der Unterschied ist riesig.",
)
SECONDS = 30
ON_SCREEN = ("Flacher Kaffee?", "Aroma verfliegt", "Röstdatum zählt", "Jeden Morgen frisch", "Link in Bio")


class TreeMemory:
    """Samples the summed RSS of this process and its descendants in a thread; `peak_mb` is the highest sum.

    Ten samples a second: the children that matter (ffmpeg encoding a segment, making the sound)
    live for seconds; reading /proc that often costs well under 1 % of a core.
    """

    def __init__(self, interval: float = 0.1):
        self.interval, self.peak_mb = interval, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.wait(self.interval):
            total = 0
            for process in [me, *(c for c in me.children(recursive=True) if c.pid not in self._services)]:
                with contextlib.suppress(psutil.Error):
                    total += process.memory_info().rss
            self.peak_mb = max(self.peak_mb, total / 1024 / 1024)

    def __enter__(self) -> "TreeMemory":
        # Children from before (a database or Redis the bench started) are not the renderer's.
        self._services = {child.pid for child in psutil.Process().children(recursive=True)}
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def largest_child_mb() -> float:
    """The peak RSS of the largest child so far (kilobytes on Linux)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the machines are shared: wall time is noisy)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def held_to(spec, seconds: int, scratch: Path):
    """The spec with its last scene held so the video lasts exactly `seconds` (timed in a scratch voice cache,
    so the measured render still speaks every sentence itself)."""
    from apps.media.render import EspeakVoice
    from apps.media.render.engine import timeline

    frames = [timing.frames for timing in timeline(spec, EspeakVoice(), scratch)]
    missing = seconds * spec.fps - sum(frames)
    if missing < 0:
        raise SystemExit(f"the voice-over is {sum(frames) / spec.fps:.2f} s, longer than {seconds} s: shorten it")
    last = dataclasses.replace(spec.scenes[-1], min_seconds=(frames[-1] + missing) / spec.fps)
    return dataclasses.replace(spec, scenes=(*spec.scenes[:-1], last))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--width", type=int, default=1080)
    parser.add_argument("--height", type=int, default=1920)
    parser.add_argument("--keep", help="keep the work folder here (default: a temporary folder, removed)")
    args = parser.parse_args()
    setup_django()

    from apps.media.render import Limits, RenderSpec, SceneSpec, Visual, render, samples
    from apps.media.render.ffmpeg import X264, run

    with tempfile.TemporaryDirectory(prefix="vf-bench-render-") as temporary:
        root = Path(args.keep or temporary)
        inputs = root / "inputs"
        inputs.mkdir(parents=True, exist_ok=True)
        big_w, big_h = args.width * 4 // 3 // 2 * 2, args.height * 4 // 3 // 2 * 2  # library stills are larger
        stills = [samples.still(inputs / f"still{i}.jpg", big_w, big_h, i) for i in range(4)]
        clip = samples.clip(inputs / "clip.mp4", 1280, 720, seconds=4)
        music = samples.music(inputs / "music.mp3", seconds=20)
        visuals = [
            Visual("image", str(stills[0])),
            Visual("image", str(stills[1])),
            Visual("clip", str(clip)),
            Visual("image", str(stills[2])),
            Visual("card"),
        ]
        spec = RenderSpec(
            scenes=tuple(
                SceneSpec(text, screen, visual)
                for text, screen, visual in zip(VOICEOVER, ON_SCREEN, visuals, strict=True)
            ),
            hook="Warum dein Kaffee flach schmeckt",
            language="de",
            music_path=str(music),
            width=args.width,
            height=args.height,
        )
        spec = held_to(spec, SECONDS, root / "timing")
        limits = Limits(min_width=min(720, args.width))
        work = root / "work"

        start, cpu = time.perf_counter(), cpu_seconds()
        with TreeMemory() as memory:
            result = render(spec, work, limits=limits)
        render_s, render_cpu = time.perf_counter() - start, cpu_seconds() - cpu
        render_rss_mb, child_mb = memory.peak_mb, largest_child_mb()

        # Baseline in the same run: decode the rendered MP4, re-encode its frames, same x264 settings, no filters.
        start, cpu = time.perf_counter(), cpu_seconds()
        run(["-y", "-i", result.video_path, "-map", "0:v:0", *X264, "-r", str(spec.fps), str(root / "raw.mp4")])
        raw_s, raw_cpu = time.perf_counter() - start, cpu_seconds() - cpu

        scenes = list(spec.scenes)
        scenes[3] = dataclasses.replace(scenes[3], visual=Visual("image", str(stills[3])))
        start = time.perf_counter()
        changed = render(dataclasses.replace(spec, scenes=tuple(scenes)), work, limits=limits)
        rerender_s = time.perf_counter() - start

        scenes[1] = dataclasses.replace(scenes[1], voiceover=VOICEOVER[1] + " Schade eigentlich.")
        start = time.perf_counter()
        revoiced = render(dataclasses.replace(spec, scenes=tuple(scenes)), work, limits=limits)
        revoice_s = time.perf_counter() - start

    print(
        json.dumps(
            {
                "duration_s": result.duration_s,
                "voice_end_s": result.voice_end_s,
                "frames": result.title.frames + sum(s.frames for s in result.segments),
                "qa_passed": [result.qa["passed"], changed.qa["passed"], revoiced.qa["passed"]],
                "reencoded": [result.reencoded, changed.reencoded, revoiced.reencoded],
                "steps": [result.steps, changed.steps, revoiced.steps],
                "raw_encode_s": round(raw_s, 2),
                "largest_child_mb": round(child_mb, 1),
            }
        ),
        file=sys.stderr,
    )
    emit("render", "render_s", render_s, "s")
    emit("render", "raw_encode_s", raw_s, "s")
    emit("render", "render_ratio_to_raw_encode", render_s / raw_s, "ratio", 1.5)
    emit("render", "render_cpu_ratio_to_raw_encode", render_cpu / raw_cpu, "ratio", 1.5)
    emit("render", "render_peak_rss_mb", render_rss_mb, "MB", 1000)
    emit("render", "rerender_one_scene_ratio", rerender_s / render_s, "ratio", 0.4)
    emit("render", "rerender_one_voiceover_ratio", revoice_s / render_s, "ratio")


if __name__ == "__main__":
    main()
