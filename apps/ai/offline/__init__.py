"""The offline writer: an LLM provider that composes drafts without network.

`OfflineProvider().complete(request)` answers every agent contract (apps.ai.contracts) from
the request's structured context and the content in `data/<lang>/*.yaml` (validated and
cached by library.py), in German or English (German unless the language starts with "en").
The same request and seed give the same answer. Models no composer knows are filled from
their JSON schema (schema_fill.py, shared with the sandbox). One composer module per agent;
hooks.py spreads hook structures over a month; improve.py follows "AI improve" instructions.
The compliance agent has no opinion offline: the policy engine decides.

Context keys it reads (all optional): brief; brand / brand_kit (name, tone, voice, audience,
cta, hashtags, do, dont, visual_style, pillars, timezone); audience, cta, hashtags, tone;
topics / pillars / content_pillars; formats / format_mix; knowledge; slots / slot_count;
avoid_hooks; preferred_formats; variation (another month schedule, e.g. per regeneration);
concept; duration_seconds; script / draft; pass_threshold; metrics / posts; timezone, count;
and for AI improve: field, instruction, post.
"""

from apps.ai.offline.intents import understands
from apps.ai.offline.provider import MODEL, OfflineProvider

__all__ = ["MODEL", "OfflineProvider", "understands"]
