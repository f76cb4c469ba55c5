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
            click.echo(
                f"{akimat.slug}: trained on {model.samples} letters; first choice right for {accuracy} "
                "of the newest fifth (learned from the older)"
            )


@routing.command("evaluate")
@click.option("--akimat", "slug", help="Only this akimat.")
@click.option("--letters", "labelled", type=click.Path(exists=True, dir_okay=False), help="A labelled set (CSV).")
@click.option("--on-corpus", is_flag=True, help="Score the labelled set with a model trained on the demo's letters.")
def routing_evaluate(slug, labelled, on_corpus):
    """First department final, and the classifier by language and case (category right, other, wrong)."""
    from ..domain import routing_evaluation

    if labelled and on_corpus:
        click.echo("\n".join(routing_evaluation.labelled_lines(labelled)))
        return
    for akimat in akimats_named(slug):
        click.echo("\n".join(routing_evaluation.akimat_lines(akimat)))
        if labelled:
            click.echo("\n".join(routing_evaluation.labelled_lines(labelled, akimat)))


def register(app: Flask) -> None:
    app.cli.add_command(routing)
