"""What the akim and the administrator use to see that nothing was hidden: the journal's
verification and the log of staff reading residents' personal data."""

from flask import current_app, g, render_template
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ...domain.journal import last_check, letters_of, verify_akimat, verify_changed_since
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


# An akimat with up to this many letters has every journal checked on each visit (a few seconds);
# a larger one shows its last complete check (`flask journal verify`, run daily) and checks at once
# the letters changed since, the most recent first, up to JOURNAL_RECENT_LIMIT of them.
JOURNAL_CHECK_ON_VIEW = 10_000
JOURNAL_RECENT_LIMIT = 2_000


@bp.get("/journal")
def journal():
    config = current_app.config
    if letters_of(g.akimat.id) <= config.get("JOURNAL_CHECK_ON_VIEW", JOURNAL_CHECK_ON_VIEW):
        return render_template("oversight/journal.html", report=verify_akimat(g.akimat.id))
    check = last_check(g.akimat.id)
    recent = verify_changed_since(
        g.akimat.id, check.through_event_id if check else 0, config.get("JOURNAL_RECENT_LIMIT", JOURNAL_RECENT_LIMIT)
    )
    return render_template("oversight/journal.html", report=None, check=check, recent=recent)


@bp.get("/access-log")
def access_log():
    page = paginate(
        select(PersonalDataAccess).where(PersonalDataAccess.akimat_id == g.akimat.id),
        per_page=50,
        order=(PersonalDataAccess.accessed_at, PersonalDataAccess.id),
        descending=True,
        options=[joinedload(PersonalDataAccess.user), joinedload(PersonalDataAccess.letter)],
    )
    return render_template("oversight/access_log.html", page=page)
