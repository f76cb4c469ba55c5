"""What the akim and the administrator use to see that nothing was hidden: the journal's
verification and the log of staff reading residents' personal data."""
from flask import g, render_template
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ...domain.journal import verify_akimat
from ...domain.permissions import Action
from ...models import PersonalDataAccess
from ..pagination import paginate
from ..tenancy import make_tenant_blueprint, require, require_member

bp = make_tenant_blueprint("oversight", __name__, "/oversight")


@bp.before_request
@login_required
def oversight_only():
    require_member()
    require(Action.VIEW_OVERSIGHT)


@bp.get("/journal")
def journal():
    return render_template("oversight/journal.html", report=verify_akimat(g.akimat.id))


@bp.get("/access-log")
def access_log():
    page = paginate(
        select(PersonalDataAccess).where(PersonalDataAccess.akimat_id == g.akimat.id), per_page=50,
        order=(PersonalDataAccess.accessed_at, PersonalDataAccess.id), descending=True,
        options=[joinedload(PersonalDataAccess.user), joinedload(PersonalDataAccess.letter)])
    return render_template("oversight/access_log.html", page=page)
