"""The shipped catalogues are complete: every source string translated, none fuzzy."""

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import polib
import pytest
from django.conf import settings
from django.utils import translation

from disputes import notifications, wording

ROOT = Path(settings.BASE_DIR)
LANGUAGES = ["es", "it", "ru", "zh_Hans"]
EXTRACT_IGNORES = [".venv", "var", "bench", "node_modules"]


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_has_no_untranslated_or_fuzzy_entries(language):
    po = catalogue(language)
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert untranslated == [], f"{language}: untranslated: {untranslated[:20]}"
    assert fuzzy == [], f"{language}: fuzzy: {fuzzy[:20]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_compiles_and_placeholders_match(language):
    path = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        ["msgfmt", "--check", "-o", os.devnull, str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_catalogues_hold_every_string_of_the_source(tmp_path):
    # Extract afresh from a scratch copy of the source and compare: a string added to the
    # code without running `make messages` and translating it fails here. (makemessages
    # writes next to the sources, so it must not run on the checkout itself.)
    copy = tmp_path / "source"
    shutil.copytree(
        ROOT, copy, ignore=shutil.ignore_patterns(*EXTRACT_IGNORES, "locale", ".git", "*.pyc")
    )
    (copy / "locale").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "es", "-v0"],
        cwd=copy,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local"},
        check=True,
    )
    extracted = polib.pofile(str(copy / "locale" / "es" / "LC_MESSAGES" / "django.po"))
    source = {(entry.msgctxt, entry.msgid) for entry in extracted if entry.msgid}
    for language in LANGUAGES:
        shipped = {(entry.msgctxt, entry.msgid) for entry in catalogue(language)}
        missing = sorted(msgid for _context, msgid in source - shipped)
        assert missing == [], f"{language}: run `make messages` and translate: {missing[:20]}"


# Names under which `makemessages` (xgettext with Django's keywords) finds a string: a
# translation function imported under any other alias hides its strings from the catalogue,
# so they reach the pages in English whatever the reader's language.
EXTRACTED_ALIASES = {None, "_"}


def source_files():
    skipped = {*EXTRACT_IGNORES, "locale", ".git"}
    for path in ROOT.rglob("*.py"):
        if not skipped.intersection(path.relative_to(ROOT).parts):
            yield path


def test_translation_functions_are_imported_under_names_makemessages_extracts():
    hidden = []
    for path in source_files():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                hidden += [
                    f"{path.relative_to(ROOT)}:{node.lineno} {alias.name} as {alias.asname}"
                    for alias in node.names
                    if alias.asname not in EXTRACTED_ALIASES
                ]
    assert hidden == [], f"makemessages does not see strings marked with: {hidden}"


def wording_table_msgids() -> list[str]:
    """Every msgid kept in a table and translated only when shown (gettext on a variable)."""
    msgids = [
        *wording.PARCEL_NOTICES.values(),
        *wording.STATUS_SENTENCES.values(),
        *wording.STATUS_TITLES.values(),
        wording.YOUR_TURN_TITLE,
        *notifications.KIND_SUMMARIES.values(),
    ]
    for notice in wording.RULE_NOTICES.values():
        msgids += [text for text in (notice.timeline, notice.notification) if text]
    return msgids


@pytest.mark.parametrize("language", LANGUAGES)
def test_wording_tables_are_translated_in_every_catalogue(language):
    translated = {entry.msgid for entry in catalogue(language) if entry.translated()}
    missing = [msgid for msgid in wording_table_msgids() if msgid not in translated]
    assert missing == [], f"{language}: shown untranslated: {missing[:20]}"


def test_a_deadline_notice_reaches_the_timeline_in_the_readers_language():
    event = SimpleNamespace(data={"code": "auto_closed", "rule": "auto-close"}, body="")
    with translation.override("en"):
        english = wording.describe(event)
    with translation.override("es"):
        spanish = wording.describe(event)
    assert "closed automatically" in english
    assert spanish != english
    assert "closed automatically" not in spanish
