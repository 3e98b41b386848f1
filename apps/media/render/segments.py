"""One scene → one H.264 segment (video only), encoded once with a keyframe at its start.

The filter graph per segment: the visual (a still scaled once and panned by a moving crop, a
clip scaled to cover, or a brand-colour card), its on-screen text, a short dip to the brand
colour at its end (the transition stays inside the segment; the next scene cuts in: a fade
*in* from a colour made x264 spend ~40 % more CPU on the whole segment), the word captions,
the optional logo. The title card with the hook is a segment of its own (a card). Segments
are joined later by stream copy, so a changed scene re-encodes only its own segment.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from apps.media.render.ffmpeg import BT709, X264, atomic_path, filter_path, hex_color, run

OVERSCAN = 1.12  # stills are scaled this much larger than the frame, then a crop moves across them
DIP_S = 0.15  # fade to the brand colour at a segment's end (the next one cuts in)
# (x from, x to, y from, y to) as fractions of the free margin: a different gentle pan per scene.
PANS = ((0.5, 0.5, 0.0, 1.0), (1.0, 0.0, 0.5, 0.5), (0.5, 0.5, 1.0, 0.0), (0.0, 1.0, 0.5, 0.5), (0.0, 1.0, 0.0, 1.0))
_BLACK = re.compile(r"black_start:\s*([\d.]+)\s+black_end:\s*([\d.]+)")


@dataclass(frozen=True)
class SegmentJob:
    index: int
    frames: int
    fps: int
    width: int
    height: int
    visual_kind: str  # image | clip | card
    visual_path: str | None
    background: str  # brand colour (#RRGGBB) of cards, dips and the title card
    overlay_ass: Path | None  # on-screen text
    captions_ass: Path | None
    fade_out: bool
    fonts_dir: str
    logo_path: str | None
    logo_box: tuple[int, int, int]  # x, y, height
    pan: bool = True  # stills move (the title card does not)


def _still(src: str, job: SegmentJob, frames: int, pan: tuple | None) -> str:
    """A single frame (already decoded) → converted to BT.709 once → looped → a moving crop."""
    w, h, fps = job.width, job.height, job.fps
    if pan is None:
        big_w, big_h = w, h
    else:
        big_w, big_h = 2 * round(w * OVERSCAN / 2), 2 * round(h * OVERSCAN / 2)
    chain = (
        f"{src}scale={big_w}:{big_h}:force_original_aspect_ratio=increase:flags=bicubic,crop={big_w}:{big_h},setsar=1,"
        f"scale=out_color_matrix=bt709:out_range=tv,format=yuv420p,"
        f"loop=loop={frames - 1}:size=1:start=0,settb=1/{fps},setpts=N,fps={fps}"
    )
    if pan is not None:
        seconds = max(frames / fps, 1 / fps)
        ease = f"(0.5-0.5*cos(PI*t/{seconds:.4f}))"
        x0, x1, y0, y1 = pan
        chain += (
            f",crop=w={w}:h={h}:exact=1:x='(iw-ow)*({x0}+({x1 - x0})*{ease})':y='(ih-oh)*({y0}+({y1 - y0})*{ease})'"
        )
    return chain


def _dip(chain: str, bg: str, w: int, h: int, fps: int, frames: int) -> list[str]:
    """The segment's last frames blend into the brand colour: a colour layer whose opacity rises, laid over them.

    Not `fade=color=…`: fading to a colour other than black works only in RGB, so ffmpeg turned
    every frame of the segment into RGB and back (three full-size conversions a frame).
    """
    dip = max(1, min(frames - 1, math.ceil(DIP_S * fps)))
    return [
        f"color=c={bg}:s={w}x{h}:r={fps},format=yuva420p,fade=t=in:s=0:n={dip + 1}:alpha=1,"
        f"trim=start_frame=1:end_frame={dip + 1},setpts=N+{frames - dip}[dip]",
        f"{chain}[dip]overlay=format=yuv420:eof_action=pass:repeatlast=0[dipped]",
    ]


def build_command(job: SegmentJob, out: Path) -> list[str]:
    w, h, fps = job.width, job.height, job.fps
    bg = hex_color(job.background)
    inputs: list[str] = []
    graph: list[str] = []
    scene_frames = job.frames

    if job.visual_kind == "image":
        inputs += ["-i", job.visual_path]
        graph.append(_still("[0:v]", job, scene_frames, PANS[job.index % len(PANS)] if job.pan else None) + "[base]")
    elif job.visual_kind == "clip":
        inputs += ["-stream_loop", "-1", "-i", job.visual_path]
        graph.append(
            # Cut the 9:16 middle out of the source first, then scale only that (scaling a
            # landscape clip to cover 1080×1920 made 3413×1920 pictures to throw ⅔ away).
            f"[0:v]fps={fps},setsar=1,crop=w='min(iw,ih*{w}/{h})':h='min(ih,iw*{h}/{w})',"
            f"scale={w}:{h}:flags=bilinear:out_color_matrix=bt709:out_range=tv,"
            f"setsar=1,format=yuv420p,trim=end_frame={scene_frames},settb=1/{fps},setpts=N[base]"
        )
    else:
        inputs += ["-f", "lavfi", "-i", f"color=c={bg}:s={w}x{h}:r={fps}:d=1,format=rgb24"]
        graph.append(_still("[0:v]trim=end_frame=1,", job, scene_frames, None) + "[base]")
    chain = "[base]"
    if job.overlay_ass:
        graph.append(f"{chain}ass=filename={filter_path(job.overlay_ass)}:fontsdir={filter_path(job.fonts_dir)}[text]")
        chain = "[text]"
    if job.fade_out:
        graph += _dip(chain, bg, w, h, fps, scene_frames)
        chain = "[dipped]"
    tail = []
    if job.captions_ass:
        tail.append(f"ass=filename={filter_path(job.captions_ass)}:fontsdir={filter_path(job.fonts_dir)}")
    if job.logo_path:
        x, y, logo_h = job.logo_box
        inputs += ["-i", job.logo_path]
        # Converted once here (the logo is one picture), in BT.709 like the frames it is laid on.
        graph.append(
            f"[{_count_inputs(inputs) - 1}:v]scale=-2:{logo_h},format=rgba,colorchannelmixer=aa=0.85,"
            "scale=out_color_matrix=bt709:out_range=tv,format=yuva420p[logo]"
        )
        graph.append(f"{chain}[logo]overlay=x={x}:y={y}:format=yuv420[logoed]")
        chain = "[logoed]"
    # Black stretches are found on the frames being encoded, not by decoding again. blackdetect
    # passes each frame through unchanged: a `split` to a side branch instead queued every frame
    # for the slower encoder (~3 MB each at 1080×1920: +550 MB peak for a 6 s still scene).
    tail.append("setparams=color_primaries=bt709:color_trc=bt709:colorspace=bt709:range=tv")
    tail.append("blackdetect=d=0.1:pix_th=0.10[v]")
    graph.append(f"{chain}{','.join(tail)}")
    return [
        "-y",
        *inputs,
        "-filter_complex",
        ";".join(graph),
        "-map",
        "[v]",
        "-frames:v",
        str(job.frames),
        "-r",
        str(fps),
        *X264,
        *BT709,
        "-force_key_frames",
        "expr:eq(n,0)",
        "-an",
        "-movflags",
        "+faststart",
        str(out),
    ]


def _count_inputs(args: list[str]) -> int:
    return args.count("-i")


def encode(job: SegmentJob, out: Path) -> list[tuple[float, float]]:
    """Encode the segment to `out` (atomically: a killed run leaves no half segment); returns its black stretches."""
    part = atomic_path(out)
    try:
        result = run(build_command(job, part))
        part.replace(out)
    finally:
        part.unlink(missing_ok=True)
    return [(float(a), float(b)) for a, b in _BLACK.findall(result.stderr.decode(errors="replace"))]


def caption_box(
    ass_path: Path, width: int, height: int, seconds: float, fonts_dir: str
) -> tuple[int, int, int, int] | None:
    """Bounding box (x0, y0, x1, y1, full-size pixels) of everything the captions draw, or None.

    Renders the caption layer alone over black at a quarter of the size, 6 frames a second.
    """
    small_w, small_h = max(2, width // 4), max(2, height // 4)
    result = run(
        [
            "-f",
            "lavfi",
            "-i",
            f"color=c=black:s={small_w}x{small_h}:r=6:d={max(seconds, 0.2):.3f}",
            "-vf",
            f"ass=filename={filter_path(ass_path)}:fontsdir={filter_path(fonts_dir)},format=gray",
            "-f",
            "rawvideo",
            "-",
        ],
        stdout=subprocess.PIPE,
    )
    frames = np.frombuffer(result.stdout, dtype=np.uint8)
    if frames.size == 0:
        return None
    lit = (frames.reshape(-1, small_h, small_w) > 40).any(axis=0)
    if not lit.any():
        return None
    rows, cols = np.flatnonzero(lit.any(axis=1)), np.flatnonzero(lit.any(axis=0))
    sx, sy = width / small_w, height / small_h
    return (int(cols[0] * sx), int(rows[0] * sy), int((cols[-1] + 1) * sx), int((rows[-1] + 1) * sy))


def read_sidecar(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return None


def write_sidecar(path: Path, data: dict) -> None:
    part = atomic_path(path)
    part.write_text(json.dumps(data))
    part.replace(path)
