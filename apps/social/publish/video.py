"""The video a post would publish: its newest finished render (apps.media), as plain facts."""

from __future__ import annotations

from dataclasses import dataclass

from apps.media.models import RenderStatus
from apps.media.renders import renders_of


@dataclass(frozen=True)
class Video:
    render_id: object
    key: str
    size: int
    duration_s: float
    qa_ok: bool  # passed its QA, or a person overrode the check
    generated_media: bool
    synthetic_voice: bool
    cover_timestamp_ms: int | None = None

    @property
    def is_aigc(self) -> bool:
        """TikTok's AI label: generated footage or a synthetic voice."""
        return self.generated_media or self.synthetic_voice


def current_video(post) -> Video | None:
    """The newest finished render of the post (publishable or not: the gate says why not), or None."""
    render = renders_of(post).filter(status=RenderStatus.DONE).exclude(video_key="").order_by("-created_at").first()
    if render is None:
        return None
    return Video(
        render_id=render.id,
        key=render.video_key,
        size=int(render.size_bytes or 0),
        duration_s=float(render.duration_s or 0),
        qa_ok=render.is_publishable,
        generated_media=bool(render.contains_generated_media),
        synthetic_voice=bool(render.synthetic_voice),
        cover_timestamp_ms=render.video_cover_timestamp_ms,
    )
