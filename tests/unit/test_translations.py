"""Every user-facing string has a kk, ru and en translation, and the catalogues match the code."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("kk", "ru", "en")


def _catalog(language):
    with open(ROOT / "translations" / language / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=language)


def _messages_in_code() -> dict[str, set[str]]:
    """msgid -> files that use it, extracted exactly as `make translations` does."""
    method_map = [("akimat_reception/**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.do"}}
    found: dict[str, set[str]] = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map,
        options_map=options,
        keywords={"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)},
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault(msgid, set()).add(filename)
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_not_fuzzy(language):
    catalog = _catalog(language)
    missing = [m.id for m in catalog if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not missing, f"untranslated in {language}: {missing}"
    assert not fuzzy, f"fuzzy in {language}: {fuzzy}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_holds_every_string_of_the_code(language):
    in_catalog = {
        m.id[0] if isinstance(m.id, tuple) else m.id for m in _catalog(language) if m.id
    }  # plurals by singular
    absent = sorted(set(_messages_in_code()) - in_catalog)
    assert not absent, f"run `make translations` and translate: {absent}"


def test_every_template_that_translates_is_read_by_the_extractor():
    """A template the extractor cannot parse is skipped without a word; catch that here."""
    files_with_messages = {f for files in _messages_in_code().values() for f in files}
    for template in (ROOT / "templates").rglob("*.html"):
        if "_(" in template.read_text(encoding="utf-8"):
            assert str(template.relative_to(ROOT)) in files_with_messages, template
