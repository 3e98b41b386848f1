"""Why a generated clip is missing and what the scene showed instead (codes + parameters, rendered per viewer)."""

from django.utils.translation import gettext_lazy as _

from apps.core.reasons import define

CLIP_BLOCKED = define("clips.blocked", _("%(provider)s's safety filter blocked the clip: %(detail)s"))
CLIP_FAILED = define("clips.failed", _("%(provider)s could not make the clip: %(detail)s"))
CLIP_GAVE_UP = define(
    "clips.gave_up", _("%(provider)s kept failing (%(attempts)s attempts), the last time with: %(detail)s")
)
CLIP_TIMEOUT = define("clips.timeout", _("%(provider)s did not finish the clip within %(minutes)s minutes."))
CLIP_BUDGET = define("clips.budget", _("No video seconds left for the clip: %(detail)s"))
CLIP_NO_KEY = define("clips.no_key", _("No usable %(provider)s key: %(detail)s"))
CLIP_AUTH = define("clips.auth", _("%(provider)s refused the key: %(detail)s"))
CLIP_PROVIDER_QUOTA = define("clips.provider_quota", _("The %(provider)s account has no credit left: %(detail)s"))
CLIP_INVALID = define("clips.invalid", _("%(provider)s refused the request: %(detail)s"))
CLIP_UNUSABLE = define("clips.unusable", _("The clip from %(provider)s could not be stored: %(detail)s"))
NO_PROMPT = define("clips.no_prompt", _("The scene has no video prompt."))
