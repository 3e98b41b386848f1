"""Issue 16, item 3: the German product says "Sie" throughout — also where the words come from a
third-party catalogue (django-allauth's German says "du"; locale_overrides/ replaces it)."""

import re
from pathlib import Path

import allauth
import polib
from django.utils import translation

ALLAUTH_PO = Path(allauth.__file__).parent / "locale" / "de" / "LC_MESSAGES" / "django.po"
OVERRIDES_PO = Path(__file__).resolve().parent.parent / "locale_overrides" / "de" / "LC_MESSAGES" / "django.po"
# The informal address: pronouns and the verb forms that go with them.
DU = re.compile(
    r"\b(du|dich|dir|dein|deine|deinen|deinem|deiner|deines|bist|hast|kannst|willst|möchtest|musst|solltest"
    r"|erhältst|gib|bestätige|melde|klick|klicke|lass|folge|erstelle|wähle|habe Geduld)\b",
    re.IGNORECASE,
)


def _german(entry: polib.POEntry) -> list[str]:
    with translation.override("de"):
        if entry.msgid_plural:
            return [translation.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 2)]
        if entry.msgctxt:
            return [translation.pgettext(entry.msgctxt, entry.msgid)]
        return [translation.gettext(entry.msgid)]


def test_allauth_speaks_sie_in_german():
    informal = []
    for entry in polib.pofile(str(ALLAUTH_PO)):
        if entry.obsolete or not entry.translated():
            continue
        informal += [text for text in _german(entry) if DU.search(text)]
    assert not informal, f"{len(informal)} German allauth strings still say “du”:\n" + "\n".join(informal[:20])


def test_overrides_only_replace_strings_allauth_has():
    allauth_ids = {entry.msgid for entry in polib.pofile(str(ALLAUTH_PO))}
    overrides = polib.pofile(str(OVERRIDES_PO))
    assert overrides.metadata.get("Language") == "de"
    assert all(entry.msgid in allauth_ids and entry.msgstr and not DU.search(entry.msgstr) for entry in overrides)
