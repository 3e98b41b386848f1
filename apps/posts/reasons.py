"""Reason codes a post's review reason holds besides the policy rules' (rendered in the viewer's language)."""

from django.utils.translation import gettext_lazy as _

from apps.core.reasons import define

CHANGES_REQUESTED = define("posts.changes_requested", _("Changes requested by %(who)s: %(message)s"))
# A reason written as a sentence before reasons were codes (kept by the migration as it was written).
NOTE = define("posts.note", "%(text)s")
