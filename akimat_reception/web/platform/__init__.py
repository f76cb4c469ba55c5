"""The platform administration at /platform/: the installation's operator creates akimats, edits
them, moves them in the hierarchy, closes and reopens them and appoints their first administrators.
Not tenant-scoped: only a platform administrator enters (403 for staff, sign-in for anonymous).
The rules are in domain/administration/akimats.py; these views parse forms and render."""

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ...domain.administration.akimats import may_administer_platform
from ...extensions import db
from ...forms.platform import ADMIN_EVENT_LABELS, AKIMAT_KIND_LABELS
from ...forms.validators import CONTROL_CHARACTERS
from ...models import AdminEvent, Akimat
from ...models.tenancy import search_key
from ..pagination import paginate

bp = Blueprint("platform", __name__, url_prefix="/platform")

MAX_QUERY = 100


@bp.before_request
@login_required
def platform_admins_only():
    if not may_administer_platform(current_user):
        abort(403)


def matching(query: str):
    """Akimats whose names, aliases or slug contain `query` (case-insensitive, any script)."""
    stmt = select(Akimat)
    key = search_key(CONTROL_CHARACTERS.sub("", query or ""))[:MAX_QUERY]
    if key:
        escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(Akimat.search_text.like(f"%{escaped}%", escape="\\"))
    return stmt


@bp.get("/")
def index():
    query = request.args.get("q", "").strip()[:MAX_QUERY]
    # Sorted by slug (no "_" in it, so the keyset cursor parses): page 200 costs what page 2 does.
    page = paginate(matching(query), per_page=50, order=(Akimat.slug, Akimat.id), options=[joinedload(Akimat.parent)])
    return render_template("platform/index.html", page=page, query=query, kinds=AKIMAT_KIND_LABELS)


@bp.get("/events")
def events():
    page = paginate(
        select(AdminEvent),
        per_page=50,
        order=(AdminEvent.id,),
        descending=True,
        options=[joinedload(AdminEvent.actor)],
    )
    ids = {e.akimat_id for e in page.items if e.akimat_id}
    named = {a.id: a for a in db.session.scalars(select(Akimat).where(Akimat.id.in_(ids)))} if ids else {}
    return render_template("platform/events.html", page=page, akimats=named, kinds=ADMIN_EVENT_LABELS)


from . import pages  # noqa: E402,F401  the pages of one akimat register on bp
