"""The shipped catalogues are complete: every source string translated, none fuzzy."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

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
