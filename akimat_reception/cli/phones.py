"""flask phones due: the lines staff should call, as the office queue lists them."""

import click
from flask import Flask
from flask.cli import AppGroup

from ._common import akimats_named


@click.group(cls=AppGroup)
def phones():
    """The phone directory: lines due for a check call."""


@phones.command("due")
@click.option("--akimat", "slug", help="Only this akimat (its slug).")
def phones_due(slug):
    """List the lines due for a check call (not verified, reported, or about to go stale), oldest first."""
    from ..domain import phones as directory
    from ..domain.calendar import calendar_for

    total = 0
    for akimat in akimats_named(slug):
        due = directory.due_for_check(directory.directory(akimat, calendar_for(akimat.id)))
        for line, state in due:
            answered = state.answered_on.isoformat() if state.answered_on else "never"
            click.echo(
                f"{akimat.slug}\t{line.e164}\t{state.status.value}\treports {state.reports}\t"
                f"answered {answered}\t{line.department.name_ru} — {line.purpose_ru}"
            )
        total += len(due)
    click.echo(f"{total} lines due for a check")


def register(app: Flask) -> None:
    app.cli.add_command(phones)
