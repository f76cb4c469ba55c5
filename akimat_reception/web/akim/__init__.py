"""The akim's view: every unresolved letter, the oldest deadline first."""
from flask import g, render_template
from flask_login import login_required
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from ...domain.deadlines import due_soon_horizon
from ...domain.ratings import department_ratings
from ...domain.permissions import Action
from ...domain.phones import directory, summarize
from ...extensions import db
from ...models import ExtensionRequest, ExtensionStatus, Letter, LetterStatus
from ..clock import today_and_calendar
from ..pagination import paginate
from ..tenancy import make_tenant_blueprint, require, require_member, tenant_letters

bp = make_tenant_blueprint("akim", __name__, "/akim")


@bp.before_request
@login_required
def members_only():
    require_member()
    require(Action.VIEW_DASHBOARD)


@bp.get("/")
def dashboard():
    today, calendar = today_and_calendar(g.akimat)  # shared with the rows' deadline badges
    horizon = due_soon_horizon(today, calendar)
    unresolved = Letter.status.in_(LetterStatus.unresolved())
    # Overdue first: each open status is read from its own index range by deadline, and merged.
    page = paginate(tenant_letters().where(unresolved), order=(Letter.deadline, Letter.id),
                    split=[Letter.status == s for s in LetterStatus.unresolved()],
                    options=[joinedload(Letter.department)])

    # One pass over the open letters, read from the index alone: counts by status and department.
    overdue = func.sum(case((Letter.deadline < today, 1), else_=0))
    due_soon = func.sum(case(((Letter.deadline >= today) & (Letter.deadline <= horizon), 1), else_=0))
    ping_pong = func.sum(case((Letter.transfer_count > 1, 1), else_=0))
    status_counts, counted = {}, {}
    for status, dep_id, n, o, s, t in db.session.execute(
            select(Letter.status, Letter.department_id, func.count(), overdue, due_soon, ping_pong)
            .where(Letter.akimat_id == g.akimat.id, unresolved)
            .group_by(Letter.status, Letter.department_id)):
        status_counts[status] = status_counts.get(status, 0) + n
        row = counted.setdefault(dep_id, [0, 0, 0, 0])
        for i, value in enumerate((n, o, s, t)):
            row[i] += int(value or 0)
    by_department = [(dep_id, *values) for dep_id, values in counted.items()]
    ratings = department_ratings(g.akimat.id)  # every department of the akimat, with its answer counts
    departments = {row.department.id: row.department for row in ratings}
    department_rows = sorted(
        ({"department": departments.get(dep_id), "open": n, "overdue": int(o or 0), "due_soon": int(s or 0),
          "transferred": int(t or 0)}
         for dep_id, n, o, s, t in by_department),
        key=lambda row: (-row["overdue"], -row["open"]),
    )
    totals = {
        "open": sum(r["open"] for r in department_rows),
        "overdue": sum(r["overdue"] for r in department_rows),
        "due_soon": sum(r["due_soon"] for r in department_rows),
        "transferred": sum(r["transferred"] for r in department_rows),
    }
    extensions = db.session.scalars(
        select(ExtensionRequest).join(Letter)
        .where(Letter.akimat_id == g.akimat.id, ExtensionRequest.status == ExtensionStatus.PENDING)
        .order_by(ExtensionRequest.requested_at).limit(50)
        .options(joinedload(ExtensionRequest.letter), joinedload(ExtensionRequest.requested_by))
    ).all()
    return render_template("akim/dashboard.html", page=page, status_counts=status_counts,
                           department_rows=department_rows, totals=totals, extensions=extensions,
                           ratings=ratings, phones=summarize(directory(g.akimat, calendar)))
