"""The translation catalogues (translations/): a complete French catalogue, compiled .mo files that
match their .po, every UI string of the app translated, and our French winning over
Flask-AppBuilder's for the FAB strings listed in app/fab_messages.py.

After changing UI text: `make translations`, translate the new French entries, `make translations`
again (it compiles), and commit the .po and .mo files.
"""

import gettext
import io
import re
from collections import Counter
from pathlib import Path

import flask_appbuilder
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
LOCALES = ("fr", "en")  # explicit, so that a missing catalogue fails instead of skipping
# Same keywords as `make translations` (pybabel's defaults include _, gettext and ngettext).
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs%]")
FIX = "run `make translations`, translate in translations/fr/LC_MESSAGES/messages.po, run it again"


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def mo_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.mo"


def read_catalogue(locale: str):
    with po_path(locale).open("rb") as fileobj:
        return read_po(fileobj, locale=locale, abort_invalid=True)


def strings(message) -> tuple[str, ...]:
    """The msgstr(s) of a message (a tuple of plural forms for an ngettext entry)."""
    return tuple(message.string) if isinstance(message.string, list | tuple) else (message.string,)


def singular(msgid) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def translations_of(fileobj) -> dict:
    """The translations held by a compiled catalogue, without the header entry."""
    compiled = gettext.GNUTranslations(fileobj)
    table = {key: value for key, value in compiled._catalog.items() if key != ""}
    return {"plural-forms": compiled.info().get("plural-forms"), **table}


def extract(directory: Path, method_map, options_map=None, keywords=KEYWORDS) -> dict:
    """msgid -> the places it is used, as pybabel extract would find them."""
    found: dict = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(directory), method_map, options_map or {}, keywords=keywords
    ):
        found.setdefault(message, []).append(f"{filename}:{lineno}")
    return found


def app_msgids() -> dict:
    with (ROOT / "babel.cfg").open() as fileobj:
        method_map, options_map = parse_mapping_cfg(fileobj, "babel.cfg")
    return extract(ROOT, method_map, options_map)


def test_french_catalogue_has_no_empty_or_fuzzy_entry():
    catalogue = read_catalogue("fr")
    entries = [message for message in catalogue if message.id]
    empty = [singular(m.id) for m in entries if not all(s.strip() for s in strings(m))]
    fuzzy = [singular(m.id) or "(catalogue header)" for m in catalogue if m.fuzzy]

    assert entries, "the French catalogue is empty"
    assert not empty, f"French entries without translation ({FIX}): {empty}"
    assert not fuzzy, f"fuzzy French entries (check them, then drop '#, fuzzy'): {fuzzy}"


def test_french_translations_keep_the_placeholders():
    wrong = []
    for message in read_catalogue("fr"):
        if not message.id:
            continue
        msgid = singular(message.id)
        expected = Counter(PLACEHOLDER.findall(msgid))
        wrong += [
            (msgid, string)
            for string in strings(message)
            if Counter(PLACEHOLDER.findall(string)) != expected
        ]
    assert not wrong, f"placeholders differ between msgid and msgstr: {wrong}"


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalogue_matches_its_po(locale):
    assert mo_path(locale).is_file(), f"{mo_path(locale)} is missing: run `make translations`"
    buffer = io.BytesIO()
    write_mo(buffer, read_catalogue(locale))  # as `pybabel compile` does (fuzzy entries left out)
    buffer.seek(0)
    expected = translations_of(buffer)
    with mo_path(locale).open("rb") as fileobj:
        committed = translations_of(fileobj)

    stale = sorted(
        str(key)
        for key in expected.keys() | committed.keys()
        if expected.get(key) != committed.get(key)
    )
    assert not stale, (
        f"{mo_path(locale)} is older than its .po, run `pybabel compile -d translations`; "
        f"entries that differ: {stale}"
    )


def test_extraction_scans_only_the_app_package():
    outside = sorted(
        {
            place
            for places in app_msgids().values()
            for place in places
            if not place.startswith("app/")
        }
    )
    assert not outside, f"babel.cfg extracts from outside app/: {outside}"


def test_every_ui_string_has_a_french_translation():
    used = app_msgids()
    catalogue = read_catalogue("fr")
    missing = {}
    for msgid, places in used.items():
        message = catalogue.get(msgid)
        if message is None or message.fuzzy or not all(s.strip() for s in strings(message)):
            missing[singular(msgid)] = places

    assert len(used) > 100, "extraction found almost nothing: is babel.cfg right?"
    assert not missing, f"UI strings without French translation ({FIX}): {missing}"


def test_fab_messages_lists_flask_appbuilder_msgids():
    from app import fab_messages

    listed = [str(message) for message in fab_messages.MESSAGES]  # no app context: the msgids
    fab_dir = Path(flask_appbuilder.__file__).parent
    fab_keywords = {**KEYWORDS, "lazy_formatter_gettext": None}
    fab = extract(
        fab_dir, [("**.py", "python"), ("**/templates/**.html", "jinja2")], None, fab_keywords
    )

    duplicated = [msgid for msgid, count in Counter(listed).items() if count > 1]
    unknown = [msgid for msgid in listed if msgid not in fab]
    assert not duplicated, f"listed twice in app/fab_messages.py: {duplicated}"
    assert not unknown, f"not msgids of Flask-AppBuilder (typo?): {unknown}"


def test_our_french_wins_over_flask_appbuilders():
    from flask_babel import force_locale
    from flask_babel import gettext as translate

    from app import create_app, fab_messages

    msgids = [str(message) for message in fab_messages.MESSAGES]  # outside any app context
    catalogue = read_catalogue("fr")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.test_request_context(), force_locale("fr"):
        assert translate("Logout") == "Se déconnecter"
        shown = {msgid: translate(msgid) for msgid in msgids}
    wrong = {
        msgid: text
        for msgid, text in shown.items()
        if catalogue.get(msgid) is None or text != catalogue.get(msgid).string
    }
    assert not wrong, f"Flask-AppBuilder's French is shown instead of ours: {wrong}"
