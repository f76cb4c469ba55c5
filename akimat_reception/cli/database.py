"""flask init-db, flask backup: the database itself."""

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from ..extensions import db


@click.command("init-db")
@with_appcontext
def init_db():
    """Create or upgrade the schema through the migrations."""
    upgrade()
    click.echo("Database is at the newest revision.")


@click.command("backup")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Where to write it; default instance/backups/akimat_reception-<UTC time>.sqlite3 or .dump.",
)
@with_appcontext
def backup_command(output):
    """A consistent backup of the database while the site runs (SQLite backup API, or pg_dump)."""
    from ..backup import BackupError, backup, backup_files, default_path

    app = current_app
    url = db.engine.url  # as Flask-SQLAlchemy resolved it: a relative SQLite path made absolute
    target = Path(output) if output else default_path(app.instance_path, url)
    try:
        written = backup(url, target)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backup written to {written} ({written.stat().st_size} bytes)")
    attachments = app.config.get("ATTACHMENTS_DIR") or Path(app.instance_path) / "attachments"
    files = backup_files(Path(attachments), written)
    if files:
        click.echo(f"Residents' files written to {files} ({files.stat().st_size} bytes)")


def register(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(backup_command)
