"""flask outbox: the notifications queued in the same transaction as their change. Its commands
(send, status, requeue) are the worker's, in cli/worker.py, beside `flask worker`."""

import click
from flask import Flask
from flask.cli import AppGroup


@click.group(cls=AppGroup)
def outbox():
    """Deliver notifications."""


def register(app: Flask) -> None:
    app.cli.add_command(outbox)
