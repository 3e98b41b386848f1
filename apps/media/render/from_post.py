"""A post's script (as `apps.posts.models.PostItem.script` stores it) → a `RenderSpec`.

Plain data in, so the engine stays free of models: the caller passes the post's `hook` and
`script`, the project's language and brand colours, and the visual it picked per scene
(library image or clip, licence-checked); scenes without one become brand-colour cards.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from apps.media.render.spec import DEFAULT_COLORS, RenderSpec, SceneSpec, Visual


def spec_from_post(
    *,
    hook: str,
    script: Mapping[str, Any],
    language: str,
    colors: Sequence[str] = (),
    visuals: Mapping[int, Visual] | None = None,
    **options: Any,
) -> RenderSpec:
    """`script["scenes"]`: `[{index, voiceover, on_screen_text, visual, duration_seconds}]` (ScriptOutput)."""
    visuals = visuals or {}
    scenes = []
    for raw in sorted(script.get("scenes") or [], key=lambda scene: int(scene.get("index", 0))):
        index = int(raw.get("index", len(scenes) + 1))
        scenes.append(
            SceneSpec(
                voiceover=str(raw.get("voiceover") or ""),
                on_screen_text=str(raw.get("on_screen_text") or ""),
                visual=visuals.get(index, Visual("card")),
                silent_seconds=float(raw.get("duration_seconds") or 2),
            )
        )
    if not scenes:
        raise ValueError("the post has no scenes to render")
    # Brand colours: background first, highlight second; the default fills what the brand kit lacks.
    palette = tuple(colors[:3]) + DEFAULT_COLORS[len(colors[:3]) :]
    return RenderSpec(
        scenes=tuple(scenes), hook=hook, language=script.get("language") or language, colors=palette, **options
    )
