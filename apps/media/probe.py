"""Look inside an uploaded file before anything is stored: is it really what its name says?

Images and logos are opened and decoded with Pillow, audio and video with PyAV (a frame must
decode), fonts with Pillow's FreeType loader. Anything else is refused with a translated reason.
Previews: a JPEG thumbnail for images, a poster frame for clips (ffmpeg from imageio-ffmpeg).
"""

import hashlib
import io
import mimetypes
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import av
import imageio_ffmpeg
from django.utils.translation import gettext as _
from PIL import Image, ImageFont, ImageOps

from apps.media.models import AUDIO_KINDS, IMAGE_KINDS, VIDEO_KINDS, AssetKind

PREVIEW_SIZE = (480, 480)
_IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}


class ProbeError(Exception):
    """The file is broken or not what its name says; `str()` is a translated message."""


@dataclass(frozen=True)
class Probe:
    content_type: str
    duration: float | None = None
    width: int | None = None
    height: int | None = None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def probe(path: Path, kind: str, filename: str) -> Probe:
    if kind in IMAGE_KINDS:
        return _probe_image(path, filename)
    if kind in VIDEO_KINDS:
        return _probe_av(path, filename, want="video")
    if kind in AUDIO_KINDS:
        return _probe_av(path, filename, want="audio")
    if kind == AssetKind.FONT:
        return _probe_font(path, filename)
    raise ProbeError(_("Unknown kind of asset."))


def _broken(filename: str, expected: str) -> ProbeError:
    return ProbeError(
        _("“%(name)s” is not a readable %(expected)s file: it is broken or something else under that name.")
        % {"name": filename, "expected": expected}
    )


def _probe_image(path: Path, filename: str) -> Probe:
    try:
        with Image.open(path) as image:
            image.verify()
        with Image.open(path) as image:
            image.load()
            content_type = _IMAGE_TYPES.get(image.format or "")
            width, height = image.size
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _broken(filename, _("image")) from None
    if content_type is None:
        raise _broken(filename, _("image"))
    return Probe(content_type=content_type, width=width, height=height)


def _probe_av(path: Path, filename: str, *, want: str) -> Probe:
    expected = _("video") if want == "video" else _("audio")
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            streams = container.streams.video if want == "video" else container.streams.audio
            if not streams:
                raise _broken(filename, expected)
            stream = streams[0]
            frame = next(container.decode(stream), None)
            if frame is None:
                raise _broken(filename, expected)
            duration = None
            if container.duration:
                duration = container.duration / av.time_base
            elif stream.duration and stream.time_base:
                duration = float(stream.duration * stream.time_base)
            width = getattr(stream.codec_context, "width", None) if want == "video" else None
            height = getattr(stream.codec_context, "height", None) if want == "video" else None
    except (av.error.FFmpegError, StopIteration, UnicodeDecodeError, ValueError, OSError):
        raise _broken(filename, expected) from None
    if not duration or duration <= 0 or (want == "video" and not (width and height)):
        raise _broken(filename, expected)
    fallback = "video/mp4" if want == "video" else "audio/mpeg"
    content_type = mimetypes.guess_type(filename)[0] or fallback
    return Probe(content_type=content_type, duration=round(duration, 3), width=width or None, height=height or None)


def _probe_font(path: Path, filename: str) -> Probe:
    try:
        ImageFont.truetype(str(path), 12)
    except (OSError, ValueError):
        raise _broken(filename, _("font")) from None
    content_type = "font/otf" if filename.lower().endswith(".otf") else "font/ttf"
    return Probe(content_type=content_type)


def image_preview(path: Path) -> bytes:
    """A JPEG thumbnail (at most 480 px a side) of an image that `probe` accepted."""
    with Image.open(path) as image:
        image = ImageOps.exif_transpose(image)
        image.thumbnail(PREVIEW_SIZE)
        if image.mode not in ("RGB", "L"):
            background = Image.new("RGB", image.size, "white")
            background.paste(image, mask=image.convert("RGBA").getchannel("A"))
            image = background
        out = io.BytesIO()
        image.save(out, "JPEG", quality=82)
    return out.getvalue()


def poster_frame(path: Path, duration: float | None) -> bytes:
    """A JPEG poster frame of a clip, taken a little into it (ffmpeg)."""
    offset = min(1.0, (duration or 0) / 2)
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "poster.jpg"
        command = [
            imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-nostdin", "-ss", f"{offset:.3f}", "-i", str(path),
            "-frames:v", "1", "-vf", "scale='min(480,iw)':-2", "-q:v", "4", "-y", str(target),
        ]  # fmt: skip
        subprocess.run(command, check=True, capture_output=True, timeout=60)
        return target.read_bytes()
