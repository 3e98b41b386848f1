"""Why a post's video may not be used or published (stored as codes, rendered per viewer)."""

from django.utils.translation import gettext_lazy as _

from apps.core.reasons import define

ASSET_EXPIRED = define("media.asset_expired", _("The licence of “%(asset)s” expired on %(date)s."))
ASSET_UNLICENSED = define(
    "media.asset_unlicensed", _("“%(asset)s” has no licence recorded, and this organization requires one.")
)

# Why a render ended without a video.
RENDER_NO_SCENES = define("media.render_no_scenes", _("The post's script has no scenes to render."))
RENDER_QUOTA_RENDERS = define(
    "media.render_quota_renders", _("The plan's limit of %(limit)s renders is used up, so this video was not made.")
)
RENDER_QUOTA_SECONDS = define(
    "media.render_quota_seconds",
    _("The video seconds of this month (%(limit)s) are used up, so this video was not made."),
)
RENDER_TIMEOUT = define("media.render_timeout", _("The render took longer than %(minutes)s minutes and was stopped."))
RENDER_CRASHED = define("media.render_crashed", _("The render failed %(attempts)s times: %(error)s"))

# Why the offline voice spoke a render instead of the project's ElevenLabs voice.
VOICE_FALLBACK_NO_VOICE_ID = define(
    "media.voice_fallback_no_voice_id", _("The project has no ElevenLabs voice ID, so the offline voice spoke.")
)
VOICE_FALLBACK_NO_KEY = define(
    "media.voice_fallback_no_key", _("No usable ElevenLabs key (%(code)s), so the offline voice spoke.")
)
VOICE_FALLBACK_REFUSED = define(
    "media.voice_fallback_refused", _("ElevenLabs refused the voice-over (%(code)s), so the offline voice spoke.")
)
VOICE_FALLBACK_QUOTA = define(
    "media.voice_fallback_quota",
    _("The plan's voice characters of this month (%(limit)s) are used up, so the offline voice spoke."),
)
