"""The akim's view: every unresolved letter, the oldest deadline first."""
from flask import g, render_template
from flask_login import login_required
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from ...domain.calendar import calendar_for
from ...domain.deadlines import due_soon_horizon
from ...domain.ratings import department_ratings
from ...domain.permissions import Action
from ...domain.phones import dashboard_summary
from ...extensions import db
from ...models import Department, ExtensionRequest, ExtensionStatus, Letter, LetterStatus
from ..clock import today_in
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
    today = today_in(g.akimat)
    horizon = due_soon_horizon(today, calendar_for(g.akimat.id))
    unresolved = Letter.status.in_(LetterStatus.unresolved())
    page = paginate(tenant_letters().where(unresolved).order_by(Letter.deadline, Letter.id))

    status_counts = dict(db.session.execute(
        select(Letter.status, func.count()).where(Letter.akimat_id == g.akimat.id, unresolved)
        .group_by(Letter.status)
    ).all())
    overdue = func.sum(case((Letter.deadline < today, 1), else_=0))
    due_soon = func.sum(case(((Letter.deadline >= today) & (Letter.deadline <= horizon), 1), else_=0))
    ping_pong = func.sum(case((Letter.transfer_count > 1, 1), else_=0))
    by_department = db.session.execute(
        select(Letter.department_id, func.count(), overdue, due_soon, ping_pong)
        .where(Letter.akimat_id == g.akimat.id, unresolved)
        .group_by(Letter.department_id)
    ).all()
    departments = {d.id: d for d in db.session.scalars(
        select(Department).where(Department.akimat_id == g.akimat.id))}
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
                           ratings=department_ratings(g.akimat.id), phones=dashboard_summary(g.akimat))
