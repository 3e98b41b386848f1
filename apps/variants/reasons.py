"""Lint findings and one-click fixes of caption variants (stored as codes, rendered per viewer)."""

from django.utils.translation import gettext_lazy as _

from apps.core.reasons import define

TOO_LONG = define(
    "variants.too_long", _("%(length)s of %(limit)s characters as %(platform)s counts them: %(over)s too many.")
)
TITLE_MISSING = define("variants.title_missing", _("%(platform)s needs a title."))
TITLE_TOO_LONG = define(
    "variants.title_too_long", _("The title has %(length)s characters; %(platform)s allows %(limit)s.")
)
HASHTAGS_TOO_MANY = define(
    "variants.hashtags_too_many", _("%(count)s hashtags; %(platform)s allows at most %(limit)s.")
)
HASHTAGS_MANY = define(
    "variants.hashtags_many", _("%(count)s hashtags; more than %(limit)s rarely help on %(platform)s.")
)
HASHTAGS_INLINE = define(
    "variants.hashtags_inline", _("Hashtags in the middle of the text; on %(platform)s they belong at the end.")
)
LINK_NOT_CLICKABLE = define(
    "variants.link_not_clickable", _("Links in %(platform)s captions cannot be clicked. Point to the link in the bio.")
)
MENTIONS_TOO_MANY = define("variants.mentions_too_many", _("%(count)s mentions; keep it to %(limit)s on %(platform)s."))
EMOJI_DENSE = define(
    "variants.emoji_dense", _("%(count)s emoji in %(length)s characters: more than %(platform)s readers like.")
)
ALL_CAPS = define("variants.all_caps", _("%(share)s%% of the words are in capitals; it reads as shouting."))
LINE_BREAKS = define("variants.line_breaks", _("%(platform)s shows no line breaks: the lines run together."))
CTA_MISSING = define("variants.cta_missing", _("No call to action."))
POLICY = define("variants.policy", _("Policy: %(rule)s"))

# One-click fixes: the button's label.
FIXES = {
    "shorten": _("Shorten to fit"),
    "add_title": _("Add a title"),
    "shorten_title": _("Shorten the title"),
    "trim_hashtags": _("Trim hashtags"),
    "hashtags_to_end": _("Move hashtags to the end"),
    "link_to_bio": _("Move the link to the bio"),
    "reduce_emoji": _("Use fewer emoji"),
    "fix_caps": _("Fix the capitals"),
    "join_lines": _("Join the lines"),
    "add_cta": _("Add the call to action"),
}
