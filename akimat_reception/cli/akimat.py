"""flask akimat ...: putting an akimat into service from the command line — create it, import and
export its structure (the same domain functions as the platform's and the akimat's admin pages)."""

import click
from flask import Flask
from flask.cli import AppGroup


@click.group(cls=AppGroup)
def akimat():
    """Akimats: create one, import or export its structure."""


def register(app: Flask) -> None:
    app.cli.add_command(akimat)
