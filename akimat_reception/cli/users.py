"""flask create-user: a staff account with a role in an akimat, under the web's password rule."""

import click
from flask import Flask
from flask.cli import with_appcontext

from ..models import Role
from ._common import akimats_named


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--akimat", "slug", required=True, help="Slug of the akimat, e.g. astana.")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--department", "department_id", type=int, help="Department id, for an executor.")
@click.password_option()
@with_appcontext
def create_user(email, full_name, slug, role, department_id, password):
    """Create a staff account with a role in an akimat (or add the role to an existing one)."""
    from ..domain.staff import StaffError, add_staff

    [akimat] = akimats_named(slug)
    role = Role(role)
    try:
        add_staff(akimat, email, full_name, role, password, department_id)
    except StaffError as error:
        hint = "password" if error.field == "password" else f"--{error.field}"
        raise click.BadParameter(str(error.message), param_hint=hint) from None
    click.echo(f"{email}: {role.value} of {akimat.slug}")


def register(app: Flask) -> None:
    app.cli.add_command(create_user)
