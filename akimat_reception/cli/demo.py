"""flask demo: the demo akimats, small (through the lifecycle) or in bulk (for scale)."""

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from ..extensions import db
from ..models import Akimat

BULK_THRESHOLD = 1000  # letters: above this, `flask demo` writes in bulk


@click.command("demo")
@click.option(
    "--letters",
    default=48,
    show_default=True,
    help=f"Letters per akimat; with --bulk (or over {BULK_THRESHOLD}), letters in all akimats together.",
)
@click.option(
    "--akimats",
    default=2,
    show_default=True,
    type=click.IntRange(min=1),
    help="Akimats: Astana, Almaty, then generated cities and districts (implies --bulk if not 2).",
)
@click.option(
    "--bulk/--no-bulk",
    default=None,
    help="Write rows in bulk (COPY/executemany) instead of through the lifecycle: for large N.",
)
@click.option(
    "--seed", default=2026, show_default=True, help="Random seed; the bulk demo's access codes derive from it."
)
@click.option(
    "--days",
    default=3 * 365,
    show_default=True,
    type=click.IntRange(min=1),
    help="Bulk: letters arrive over the last DAYS days.",
)
@with_appcontext
def demo(letters, akimats, bulk, seed, days):
    """Load the demo akimats (Astana, Almaty), staff and letters, once."""
    if db.session.scalar(select(Akimat).limit(1)) is not None:
        click.echo("Demo data is already loaded; nothing to do.")
        return
    if bulk is None:
        bulk = letters > BULK_THRESHOLD or akimats != 2
    if not bulk:
        if akimats != 2:
            raise click.BadParameter("the small demo has Astana and Almaty only; add --bulk", param_hint="--akimats")
        from ..demo import DEMO_PASSWORD, load_demo

        load_demo(letters_per_akimat=letters, seed=seed)
        click.echo(
            f"Loaded the demo: Astana and Almaty with {letters} letters each, East Kazakhstan Region and "
            f"Ust-Kamenogorsk under it, all through the structure import. Password: {DEMO_PASSWORD}"
        )
        return
    from ..demo import DEMO_PASSWORD
    from ..demo.bulk import load_bulk

    report = load_bulk(letters, akimats, seed=seed, span_days=days, progress=click.echo)
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(report.statuses.items()))
    click.echo(
        f"Loaded the bulk demo in {report.seconds:.0f} s: {report.akimats} akimats, {report.letters} letters "
        f"({statuses}), {report.events} events, {report.answers} answers. Password: {DEMO_PASSWORD}"
    )


def register(app: Flask) -> None:
    app.cli.add_command(demo)
