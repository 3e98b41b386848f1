"""The video a post would publish: its newest finished render (apps.media), as plain facts."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps as django_apps


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
    """The newest finished render of the post, or None."""
    render_model = django_apps.get_model("media", "Render")
    render = (
        render_model.objects.for_org(post.organization_id)
        .filter(post=post, status="done")
        .exclude(video_key="")
        .order_by("-created_at")
        .first()
    )
    if render is None:
        return None
    return Video(
        render_id=render.id,
        key=render.video_key,
        size=int(render.size_bytes or 0),
        duration_s=float(render.duration_s or 0),
        qa_ok=bool(render.qa_passed) or bool(render.qa_overridden_at),
        generated_media=bool(render.contains_generated_media),
        synthetic_voice=bool(render.synthetic_voice),
        cover_timestamp_ms=render.video_cover_timestamp_ms,
    )
