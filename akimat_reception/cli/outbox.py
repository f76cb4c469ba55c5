"""flask outbox send|status: the notifications queued in the same transaction as their change."""

import click
from flask import Flask
from flask.cli import AppGroup


@click.group(cls=AppGroup)
def outbox():
    """Deliver notifications."""


@outbox.command("send")
@click.option("--limit", default=200, show_default=True)
def outbox_send(limit):
    """Send pending email and SMS that are due; failures are retried later with back-off."""
    from ..delivery import deliver_due

    outcome = deliver_due(limit=limit)
    click.echo(f"sent {outcome['sent']}, to retry {outcome['retry']}, failed {outcome['failed']}")


@outbox.command("status")
def outbox_status():
    """Count messages by status."""
    from ..delivery import count_by_status

    for status, count in count_by_status():
        click.echo(f"{status.value}: {count}")


def register(app: Flask) -> None:
    app.cli.add_command(outbox)
