"""flask journal verify: the sealed record of every akimat, checked."""

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from ._common import akimats_named


@click.group(cls=AppGroup)
def journal():
    """The letters' journals."""


@journal.command("verify")
@click.option("--akimat", "slug", help="Only this akimat (its slug).")
def journal_verify(slug):
    """Check every hash chain and that each letter row agrees with its journal; exit 1 on a break.
    Each akimat's check is recorded: the oversight page of a large akimat shows the last one."""
    from ..domain.journal import check_akimat

    akimat_ids = [akimat.id for akimat in akimats_named(slug)]
    letters = events = breaks = 0
    for akimat_id in akimat_ids:
        _check, report = check_akimat(akimat_id)
        for b in report.breaks:
            click.echo(f"BREAK {b.number} event {b.seq if b.seq is not None else '-'}: {b.problem}")
        letters, events, breaks = letters + report.letters, events + report.events, breaks + len(report.breaks)
    click.echo(f"{letters} letters, {events} events, {breaks} breaks")
    if breaks:
        sys.exit(1)


def register(app: Flask) -> None:
    app.cli.add_command(journal)
