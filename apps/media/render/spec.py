"""What to render: a `RenderSpec` of scenes, voice, brand and output settings (plain data, no Django)."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

DEFAULT_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"  # Debian fonts-dejavu-core
DEFAULT_COLORS = ("#1E3A5F", "#FFC857", "#FFFFFF")  # background, highlight, text
TITLE_SECONDS = 0.5  # the title card with the hook; its middle frame is the cover
ENGINE_VERSION = "2"  # bump when the output for the same spec changes (digests include it)


@dataclass(frozen=True)
class SafeZone:
    """Fractions of the frame that TikTok's interface covers; captions stay out of them.

    Top: the "Following / For You" bar; right: the like/comment/share buttons; bottom: the
    account name, description and sound ticker; left: a small margin.
    """

    top: float = 0.10
    bottom: float = 0.25
    left: float = 0.06
    right: float = 0.15

    def box(self, width: int, height: int) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1) in pixels of the area captions may use."""
        return (
            round(width * self.left),
            round(height * self.top),
            round(width * (1 - self.right)),
            round(height * (1 - self.bottom)),
        )


@dataclass(frozen=True)
class Visual:
    """An image or clip file, or a brand-colour card (`path` None).

    `asset` is whatever the caller's `asset_check` understands (e.g. an `apps.media` Asset);
    the engine only passes it through.
    """

    kind: Literal["image", "clip", "card"] = "card"
    path: str | None = None
    asset: Any = field(default=None, compare=False)

    def __post_init__(self):
        if self.kind not in ("image", "clip", "card"):
            raise ValueError(f"unknown visual kind {self.kind!r}")
        if self.kind != "card" and not self.path:
            raise ValueError(f"a {self.kind} visual needs a path")


@dataclass(frozen=True)
class SceneSpec:
    voiceover: str
    on_screen_text: str = ""
    visual: Visual = field(default_factory=Visual)
    silent_seconds: float = 2.0  # length of a scene without voice-over
    min_seconds: float = 0.0  # the scene lasts at least this long, even when its voice-over is shorter


@dataclass(frozen=True)
class RenderSpec:
    scenes: tuple[SceneSpec, ...]
    hook: str
    language: str = "de"
    colors: tuple[str, ...] = DEFAULT_COLORS
    font_path: str = DEFAULT_FONT
    music_path: str | None = None
    music_asset: Any = field(default=None, compare=False)
    music_volume_db: float = -12.0
    logo_path: str | None = None
    watermark: bool = False  # TikTok's guidelines discourage watermarks: opt-in
    captions: bool = True
    width: int = 1080
    height: int = 1920
    fps: int = 30
    safe_zone: SafeZone = field(default_factory=SafeZone)
    whisper_model: str | None = None  # a CTranslate2 Whisper model directory: refines word timings

    def __post_init__(self):
        object.__setattr__(self, "scenes", tuple(self.scenes))
        object.__setattr__(self, "colors", tuple(self.colors))
        if not self.scenes:
            raise ValueError("a render needs at least one scene")
        if self.width % 2 or self.height % 2:
            raise ValueError("width and height must be even (yuv420p)")

    @property
    def background(self) -> str:
        return self.colors[0] if self.colors else DEFAULT_COLORS[0]

    @property
    def highlight(self) -> str:
        return self.colors[1] if len(self.colors) > 1 else DEFAULT_COLORS[1]

    @property
    def text_color(self) -> str:
        return self.colors[2] if len(self.colors) > 2 else DEFAULT_COLORS[2]

    @property
    def assets(self) -> list[Any]:
        found = [scene.visual.asset for scene in self.scenes if scene.visual.asset is not None]
        if self.music_path and self.music_asset is not None:
            found.append(self.music_asset)
        return found


def file_digest(path: str | os.PathLike | None) -> str:
    """Content digest of an input file (cached by path, size and mtime within the process)."""
    if not path:
        return ""
    stat = os.stat(path)
    return _file_digest(str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns)


_digest_cache: dict[tuple, str] = {}


def _file_digest(path: str, size: int, mtime_ns: int) -> str:
    cache_key = (path, size, mtime_ns)
    if cache_key not in _digest_cache:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1024 * 1024), b""):
                digest.update(chunk)
        _digest_cache[cache_key] = digest.hexdigest()
    return _digest_cache[cache_key]


def digest_of(value: Any) -> str:
    """sha256 of a JSON-able value (sorted keys): the identity of a step's inputs."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def spec_digest(spec: RenderSpec, voice_key: str) -> str:
    """Same spec, same files, same voice → same digest (the render's idempotency key)."""
    data = {
        "scenes": [
            {
                "voiceover": scene.voiceover,
                "on_screen_text": scene.on_screen_text,
                "visual": [scene.visual.kind, file_digest(scene.visual.path)],
                "silent_seconds": scene.silent_seconds,
                **({"min_seconds": scene.min_seconds} if scene.min_seconds else {}),  # earlier digests stay valid
            }
            for scene in spec.scenes
        ],
        "hook": spec.hook,
        "language": spec.language,
        "colors": spec.colors,
        "font": file_digest(spec.font_path),
        "music": [file_digest(spec.music_path), spec.music_volume_db],
        "logo": file_digest(spec.logo_path) if spec.watermark else "",
        "captions": spec.captions,
        "size": [spec.width, spec.height, spec.fps],
        "safe_zone": asdict(spec.safe_zone),
        "whisper": spec.whisper_model or "",
        "voice": voice_key,
        "engine": ENGINE_VERSION,
    }
    return digest_of(data)
