"""The script agent, offline: hook scene, one scene per beat, call to action; caption from the banks."""

from __future__ import annotations

import random
import re

from apps.ai.offline import library
from apps.ai.offline.common import beat_lines, hashtags, one_hook
from apps.ai.offline.inputs import Inputs, confidence
from apps.ai.offline.text import allocate, as_int, as_list, clip, sentence, text_of


def concept_of(inputs: Inputs) -> dict:
    concept = inputs.context.get("concept") or inputs.context.get("idea") or {}
    if isinstance(concept, dict) and isinstance(concept.get("concepts"), list) and concept["concepts"]:
        concept = concept["concepts"][0]
    if isinstance(concept, str):
        concept = {"hook": concept}
    return concept if isinstance(concept, dict) else {}


def _key(beat: str) -> str:
    """A beat as the library wrote it, whatever number filled its slot ("Ankündigung: 4 Punkte …")."""
    return re.sub(r"\d+", "#", beat.casefold())


def caption(inputs: Inputs, key: str, rng: random.Random, hook: str, topic: str, cta: str) -> str:
    banks = inputs.data.banks
    # The topic once is enough: a hook that names it gets a caption that does not repeat it.
    fitting = [item for item in banks.captions if "topic" not in item.slots or topic.casefold() not in hook.casefold()]
    template = rng.choice(fitting or banks.captions)
    value = rng.choice(inputs.format(key).caption_values).render(topic=topic)
    text = template.render(
        hook=sentence(hook), value=sentence(value), question=rng.choice(banks.questions), cta=sentence(cta), topic=topic
    )
    return clip(" ".join(text.split()), 500)


def compose(inputs: Inputs, rng: random.Random) -> dict:
    banks = inputs.data.banks
    concept = concept_of(inputs)
    key = library.find_format(concept.get("format")) or (
        inputs.formats[0][0] if inputs.formats else rng.choice(library.format_keys())
    )
    spec = inputs.format(key)
    topic = clip(text_of(concept.get("pillar")) or text_of(concept.get("topic")), 60) or rng.choice(inputs.topic_list)
    values = inputs.values(rng, topic)
    hook = clip(text_of(concept.get("hook")), 150) or one_hook(inputs, key, rng, topic, set())
    title = clip(text_of(concept.get("title")), 100) or clip(
        inputs.label("concept_title", format=spec.name, topic=topic), 100
    )
    spoken = {_key(beat): line for beat, line in beat_lines(inputs, key, rng, values, count=len(spec.beats))}
    given = [clip(beat, 160) for beat in as_list(concept.get("beats"), limit=7)]
    pairs = [(beat, spoken.get(_key(beat), "")) for beat in given] if given else beat_lines(inputs, key, rng, values)

    target = max(
        10, min(90, as_int(inputs.context.get("duration_seconds") or inputs.context.get("duration"), spec.duration))
    )
    hook_seconds, cta_seconds = (3 if target >= 20 else 2), 3
    middle = max(2 * len(pairs), target - hook_seconds - cta_seconds)
    per_beat = [min(30, part) for part in allocate(middle, [1.0] * len(pairs))]

    details = list(banks.scene_details)
    rng.shuffle(details)
    values["pain"] = rng.choice(banks.pains)
    knowledge_at = len(pairs) // 2 if inputs.knowledge else -1
    scenes = [
        {
            "index": 1,
            "voiceover": hook,
            "on_screen_text": clip(hook, 80),
            "visual": clip(inputs.label("scene_hook_visual", visual=spec.visual), 300),
            "duration_seconds": hook_seconds,
        }
    ]
    for i, ((beat, line), seconds) in enumerate(zip(pairs, per_beat, strict=True)):
        voiceover = line or details[i % len(details)].render(**values)
        if i == knowledge_at:
            voiceover += " " + inputs.label("scene_knowledge", knowledge=sentence(rng.choice(inputs.knowledge)))
        scenes.append(
            {
                "index": len(scenes) + 1,
                "voiceover": clip(voiceover, 400),
                "on_screen_text": clip(line or beat, 60),
                "visual": clip(f"{beat.rstrip('.')}: {spec.visual}, {rng.choice(banks.cameras)}", 300),
                "duration_seconds": seconds,
            }
        )
    cta = clip(inputs.cta_text, 150)
    scenes.append(
        {
            "index": len(scenes) + 1,
            "voiceover": clip(inputs.label("scene_cta_voice", cta=cta.rstrip(".!"), brand=inputs.brand_name), 400),
            "on_screen_text": clip(cta, 80),
            "visual": clip(inputs.label("scene_cta_visual", brand=inputs.brand_name), 300),
            "duration_seconds": cta_seconds,
        }
    )
    total = sum(scene["duration_seconds"] for scene in scenes)
    rationale = inputs.label(
        "script_rationale", format=spec.name, scenes=len(scenes), seconds=total, tone=inputs.tone_text
    )
    if inputs.dont:
        rationale += inputs.label("dont_note", dont="; ".join(inputs.dont[:3]))
    return {
        "confidence": confidence(inputs, rng, 0.5),
        "rationale": clip(rationale, 600),
        "language": inputs.lang,
        "title": title,
        "hook": hook,
        "scenes": scenes,
        "cta": cta,
        "caption": caption(inputs, key, rng, hook, topic, cta),
        "hashtags": hashtags(inputs, topic, key.replace("_", "")),
        "total_duration_seconds": total,
    }
