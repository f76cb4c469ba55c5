"""flask routing train|evaluate: the classifier that suggests a letter's department."""

import click
from flask import Flask
from flask.cli import AppGroup

from ._common import akimats_named


@click.group(cls=AppGroup)
def routing():
    """The department classifier."""


@routing.command("train")
@click.option("--akimat", "slug", help="Only this akimat.")
def routing_train(slug):
    """Retrain each akimat's classifier on its answered letters (run it nightly)."""
    from ..domain.routing import MINIMUM_SAMPLES, train

    for akimat in akimats_named(slug):
        model = train(akimat.id)
        if model is None:
            click.echo(
                f"{akimat.slug}: fewer than {MINIMUM_SAMPLES} answered letters in 2+ departments; "
                "suggestions stay with the category's department"
            )
        else:
            accuracy = f"{model.holdout_accuracy:.1%}" if model.holdout_accuracy is not None else "n/a"
            click.echo(f"{akimat.slug}: trained on {model.samples} letters, held-out accuracy {accuracy}")


@routing.command("evaluate")
@click.option("--akimat", "slug", help="Only this akimat.")
def routing_evaluate(slug):
    """The share of answered letters whose first department was final."""
    from ..domain.routing import evaluate

    for akimat in akimats_named(slug):
        result = evaluate(akimat.id)
        share = f"{result.share:.1%}" if result.share is not None else "n/a"
        model = (
            f"; classifier held-out accuracy {result.holdout_accuracy:.1%} on {result.samples} letters"
            if result.holdout_accuracy is not None
            else "; no classifier trained"
        )
        click.echo(
            f"{akimat.slug}: first department final for {result.first_department_final} of "
            f"{result.letters} answered letters ({share}){model}"
        )


def register(app: Flask) -> None:
    app.cli.add_command(routing)
