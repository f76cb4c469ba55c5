"""The office's list of letters, the nearest deadline first."""

from flask import g, render_template, request
from flask_login import current_user
from sqlalchemy import and_
from sqlalchemy.orm import joinedload

from ...domain.permissions import Action, sees_whole_akimat
from ...models import Letter, LetterStatus
from ..pagination import paginate
from ..tenancy import require, tenant_letters
from . import bp


@bp.get("/")
def inbox():
    require(Action.VIEW_INBOX)
    status = request.args.get("status", "open")
    stmt = tenant_letters()
    departments = None
    if not sees_whole_akimat(current_user, g.akimat):
        departments = sorted(current_user.departments_in(g.akimat))
        stmt = stmt.where(Letter.department_id.in_(departments))
    statuses: tuple[LetterStatus, ...] = ()
    if status == "open":
        statuses = LetterStatus.unresolved()
        stmt = stmt.where(Letter.status.in_(statuses))
    elif status in {s.value for s in LetterStatus}:
        stmt = stmt.where(Letter.status == LetterStatus(status))
    else:
        status = "all"
    # "Not answered yet" is several statuses (and an executor's, several departments): each pair
    # is read from its own index range by deadline and merged (web/pagination.py).
    split = (
        [and_(Letter.department_id == d, Letter.status == s) for d in departments for s in statuses]
        if departments
        else [Letter.status == s for s in statuses]
    )
    page = paginate(stmt, order=(Letter.deadline, Letter.id), split=split, options=[joinedload(Letter.department)])
    return render_template("office/inbox.html", page=page, status=status)
