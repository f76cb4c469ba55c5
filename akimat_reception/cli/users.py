"""flask create-user: a staff account with a role in an akimat, or (--platform-admin) the
installation's platform administrator, under the web's password rule."""

import click
from flask import Flask
from flask.cli import with_appcontext

from ..models import Role
from ._common import akimats_named


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--akimat", "slug", help="Slug of the akimat, e.g. astana.")
@click.option("--role", type=click.Choice([r.value for r in Role]))
@click.option("--department", "department_id", type=int, help="Department id, for an executor.")
@click.option(
    "--platform-admin",
    is_flag=True,
    help="A platform administrator (creates akimats; no role in one). Enrols a second factor at first sign-in.",
)
@click.password_option()
@with_appcontext
def create_user(email, full_name, slug, role, department_id, platform_admin, password):
    """Create a staff account with a role in an akimat (or add the role to an existing one)."""
    if platform_admin:
        return _create_platform_admin(email, full_name, password)
    if not slug or not role:
        raise click.UsageError("--akimat and --role are required (or --platform-admin)")
    from ..domain.staff import StaffError, add_staff

    [akimat] = akimats_named(slug)
    role = Role(role)
    try:
        add_staff(akimat, email, full_name, role, password, department_id)
    except StaffError as error:
        hint = "password" if error.field == "password" else f"--{error.field}"
        raise click.BadParameter(str(error.message), param_hint=hint) from None
    click.echo(f"{email}: {role.value} of {akimat.slug}")


def _create_platform_admin(email, full_name, password):
    from ..domain.administration.akimats import AkimatError, create_platform_admin
    from ..extensions import db

    try:
        user = create_platform_admin(email, full_name, password)
        db.session.commit()
    except AkimatError as error:
        db.session.rollback()
        hint = "password" if error.field == "password" else f"--{error.field.replace('full_name', 'name')}"
        raise click.BadParameter(str(error.message), param_hint=hint) from None
    click.echo(f"{user.email}: platform administrator (enrols a second factor at the first sign-in)")


def register(app: Flask) -> None:
    app.cli.add_command(create_user)
