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
@click.option("--akimat", "slug", help="Only this akimat (its slug); without it, every akimat and the platform's log.")
@click.option("--full", is_flag=True, help="Re-check everything, not only what changed since the last intact check.")
@click.option(
    "--checkpoint",
    "checkpoint_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="A file holding a signed checkpoint kept by a witness (repeatable): the log must match it.",
)
@click.option(
    "--files",
    "files",
    default=None,
    help="Re-hash stored files: 'all', or 'sample N' (the full audit samples 20 unless told).",
)
def journal_verify(slug, full, checkpoint_files, files):
    """Audit the sealed record; exit 1 listing every break.

    Without --full, only what changed since the last intact check is re-checked (the entries
    from the size it verified on, the letters they belong to) and the tree is proved consistent
    with the checkpoint signed then; --full recomputes every log's tree from all its entries and
    holds it to every checkpoint, and checks every letter. Both read one consistent snapshot,
    record the check (the oversight page shows it) and sign a checkpoint of the size verified."""
    from pathlib import Path

    from ..domain.record import audit

    mode, sample = _files_option(files)
    notes = [(f"checkpoint file {path}", Path(path).read_text(encoding="utf-8")) for path in checkpoint_files]
    result = audit.run(akimats_named(slug), platform=not slug, full=full, notes=notes, files=mode, sample=sample)
    for b in result.breaks:
        click.echo(f"BREAK {b.number or '-'} event {b.seq if b.seq is not None else '-'}: {b.problem}")
    for one in result.logs:
        resumed = "from the first entry" if one.start == 0 else f"from size {one.start}"
        click.echo(f"{one.origin}: size {one.size} verified {resumed}, {one.entries} entries, {one.files} files")
    click.echo(f"{'Full audit' if full else 'Incremental check'} took {result.seconds:.2f} s")
    click.echo(f"{result.letters} letters, {result.events} events, {len(result.breaks)} breaks")
    if result.breaks:
        sys.exit(1)


def _files_option(value: str | None) -> tuple[str, int]:
    if value is None:
        return "none", 20
    words = value.split()
    if words == ["all"]:
        return "all", 0
    if len(words) in (1, 2) and words[0] == "sample" and (len(words) == 1 or words[1].isdigit()):
        return "sample", int(words[1]) if len(words) == 2 else 20
    raise click.BadParameter("'all' or 'sample N'", param_hint="--files")


@journal.command("seal-existing")
def journal_seal_existing():
    """Seal the rows written before the sealed record existed — once, after the upgrade that
    brings it. Events, attachments, personal-data accesses, administrative changes and phone
    checks that have no entry at all get one, committing to their content as it is now (the
    record cannot vouch for what happened to them before). Run it once, right after
    `flask db upgrade`, then `flask journal integrate`; later runs find nothing to seal."""
    from ..domain.record import seal_existing

    for source, count in seal_existing.run().items():
        click.echo(f"{source}: {count} rows sealed")


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
