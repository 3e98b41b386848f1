#!/usr/bin/env bash
# Re-extract every translatable string into locale/de/LC_MESSAGES/django.po.
#
# Run this whenever code or templates gain or change marked strings, then translate
# each new or `#, fuzzy` entry (Sie-form), delete the `#, fuzzy` flag once checked, and
# compile with `make messages`. tests/test_i18n.py fails while an entry is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"

if ! command -v xgettext >/dev/null 2>&1; then
  echo "xgettext (GNU gettext) is missing: run 'make system-deps' or 'apt-get install gettext'." >&2
  exit 1
fi

"$PY" manage.py makemessages -l de --ignore=.venv --ignore=var --ignore=tests --ignore=bench --no-obsolete

# Report what still needs a translator, then compile what is there.
"$PY" - <<'PYEOF'
import polib

po = polib.pofile("locale/de/LC_MESSAGES/django.po")
todo = [e for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
print(f"locale/de: {len(po.translated_entries())} translated, {len(todo)} to do")
for entry in todo:
    flag = " (fuzzy)" if "fuzzy" in entry.flags else ""
    print(f"  {entry.msgid!r}{flag}  [{', '.join(f'{f}:{n}' for f, n in entry.occurrences[:2])}]")
PYEOF
"$PY" manage.py compile_translations
