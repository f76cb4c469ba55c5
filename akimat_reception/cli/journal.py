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


@journal.command("integrate")
def journal_integrate():
    """Integrate the entries waiting in every log and sign the checkpoints (the worker does it
    every RECORD_INTEGRATE_EVERY seconds)."""
    from ..domain.record import step

    for result in step.run():
        click.echo(f"{result.origin}: {result.added} entries integrated, size {result.size}")


@journal.command("keygen")
@click.option("--file", "path", type=click.Path(dir_okay=False), help="Where (default RECORD_SIGNING_KEY_FILE).")
def journal_keygen(path):
    """Make the installation's signing key (once; it refuses to overwrite one) and print its
    public verifier key, to publish and to give to the witnesses."""
    from pathlib import Path

    from ..domain.record import keys

    try:
        signer = keys.create_key(Path(path) if path else None)
    except FileExistsError:
        raise click.ClickException(
            "a signing key is already there: rotating it is described in docs/record.md"
        ) from None
    click.echo(signer.verifier.encode())


@journal.command("witness-status")
def journal_witness_status():
    """Per witness and log: the size the witness acknowledged (or was last mailed), the last try
    and the last error — a witness stuck behind, or refusing, is worth a look."""
    from ..domain.record.witnesses import status

    rows = status()
    if not rows:
        click.echo("no witness has been tried yet (RECORD_WITNESSES)")
    for row in rows:
        tried = row.tried_at.isoformat(timespec="seconds") if row.tried_at else "never"
        cosigned = " cosigned" if row.cosigned else ""
        click.echo(
            f"{row.witness} {row.origin}: acked {row.acked_size} of {row.size}, tried {tried}, "
            f"attempts {row.attempts}{cosigned}, last error: {row.last_error or '-'}"
        )


def register(app: Flask) -> None:
    app.cli.add_command(journal)
