"""flask ratings rebuild: the departments' answer counts, recounted from the answers."""

import click
from flask import Flask
from flask.cli import AppGroup

from ..extensions import db
from ._common import akimats_named


@click.group(cls=AppGroup)
def ratings():
    """The departments' answer counts (ratings, disputes, returns)."""


@ratings.command("rebuild")
@click.option("--akimat", "slug", help="Only this akimat.")
def ratings_rebuild(slug):
    """Recount each department's answer counts from its answers (the lifecycle keeps them as it goes)."""
    from ..domain.ratings import from_answers, rebuild_department_stats

    for akimat in akimats_named(slug):
        rebuild_department_stats(akimat.id)
        db.session.commit()
        sent = sum(row.answers for row in from_answers(akimat.id))
        click.echo(f"{akimat.slug}: counts rebuilt from {sent} sent answers")


def register(app: Flask) -> None:
    app.cli.add_command(ratings)
