"""The renderer: storyboard scenes + voice + captions + music → a checked vertical MP4 (ffmpeg filter graphs)."""

from apps.media.render.engine import COVER_TIMESTAMP_MS, RenderRefused, RenderResult, render
from apps.media.render.qa import Limits
from apps.media.render.spec import RenderSpec, SafeZone, SceneSpec, Visual
from apps.media.render.voice import EspeakVoice, Voice

__all__ = [
    "COVER_TIMESTAMP_MS",
    "EspeakVoice",
    "Limits",
    "RenderRefused",
    "RenderResult",
    "RenderSpec",
    "SafeZone",
    "SceneSpec",
    "Visual",
    "Voice",
    "render",
]
