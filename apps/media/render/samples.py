"""Synthetic inputs made with ffmpeg's generators: stills, clips and music for tests and benches (no downloads)."""

from __future__ import annotations

from pathlib import Path

from apps.media.render.ffmpeg import run

_STILLS = (
    "mandelbrot=s={w}x{h}:start_scale=2.5",
    "cellauto=s={w}x{h}:rule=30:random_fill_ratio=0.5",
    "life=s={w}x{h}:mold=10:ratio=0.3:death_color=#2E6B4F:life_color=#F2C14E",
    "testsrc2=s={w}x{h}",
    "gradients=s={w}x{h}:n=4:seed={seed}",
)


def still(path: Path, width: int, height: int, variant: int = 0) -> Path:
    """A busy picture (fractal, cellular automaton, gradients…) as PNG or JPEG (by suffix)."""
    source = _STILLS[variant % len(_STILLS)].format(w=width, h=height, seed=variant + 1)
    run(["-y", "-f", "lavfi", "-i", source, "-frames:v", "1", "-q:v", "3", str(path)])
    return path


def clip(path: Path, width: int, height: int, seconds: float = 3.0, fps: int = 25) -> Path:
    """A moving test pattern (H.264 MP4, landscape like most stock footage)."""
    run([
        "-y", "-f", "lavfi", "-i", f"testsrc2=s={width}x{height}:r={fps}:d={seconds}",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path),
    ])  # fmt: skip
    return path


def music(path: Path, seconds: float = 12.0) -> Path:
    """A pulsing two-tone loop (MP3): loud enough that ducking and loudnorm have something to do."""
    tone = "0.25*sin(2*PI*196*t)*(0.6+0.4*sin(2*PI*2*t))+0.2*sin(2*PI*294*t)+0.1*sin(2*PI*392*t)*gt(mod(t,1),0.5)"
    run(["-y", "-f", "lavfi", "-i", f"aevalsrc='{tone}':s=44100:d={seconds}", "-c:a", "libmp3lame", str(path)])
    return path
