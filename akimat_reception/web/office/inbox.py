"""The office's list of letters, the nearest deadline first."""

from flask import g, render_template, request
from flask_login import current_user
from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload

from ...domain.permissions import Action, sees_whole_akimat
from ...extensions import db
from ...models import Department, Letter, LetterStatus
from ..pagination import paginate
from ..tenancy import require, tenant_letters
from . import bp


@bp.get("/")
def inbox():
    require(Action.VIEW_INBOX)
    status = request.args.get("status", "open")
    assigned = request.args.get("assigned", "")
    stmt = tenant_letters()
    departments = None
    if not sees_whole_akimat(current_user, g.akimat):
        departments = sorted(current_user.departments_in(g.akimat))
        stmt = stmt.where(Letter.department_id.in_(departments))
    if assigned == "mine":
        stmt = stmt.where(Letter.executor_id == current_user.id)
    elif assigned == "awaiting":
        # Letters of my departments (the ones I work in or head; the registrar's: all) without an executor.
        mine = sorted(set(departments or ()) | set(_headed_departments()))
        held = Letter.department_id.in_(mine) if mine or departments is not None else Letter.department_id.is_not(None)
        stmt = stmt.where(held, Letter.executor_id.is_(None))
    else:
        assigned = ""
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
    page = paginate(
        stmt,
        order=(Letter.deadline, Letter.id),
        split=split,
        options=[joinedload(Letter.department), joinedload(Letter.executor)],
    )
    return render_template("office/inbox.html", page=page, status=status, assigned=assigned)


def _headed_departments() -> list[int]:
    """The departments of this akimat the user heads (who hand their letters to executors)."""
    return list(
        db.session.scalars(
            select(Department.id).where(Department.akimat_id == g.akimat.id, Department.head_id == current_user.id)
        )
    )
