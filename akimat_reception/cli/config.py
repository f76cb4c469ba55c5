"""flask check-config: every unsafe production setting, with what to do (config_check.py)."""

import os

import click
from flask import Flask, current_app

from .. import config_check


def register(app: Flask) -> None:
    @app.cli.command("check-config")
    @click.option(
        "--workers",
        type=click.IntRange(min=1),
        default=lambda: int(os.environ["WEB_CONCURRENCY"]) if os.environ.get("WEB_CONCURRENCY") else None,
        help="Web workers the site runs with (default: WEB_CONCURRENCY, as gunicorn reads it; else several).",
    )
    def check_config(workers):
        """List every setting unsafe in production; exit 1 if there is one, 0 when there is none."""
        found = config_check.problems(
            current_app.config, explicit=set(os.environ), workers=workers, instance_path=current_app.instance_path
        )
        if not found:
            click.echo("No unsafe setting found.")
            return
        click.echo(f"{len(found)} unsafe for production:")
        for problem in found:
            click.echo(f"- {problem.setting}: {problem.problem}.\n  What to do: {problem.fix}.")
        raise SystemExit(1)
