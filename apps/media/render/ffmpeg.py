"""Running the bundled ffmpeg (imageio-ffmpeg) and quoting paths for filter graphs."""

from __future__ import annotations

import os
import subprocess
from functools import lru_cache
from pathlib import Path

import imageio_ffmpeg

X264 = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "21", "-pix_fmt", "yuv420p"]
BT709 = ["-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv"]


class FfmpegError(RuntimeError):
    """ffmpeg exited non-zero; the message ends with the tail of its log."""


@lru_cache(maxsize=1)
def ffmpeg_exe() -> str:
    return imageio_ffmpeg.get_ffmpeg_exe()


def run(
    args: list[str], *, stdout: int | None = subprocess.DEVNULL, timeout: float | None = 600
) -> subprocess.CompletedProcess:
    """`ffmpeg -hide_banner -nostdin <args>`; stderr is captured (filters such as loudnorm report there)."""
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", *args]
    result = subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, timeout=timeout, check=False)
    if result.returncode != 0:
        tail = result.stderr.decode(errors="replace")[-2000:]
        raise FfmpegError(f"ffmpeg failed ({result.returncode}): {tail}")
    return result


def filter_path(path: str | os.PathLike) -> str:
    """A file name as a filter option value: escaped for the option and for the graph."""
    text = str(Path(path))
    for char in ("\\", ":", "'"):
        text = text.replace(char, "\\" + char)
    # The graph parser sees the option string again: protect its separators too.
    return "'" + text.replace("'", "'\\''") + "'" if any(c in text for c in ",;[] ") else text


def hex_color(value: str) -> str:
    """'#1E3A5F' → '0x1E3A5F' (ffmpeg colour syntax)."""
    clean = value.strip().lstrip("#")
    if len(clean) == 3:
        clean = "".join(char * 2 for char in clean)
    int(clean, 16)  # raises ValueError for garbage
    return "0x" + clean.upper()


def atomic_path(path: Path) -> Path:
    """Where to write before renaming into `path`, so a killed run never leaves a half file."""
    return path.with_name(f".{path.stem}.{os.getpid()}.part{path.suffix}")
