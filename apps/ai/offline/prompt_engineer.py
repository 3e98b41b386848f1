"""The prompt engineer, offline: one 9:16 video prompt per scene of the script, one shared look."""

from __future__ import annotations

import random

from apps.ai.offline import script as script_composer
from apps.ai.offline.inputs import Inputs, confidence
from apps.ai.offline.text import as_int, clip, text_of


def script_source(inputs: Inputs, rng: random.Random) -> dict:
    given = inputs.context.get("script") or inputs.context.get("draft")
    if isinstance(given, dict) and isinstance(given.get("scenes"), list) and given["scenes"]:
        return given
    return script_composer.compose(inputs, rng)


def compose(inputs: Inputs, rng: random.Random) -> dict:
    banks = inputs.data.banks
    script = script_source(inputs, rng)
    title = clip(text_of(script.get("title")) or text_of(script.get("hook")) or inputs.topic_list[0], 100)
    style = inputs.visual_style or rng.choice(banks.styles)
    negative = ", ".join([inputs.label("negative"), *inputs.dont[:3]])
    cameras = list(banks.cameras)
    rng.shuffle(cameras)
    any_visual = next(iter(inputs.data.formats.values())).visual
    prompts = []
    for i, scene in enumerate([s for s in script["scenes"] if isinstance(s, dict)][:10]):
        camera = cameras[i % len(cameras)]
        beat = clip(text_of(scene.get("on_screen_text")) or text_of(scene.get("voiceover")), 160).rstrip(".") or "–"
        prompt = inputs.label(
            "prompt_scene",
            title=title,
            visual=text_of(scene.get("visual")).rstrip(".") or any_visual,
            beat=beat,
            camera=camera,
            style=style,
            tone=inputs.tone_text,
        )
        prompts.append(
            {
                "scene_index": i + 1,
                "prompt": clip(prompt, 800),
                "negative_prompt": clip(negative, 300),
                "camera": clip(camera, 120),
                "style": clip(style, 120),
                "duration_seconds": max(1, min(30, as_int(scene.get("duration_seconds"), 4))),
            }
        )
    if not prompts:
        raise ValueError("the script has no scenes")
    ratio = inputs.context.get("aspect_ratio")
    return {
        "confidence": confidence(inputs, rng, 0.55),
        "rationale": clip(inputs.label("prompt_rationale", count=len(prompts), style=style), 600),
        "aspect_ratio": ratio if ratio in ("9:16", "1:1", "16:9") else "9:16",
        "style": clip(inputs.label("prompt_style", style=style, tone=inputs.tone_text), 200),
        "prompts": prompts,
    }
