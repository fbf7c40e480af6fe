"""The shipped catalogues are complete: every source string translated, none fuzzy."""

import ast
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
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


# ---------------------------------------------------------------------------------------
# Strings that reach a page without passing through a catalogue.
#
# The catalogues above can be complete while a page still shows English: a string marked
# under a name makemessages does not see, a stored English message shown without gettext,
# an f-string. So key pages are rendered for Spanish readers, over a world whose own data
# (names, messages people wrote) is not English, and their visible words are checked two
# ways: no English sentence of the catalogue appears (the shipped msgids with a
# translation of their own), and no English function word appears at all ("the", "your",
# "is" ... are not Spanish words), which catches English that never entered a catalogue.

ENGLISH_WORDS = re.compile(
    r"\b(the|your|you|is|are|was|were|has|have|been|will|this|that|with|and|of|to|for|by|"
    r"not|from|when|which|there|it|its|an|at|on|or|please)\b",
    re.IGNORECASE,
)
# Words people read other than in text: a tooltip, a label for assistive technology.
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")


class VisibleWords(HTMLParser):
    """Text nodes (not scripts or styles) and the attributes above, one string each."""

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self.texts.append(value)
            if tag in ("input", "button") and name == "value" and ("type", "submit") in attrs:
                self.texts.append(value or "")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.texts.append(" ".join(data.split()))


def visible_words(html: str) -> list[str]:
    parser = VisibleWords()
    parser.feed(html)
    return parser.texts


def english_sentences(language: str) -> list[str]:
    """The catalogue's English sentences whose translation differs: the literal runs
    between placeholders, of three words or more (short ones could be names or data)."""
    sentences = set()
    for entry in catalogue(language):
        if not entry.translated() or entry.msgstr == entry.msgid or entry.msgid_plural:
            continue
        for run in re.split(r"%\(\w+\)[sd]|%[sd]|\{\{[^}]*\}\}", entry.msgid):
            run = " ".join(run.split()).strip(" .,:;()")
            if len(run.split()) >= 3:
                sentences.add(run)
    return sorted(sentences)


def english_on_page(html: str, sentences: list[str]) -> list[str]:
    found = []
    for text in visible_words(html):
        for sentence in sentences:
            if sentence in text:
                found.append(f"{sentence!r} in {text!r}")
        if ENGLISH_WORDS.search(text):
            found.append(f"English words in {text!r}")
    return sorted(set(found))


@pytest.fixture
def spanish_world(world):
    """Disputes in every state, every deadline notice, a parcel whose number is wrong, and
    their notifications; everyone reads Spanish; the people's own words are Spanish too."""
    from accounts.actors import Actor
    from core.tenancy import cross_tenant_scope
    from disputes import services
    from disputes.models import DisputeStatus
    from disputes.tests.conftest import MERCHANT_PROPOSED, Disputes
    from orders.services import shipment_create

    for user in world.users.values():
        user.language = "es"
        user.save()
    disputes = Disputes(world)
    said = {"description": "El cliente dice que el paquete nunca llegó."}
    opened = {
        status: disputes.in_state(status, **said)
        for status in [*DisputeStatus.values, MERCHANT_PROPOSED]
        if status not in ("resolution_accepted",)
    }
    noticed = opened[DisputeStatus.AWAITING_SUPPLIER]
    with cross_tenant_scope(reason="test"):
        for code in wording.RULE_NOTICES:
            services.dispute_notice_post(
                actor=Actor.system(), dispute=disputes.refresh(noticed), code=code, rule=""
            )
    order = disputes.order()
    with disputes.acting("shenzhen_admin") as actor:
        shipment_create(
            actor=actor, order=order, lines=disputes.lines(order), tracking_number="1Z000"
        )
    return SimpleNamespace(world=world, disputes=opened, noticed=noticed, order=order)


def spanish_pages(spanish):
    merchant = [
        "/app/",
        "/app/disputes/",
        "/app/orders/",
        f"/app/orders/{spanish.order.pk}/",
        "/app/notifications/",
        "/app/notifications/preferences/",
        "/app/settings/",
        "/app/settings/rules/",
        "/accounts/profile/",
        *(f"/app/disputes/{dispute.pk}/" for dispute in spanish.disputes.values()),
    ]
    supplier = [
        "/portal/",
        "/portal/disputes/",
        "/portal/orders/",
        "/portal/notifications/",
        f"/portal/disputes/{spanish.noticed.pk}/",
    ]
    return [("acme_owner", url) for url in merchant] + [("shenzhen_admin", url) for url in supplier]


def test_pages_read_in_spanish_show_no_english(spanish_world):
    from django.test import Client

    sentences = english_sentences("es")
    leaks = {}
    for caller, url in spanish_pages(spanish_world):
        client = Client()
        client.force_login(
            spanish_world.world.users[caller],
            backend="django.contrib.auth.backends.ModelBackend",
        )
        response = client.get(url)
        assert response.status_code == 200, url
        found = english_on_page(response.content.decode(), sentences)
        if found:
            leaks[url] = found
    assert leaks == {}


def test_the_leak_check_sees_english_that_skipped_the_catalogue():
    sentences = english_sentences("es")
    # A notice kept as English and shown as is: in no catalogue under that text.
    assert english_on_page("<p>The rule closed this dispute.</p>", sentences)
    # A catalogue sentence shown untranslated.
    assert english_on_page(f"<p title='{sentences[0]}'>x</p>", sentences)
    assert english_on_page("<p>El cliente dice que el paquete nunca llegó.</p>", sentences) == []
