"""Why a render was refused or a check of its result failed (codes + parameters, rendered per viewer)."""

from django.utils.translation import gettext_lazy as _

from apps.core.reasons import define

ASSET_REFUSED = define("render.asset_refused", _("An asset of this video may not be used: %(detail)s"))
VOICE_UNAVAILABLE = define("render.voice_unavailable", _("The voice could not be made: %(detail)s"))

QA_DURATION = define(
    "render.qa.duration", _("The video is %(value)s s long; it must be between %(min)s s and %(max)s s.")
)
QA_ASPECT = define("render.qa.aspect", _("The picture is %(value)s; TikTok needs a vertical 9:16 video."))
QA_RESOLUTION = define(
    "render.qa.resolution", _("The picture is %(value)s pixels wide; at least %(min)s are needed for a sharp video.")
)
QA_FPS = define("render.qa.fps", _("The video has %(value)s frames per second; TikTok needs %(min)s to %(max)s."))
QA_VIDEO_CODEC = define("render.qa.video_codec", _("The video is encoded as %(value)s; TikTok needs H.264."))
QA_AUDIO_CODEC = define("render.qa.audio_codec", _("The sound is encoded as %(value)s; TikTok needs AAC."))
QA_NO_AUDIO = define("render.qa.no_audio", _("The video has no sound track."))
QA_LOUDNESS = define(
    "render.qa.loudness",
    _("The sound is %(value)s LUFS loud; it should be %(target)s LUFS (within %(tolerance)s LU)."),
)
QA_BLACK = define(
    "render.qa.black", _("The picture is black for %(value)s s from %(at)s s; at most %(max)s s is allowed.")
)
QA_SILENCE = define(
    "render.qa.silence", _("The voice-over is silent for %(value)s s from %(at)s s; at most %(max)s s is allowed.")
)
QA_CAPTIONS_SAFE_ZONE = define(
    "render.qa.captions_safe_zone",
    _("The captions reach outside the area TikTok keeps free of its buttons and texts (%(value)s)."),
)
QA_FILE_SIZE = define("render.qa.file_size", _("The file is %(value)s MB; at most %(max)s MB can be uploaded."))
