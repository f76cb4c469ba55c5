"""The daily schedule (cron or the worker): flask digest, flask deadlines remind, flask letters close,
flask letters purge-drafts."""

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from ._common import akimats_named


@click.command("digest")
@with_appcontext
def digest():
    """Queue each akim's daily summary email (run it once a day, e.g. from cron at 08:00)."""
    from ..domain.digest import queue_digest

    total = sum(queue_digest(a) for a in akimats_named())
    click.echo(f"queued {total} digests")


@click.group(cls=AppGroup)
def deadlines():
    """Deadline reminders."""


@deadlines.command("remind")
def deadlines_remind():
    """Queue a reminder for each letter that became due soon or overdue (run it daily)."""
    from ..domain.lifecycle import remind_deadlines

    total = sum(remind_deadlines(a) for a in akimats_named())
    click.echo(f"reminded about {total} letters")


@click.group(cls=AppGroup)
def letters():
    """Housekeeping of letters."""


@letters.command("close")
def letters_close():
    """Close answered letters whose 10 working days to rate or dispute have passed (run daily)."""
    from ..domain.lifecycle import close_answered

    total = sum(close_answered(a) for a in akimats_named())
    click.echo(f"closed {total} letters")


@letters.command("purge-drafts")
def letters_purge_drafts():
    """Delete letters written step by step and never sent, LETTER_DRAFT_HOURS after their last step,
    with their files (the worker does it daily; this is for cron or by hand)."""
    from ..domain.drafts import purge_expired

    total = sum(purge_expired(a) for a in akimats_named())
    click.echo(f"deleted {total} expired letter drafts")


def register(app: Flask) -> None:
    app.cli.add_command(digest)
    app.cli.add_command(deadlines)
    app.cli.add_command(letters)
