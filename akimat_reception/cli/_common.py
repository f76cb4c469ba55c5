"""What several commands share."""

import click
from sqlalchemy import select

from ..extensions import db
from ..models import Akimat


def akimats_named(slug: str | None = None) -> list[Akimat]:
    """Every akimat, or the one whose slug an operator typed (a clear error when there is none)."""
    stmt = select(Akimat).order_by(Akimat.id)
    if slug:
        stmt = stmt.where(Akimat.slug == slug)
    found = list(db.session.scalars(stmt))
    if slug and not found:
        raise click.BadParameter(f"no akimat '{slug}'", param_hint="--akimat")
    return found
