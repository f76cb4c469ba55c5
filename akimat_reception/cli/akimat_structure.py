"""flask akimat import / export: an akimat's structure from and to a file (.xlsx, a .zip of CSV
files, or one CSV named after its table), through the same domain functions as the admin page.
The commands speak English, as the other commands do: the domain's messages (the problems of a
file) are given in English too, not in the installation's default language for residents."""

import sys
from pathlib import Path

import click
from flask import Flask
from flask_babel import force_locale

from ..domain.administration import structure_file, structure_import
from ..domain.administration.structure_export import export_structure
from ._common import akimats_named
from .akimat import akimat


@akimat.command("import")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and print what it would change; change nothing.")
@click.option("--send-invitations", is_flag=True, help="Then send every invitation not sent yet.")
def import_structure(slug: str, file: Path, dry_run: bool, send_invitations: bool) -> None:
    """Import the structure of akimat SLUG from FILE: all of it, or nothing with every problem listed."""
    with force_locale("en"):
        _import(slug, file, dry_run, send_invitations)


def _import(slug: str, file: Path, dry_run: bool, send_invitations: bool) -> None:
    target = akimats_named(slug)[0]
    tables = structure_file.read_structure(file.read_bytes(), file.name)
    plan = structure_import.check_structure(target, tables)
    if plan.problems:
        for problem in plan.problems:
            click.echo(problem, err=True)
        click.echo(f"Nothing was imported: {len(plan.problems)} problem(s).", err=True)
        sys.exit(1)
    for change in plan.changes:
        if change.action != "unchanged":
            click.echo(f"{change.sheet}, line {change.line}: {change.action} {change.label}")
    if dry_run:
        click.echo(f"Dry run, nothing changed: would be {structure_import.summary(plan)}.")
        return
    structure_import.apply_structure(target, plan, actor=None)
    click.echo(f"Imported: {structure_import.summary(plan)}.")
    waiting = len(structure_import.unsent_invitations(target))
    if send_invitations:
        sent = structure_import.send_invitations(target, by=None)
        click.echo(f"Invitations queued: {sent}.")
    elif waiting:
        click.echo(f"{waiting} invitation(s) not sent yet: send them with --send-invitations or from the admin page.")


@akimat.command("export")
@click.argument("slug")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def export(slug: str, file: Path) -> None:
    """Export the structure of akimat SLUG to FILE: .xlsx, or .zip for CSV files."""
    target = akimats_named(slug)[0]
    tables = export_structure(target)
    if file.suffix.lower() == ".xlsx":
        file.write_bytes(structure_file.write_workbook(tables))
    elif file.suffix.lower() == ".zip":
        file.write_bytes(structure_file.write_zip(tables))
    else:
        raise click.BadParameter("name the file .xlsx or .zip", param_hint="FILE")
    click.echo(f"Exported {', '.join(f'{len(rows)} {sheet}' for sheet, rows in tables.items())} to {file}.")


def register(app: Flask) -> None:
    """The commands join the `flask akimat` group, which cli/akimat.py registers."""
