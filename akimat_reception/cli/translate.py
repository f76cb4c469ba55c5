"""flask translate update|compile: the catalogues, for translators (as microblog's `flask translate`)."""

import subprocess
import sys

import click
from flask import Flask
from flask.cli import AppGroup

from ..config import PROJECT_ROOT


@click.group(cls=AppGroup)
def translate():
    """Translation commands for translators."""


@translate.command("update")
def translate_update():
    """Extract messages and merge them into every language's catalogue."""
    _pybabel("extract", "-F", "babel.cfg", "-k", "_l", "--no-location", "--sort-output", "-o", "messages.pot", ".")
    _pybabel("update", "-i", "messages.pot", "-d", "translations", "--no-fuzzy-matching", "--ignore-obsolete")
    _fill_source_language(PROJECT_ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po")


@translate.command("compile")
def translate_compile():
    """Compile the catalogues to .mo files."""
    _pybabel("compile", "-d", "translations")


def _fill_source_language(po_path) -> None:
    """English is the language of the msgids: its catalogue repeats them, so that it is complete."""
    from babel.messages.pofile import read_po, write_po

    with open(po_path, "rb") as f:
        catalog = read_po(f, locale="en")
    for message in catalog:
        if message.id and not (message.string if isinstance(message.string, str) else any(message.string)):
            message.string = message.id  # a plural's (singular, plural) fits English's two forms
    with open(po_path, "wb") as f:
        write_po(f, catalog, omit_header=False, sort_output=True, no_location=True)


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], cwd=PROJECT_ROOT, check=True)


def register(app: Flask) -> None:
    app.cli.add_command(translate)
