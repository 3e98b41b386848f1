"""The German catalogue is complete, in step with the code, and actually used.

No database needed. The extraction test runs GNU gettext's xgettext through
`manage.py makemessages`; `make test` installs it (see the `system-deps` target).
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

REPO = Path(__file__).resolve().parent.parent
PO_PATH = REPO / "locale" / "de" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

# The same arguments as scripts/update_translations.sh.
MAKEMESSAGES = ["makemessages", "-l", "de", "--ignore=.venv", "--ignore=var", "--ignore=tests", "--ignore=bench"]
# What the temporary copy leaves out: the ignored folders, and what is never source.
NOT_SOURCE = {".venv", "var", "tests", "bench", ".git", "node_modules", "__pycache__", ".ruff_cache", ".pytest_cache"}

PLACEHOLDER = re.compile(r"%\(\w+\)[sdfr]|%[sd]|\{\w*\}|</?[a-zA-Z][^>]*>")
UPDATE_HINT = "Run scripts/update_translations.sh, translate the entries into German (Sie-form) and remove `#, fuzzy`."


def _active_entries(po: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po if not entry.obsolete]


def _needs_translation(entry: polib.POEntry) -> bool:
    if "fuzzy" in entry.flags:
        return True
    if entry.msgid_plural:
        return not entry.msgstr_plural or any(not text.strip() for text in entry.msgstr_plural.values())
    return not entry.msgstr.strip()


def _describe(entries: list[polib.POEntry]) -> str:
    lines = []
    for entry in entries:
        where = ", ".join(f"{path}:{line}" for path, line in entry.occurrences[:3])
        state = "fuzzy" if "fuzzy" in entry.flags else "untranslated"
        lines.append(f"  - {entry.msgid!r} ({state}; {where or 'no reference'})")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    assert PO_PATH.exists(), f"{PO_PATH.relative_to(REPO)} is missing. {UPDATE_HINT}"
    return polib.pofile(str(PO_PATH))


# --- a) the catalogue in the repository is complete ------------------------------------


def test_catalogue_has_german_header(catalogue):
    assert catalogue.metadata.get("Language") == "de"
    assert catalogue.metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=2;plural=(n!=1);"
    assert "charset=UTF-8" in catalogue.metadata.get("Content-Type", "")


def test_every_entry_is_translated_and_not_fuzzy(catalogue):
    entries = _active_entries(catalogue)
    assert entries, "The German catalogue has no entries at all."
    todo = [entry for entry in entries if _needs_translation(entry)]
    assert not todo, f"{len(todo)} German entries are untranslated or fuzzy:\n{_describe(todo)}\n{UPDATE_HINT}"


def test_translations_keep_placeholders_and_markup(catalogue):
    broken = []
    for entry in _active_entries(catalogue):
        if _needs_translation(entry):
            continue  # reported by the test above
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        for text in translations:
            if sorted(PLACEHOLDER.findall(text)) != expected:
                broken.append(f"  - {entry.msgid!r} → {text!r}")
    assert not broken, "Translations that lost or changed a placeholder or HTML tag:\n" + "\n".join(broken)


# --- b) extraction from the code gives nothing the catalogue lacks ---------------------


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> polib.POFile:
    """Run makemessages on a copy of the project, merged with a copy of the catalogue."""
    if shutil.which("xgettext") is None:
        pytest.fail(
            "xgettext (GNU gettext) is not installed, so the extraction check cannot run. "
            "Install it with `make system-deps` (apt-get install gettext); `make test` does this for you."
        )
    copy = tmp_path_factory.mktemp("i18n-project")
    for item in REPO.iterdir():
        if item.name in NOT_SOURCE:
            continue
        if item.is_dir():
            shutil.copytree(item, copy / item.name, ignore=shutil.ignore_patterns(*NOT_SOURCE, "*.pyc", "*.mo"))
        else:
            shutil.copy2(item, copy / item.name)
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "viralforge.settings",
        # BASE_DIR follows the copied settings; the embedded services and secrets stay the real ones.
        "VF_VAR_DIR": str(settings.VAR_DIR),
        "PYTHONPATH": str(copy),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *MAKEMESSAGES, "--no-obsolete"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"
    po_path = copy / "locale" / "de" / "LC_MESSAGES" / "django.po"
    assert po_path.exists(), f"makemessages wrote no catalogue:\n{result.stdout}\n{result.stderr}"
    return polib.pofile(str(po_path))


def test_every_marked_string_in_the_code_has_a_german_translation(extracted):
    todo = [entry for entry in _active_entries(extracted) if _needs_translation(entry)]
    assert not todo, (
        f"{len(todo)} strings marked for translation in the code have no German translation "
        f"in locale/de (new, changed or only fuzzy-matched):\n{_describe(todo)}\n{UPDATE_HINT}"
    )


def test_catalogue_has_no_stale_entries(catalogue, extracted):
    current = {(entry.msgctxt, entry.msgid) for entry in _active_entries(extracted)}
    stale = [entry for entry in _active_entries(catalogue) if (entry.msgctxt, entry.msgid) not in current]
    assert not stale, (
        "locale/de has entries the code no longer uses:\n"
        + "\n".join(f"  - {entry.msgid!r}" for entry in stale)
        + "\nRun scripts/update_translations.sh to drop them."
    )


# --- c) the compiled catalogue is what Django uses -------------------------------------


@pytest.fixture
def compiled_catalogue():
    """Compile like `make messages` does if the .mo is missing or older, then reload Django's catalogues."""
    if not MO_PATH.exists() or MO_PATH.stat().st_mtime < PO_PATH.stat().st_mtime:
        call_command("compile_translations")
    # Changing LOCALE_PATHS (to the same value) makes Django drop its cached catalogues.
    with override_settings(LOCALE_PATHS=list(settings.LOCALE_PATHS)):
        yield MO_PATH


def test_compiled_catalogue_matches_the_po_file(catalogue, compiled_catalogue):
    compiled = polib.mofile(str(compiled_catalogue))
    compiled_ids = {(entry.msgctxt, entry.msgid) for entry in compiled if entry.msgid}
    translated = {(entry.msgctxt, entry.msgid) for entry in catalogue.translated_entries()}
    assert translated <= compiled_ids, f"Not compiled: {sorted(m for _, m in translated - compiled_ids)}"


def test_german_is_used_when_activated(compiled_catalogue):
    from apps.orgs.roles import Role

    with translation.override("de"):
        assert translation.gettext("Members") == "Mitglieder"
        assert translation.gettext("Sign in") == "Anmelden"
        assert str(Role.OWNER.label) == "Inhaber"
    with translation.override("en"):
        assert translation.gettext("Members") == "Members"
