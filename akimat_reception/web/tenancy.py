"""The akimat is resolved from the URL once, and tenant data is read only through these helpers."""

from flask import Blueprint, abort, g, redirect, request
from flask_login import current_user
from sqlalchemy import select

from ..domain.permissions import Action, can, is_member
from ..extensions import db
from ..models import Akimat, AkimatSlug, Letter


def make_tenant_blueprint(name: str, import_name: str, suffix: str = "") -> Blueprint:
    """A blueprint under /<akimat_slug>{suffix} whose views find the akimat in g.akimat."""
    bp = Blueprint(name, import_name, url_prefix="/<akimat_slug>" + suffix)

    @bp.url_value_preprocessor
    def pull_akimat(endpoint, values):
        slug = values.pop("akimat_slug", None)
        g.akimat = db.session.scalar(select(Akimat).where(Akimat.slug == slug))
        if g.akimat is None:
            abort(_moved(slug) or 404)

    @bp.url_defaults
    def add_akimat(endpoint, values):
        if "akimat_slug" not in values and g.get("akimat") is not None:
            values["akimat_slug"] = g.akimat.slug

    return bp


def _moved(slug: str | None):
    """A permanent redirect from a former slug to the same path under the current one (printed
    slips and emails carry the old URLs), the query string kept; None for an unknown slug."""
    current = db.session.scalar(
        select(Akimat.slug).join(AkimatSlug, AkimatSlug.akimat_id == Akimat.id).where(AkimatSlug.slug == slug)
    )
    if current is None:
        return None
    rest = request.path.split("/", 2)[2] if request.path.count("/") >= 2 else ""
    target = f"{request.script_root}/{current}/{rest}"
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    return redirect(target, 301)


def require_member() -> None:
    """Staff pages of an akimat exist only for its members: everyone else gets 404, so that one
    akimat's letters cannot even be probed from another."""
    if not is_member(current_user, g.akimat):
        abort(404)


def require(action: Action, letter: Letter | None = None) -> None:
    if not can(current_user, action, g.akimat, letter):
        abort(403)


def tenant_letters():
    return select(Letter).where(Letter.akimat_id == g.akimat.id)


def letter_or_404(number: str) -> Letter:
    return db.session.scalar(tenant_letters().where(Letter.number == number)) or abort(404)
