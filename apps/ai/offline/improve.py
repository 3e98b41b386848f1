"""The offline improver: "AI improve" of one post field, following the instruction's intents.

A request is an improve request when its context has `field`, `instruction` and `post` (as
apps.posts sends them). The answer is the agent's usual contract (a script, or video prompts)
built from the post as it is, with only the asked-for field rewritten by rewrite.py (and
translate.py). An instruction without a known intent leaves the field as it is and says so in
the rationale; apps.posts tells the user (`intents.understands`).
"""

from __future__ import annotations

import math
import random

from apps.ai import contracts as c
from apps.ai.offline import intents as parsing
from apps.ai.offline import rewrite, translate
from apps.ai.offline.inputs import Inputs
from apps.ai.offline.text import clip, hashtag, text_of

SCRIPT_FIELDS = ("hook", "caption", "hashtags", "script", "storyboard")


def requested(context) -> bool:
    return isinstance(context, dict) and isinstance(context.get("post"), dict) and bool(context.get("instruction"))


class _Edit:
    """The instruction applied to texts of one language."""

    def __init__(self, inputs: Inputs):
        self.inputs = inputs
        self.instruction = parsing.parse(str(inputs.context.get("instruction") or ""))
        self.target = self.instruction.target or ("en" if inputs.lang == "de" else "de")

    def text(self, value: str, *, several: bool = False, limit: int = 500) -> str:
        out = str(value or "")
        if "translate" in self.instruction.intents:
            out = translate.translate(out, self.inputs.lang, self.target) or out
        lang = self.target if "translate" in self.instruction.intents else self.inputs.lang
        out = rewrite.apply(out, self.instruction.intents, lang, several=several, cta=self.inputs.cta)
        return clip(out, limit) if out.strip() else str(value or "")

    def rationale(self) -> str:
        if not self.instruction.known:
            return self.inputs.label("improve_unknown", instruction=clip(self.inputs.context.get("instruction"), 200))
        names = self.inputs.data.improve.names
        return self.inputs.label("improve_rationale", changes=", ".join(names[i] for i in self.instruction.intents))


def _scenes(post: dict) -> list[dict]:
    script = post.get("script") if isinstance(post.get("script"), dict) else {}
    scenes = [dict(scene) for scene in script.get("scenes") or [] if isinstance(scene, dict)]
    for i, scene in enumerate(scenes):
        scene["index"] = i + 1
        scene["voiceover"] = clip(text_of(scene.get("voiceover")) or "–", 400)
        scene["on_screen_text"] = clip(text_of(scene.get("on_screen_text")), 120)
        scene["visual"] = clip(text_of(scene.get("visual")) or "–", 300)
        scene["duration_seconds"] = max(1, min(30, int(scene.get("duration_seconds") or 3)))
    return scenes[:10]


def _hashtags(edit: _Edit, tags: list[str]) -> list[str]:
    intents = edit.instruction.intents
    if "remove_hashtags" in intents:
        return []
    if "shorter" in intents:
        return tags[: max(1, math.ceil(len(tags) / 2))] if len(tags) > 1 else tags
    if "longer" in intents:
        extra = [hashtag(item) for item in [*edit.inputs.topics, edit.inputs.brand]]
        return list(dict.fromkeys([*tags, *(tag for tag in extra if tag)]))[:10]
    return tags


def _script_scenes(edit: _Edit, scenes: list[dict]) -> list[dict]:
    intents = set(edit.instruction.intents)
    if "shorter" in intents and len(scenes) > 4:
        scenes = [scenes[0], *scenes[1:-1][: max(1, len(scenes) - 3)], scenes[-1]]
    for i, scene in enumerate(scenes):
        scene["index"] = i + 1
        if "question" in intents and i == 0 or intents - {"question"}:
            scene["voiceover"] = edit.text(scene["voiceover"], limit=400)
            scene["on_screen_text"] = clip(edit.text(scene["on_screen_text"], limit=120), 120)
        if "shorter" in intents:
            scene["duration_seconds"] = max(1, scene["duration_seconds"] - 1)
        if "longer" in intents:
            scene["duration_seconds"] = min(30, scene["duration_seconds"] + 2)
    return scenes


def compose_script(inputs: Inputs, rng: random.Random) -> dict:
    post, field, edit = inputs.context["post"], str(inputs.context.get("field") or ""), _Edit(inputs)
    script = post.get("script") if isinstance(post.get("script"), dict) else {}
    hook = clip(text_of(post.get("hook")) or text_of(script.get("title")) or "–", 150)
    scenes = _scenes(post) or [
        {"index": 1, "voiceover": hook, "on_screen_text": clip(hook, 80), "visual": "–", "duration_seconds": 3},
        {"index": 2, "voiceover": inputs.cta_text, "on_screen_text": "", "visual": "–", "duration_seconds": 3},
    ]
    caption = clip(text_of(post.get("caption")), 500)
    tags = [tag for tag in post.get("hashtags") or [] if isinstance(tag, str) and tag.startswith("#")][:10]
    cta = clip(text_of(script.get("cta")) or inputs.cta_text, 150)
    if edit.instruction.known:
        if field == "hook":
            hook = edit.text(hook, limit=150)
        elif field == "caption":
            caption = edit.text(caption, several=True, limit=500)
        elif field == "hashtags":
            tags = _hashtags(edit, tags)
        elif field == "script":
            scenes = _script_scenes(edit, scenes)
            if "cta" in edit.instruction.intents:
                cta = clip(inputs.cta_text, 150)
        elif field == "storyboard":
            storyboard = [row for row in post.get("storyboard") or [] if isinstance(row, dict)]
            for scene, row in zip(scenes, storyboard, strict=False):
                scene["visual"] = edit.text(text_of(row.get("visual")) or scene["visual"], limit=300)
    return {
        "confidence": 0.6 if edit.instruction.known else 0.0,
        "rationale": clip(edit.rationale(), 600),
        "language": edit.target if "translate" in edit.instruction.intents else inputs.lang,
        "title": clip(text_of(script.get("title")) or hook, 100),
        "hook": hook,
        "scenes": scenes,
        "cta": cta,
        "caption": caption,
        "hashtags": list(dict.fromkeys(tags)),
        "total_duration_seconds": sum(scene["duration_seconds"] for scene in scenes),
    }


def compose_prompts(inputs: Inputs, rng: random.Random) -> dict:
    post, edit = inputs.context["post"], _Edit(inputs)
    video = post.get("video_prompt") if isinstance(post.get("video_prompt"), dict) else {}
    prompts = []
    for i, row in enumerate([row for row in video.get("prompts") or [] if isinstance(row, dict)][:10]):
        prompt = text_of(row.get("prompt")) or "–"
        prompts.append(
            {
                "scene_index": i + 1,
                "prompt": edit.text(prompt, several=True, limit=800) if edit.instruction.known else clip(prompt, 800),
                "negative_prompt": clip(text_of(row.get("negative_prompt")), 300),
                "camera": clip(text_of(row.get("camera")) or "–", 120),
                "style": clip(text_of(row.get("style")) or "–", 120),
                "duration_seconds": max(1, min(30, int(row.get("duration_seconds") or 3))),
            }
        )
    if not prompts:
        raise ValueError("the post has no video prompts to improve")
    return {
        "confidence": 0.6 if edit.instruction.known else 0.0,
        "rationale": clip(edit.rationale(), 600),
        "aspect_ratio": video.get("aspect_ratio") if video.get("aspect_ratio") in ("9:16", "1:1", "16:9") else "9:16",
        "style": clip(text_of(video.get("style")) or "–", 200),
        "prompts": prompts,
    }


COMPOSERS = {c.ScriptOutput: compose_script, c.PromptEngineerOutput: compose_prompts}
