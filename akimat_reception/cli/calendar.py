"""flask calendar set: days the installation or an akimat declares otherwise than the national calendar."""

import click
from flask import Flask
from flask.cli import AppGroup

from ._common import akimats_named


@click.group(cls=AppGroup)
def calendar():
    """The working calendar: days declared otherwise than the national holidays."""


@calendar.command("set")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--working/--day-off", required=True, help="A transferred working day, or an extra day off.")
@click.option("--akimat", "slug", help="Only for this akimat; without it, the whole installation.")
@click.option("--note", default="")
def calendar_set(day, working, slug, note):
    """Declare DAY (YYYY-MM-DD) a working day or a day off."""
    from ..domain.calendar import declare_day

    declare_day(akimats_named(slug)[0].id if slug else None, day.date(), working, note)
    click.echo(f"{day.date()}: {'working day' if working else 'day off'} ({slug or 'installation'})")


def register(app: Flask) -> None:
    app.cli.add_command(calendar)
