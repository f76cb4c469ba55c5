"""flask akimat ...: putting an akimat into service from the command line — create it, import and
export its structure (the same domain functions as the platform's and the akimat's admin pages)."""

import click
from flask import Flask
from flask.cli import AppGroup

from ..models import AkimatKind


@click.group(cls=AppGroup)
def akimat():
    """Akimats: create one, import or export its structure."""


@akimat.command("create")
@click.option("--slug", required=True, help="Address on the site: lowercase latin, digits, hyphens.")
@click.option("--prefix", required=True, help="Prefix of letter numbers: 2 to 8 uppercase latin letters.")
@click.option("--name-kk", required=True)
@click.option("--name-ru", required=True)
@click.option("--name-en", required=True)
@click.option("--kind", type=click.Choice([k.value for k in AkimatKind]), required=True)
@click.option("--parent", "parent_slug", help="Slug of the higher akimat.")
@click.option("--alias", "aliases", multiple=True, help="A former name or other spelling (repeatable).")
@click.option("--language", "default_language", type=click.Choice(["kk", "ru"]), default="kk", show_default=True)
@click.option("--timezone", default="Asia/Almaty", show_default=True)
@click.option("--admin-email", help="Invite the akimat's first administrator at this address.")
@click.option("--admin-name", help="The first administrator's full name.")
def create(
    slug,
    prefix,
    name_kk,
    name_ru,
    name_en,
    kind,
    parent_slug,
    aliases,
    default_language,
    timezone,
    admin_email,
    admin_name,
):
    """Create an akimat (and invite its first administrator)."""
    from ..domain.administration import akimats
    from ..extensions import db

    if bool(admin_email) != bool(admin_name):
        raise click.UsageError("--admin-email and --admin-name go together")
    parent = None
    if parent_slug:
        parent = akimats.find_akimat(parent_slug)
        if parent is None:
            raise click.BadParameter(f"no akimat '{parent_slug}'", param_hint="--parent")
    data = akimats.AkimatData(
        slug=slug,
        number_prefix=prefix,
        name_kk=name_kk,
        name_ru=name_ru,
        name_en=name_en,
        kind=AkimatKind(kind),
        aliases="\n".join(aliases),
        parent=parent,
        default_language=default_language,
        timezone=timezone,
    )
    try:
        created = akimats.create_akimat(data, None)
        if admin_email:
            akimats.appoint_first_admin(created, admin_email, admin_name, None)
        db.session.commit()
    except akimats.AkimatError as error:
        db.session.rollback()
        hint = {"number_prefix": "--prefix", "email": "--admin-email", "full_name": "--admin-name"}.get(
            error.field, "--" + error.field.replace("_", "-")
        )
        raise click.BadParameter(str(error.message), param_hint=hint) from None
    click.echo(
        f"{created.slug}: {created.name_en} ({created.kind.value})" + (f" under {parent.slug}" if parent else "")
    )
    if admin_email:
        click.echo(f"invitation queued for {admin_email.strip().lower()}")


def register(app: Flask) -> None:
    app.cli.add_command(akimat)
