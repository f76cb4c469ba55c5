"""The akim's view: every unresolved letter, the oldest deadline first."""

from datetime import date
from typing import NamedTuple

from flask import g, render_template, request
from flask_babel import get_locale
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from ...domain.deadlines import due_soon_horizon
from ...domain.journal import revision
from ...domain.permissions import Action, can
from ...domain.phones import directory, summarize
from ...domain.ratings import department_ratings
from ...extensions import db
from ...models import Akimat, ExtensionRequest, ExtensionStatus, Letter, LetterStatus
from .. import cache
from ..clock import today_and_calendar
from ..pagination import paginate
from ..tenancy import make_tenant_blueprint, require, require_member, tenant_letters

bp = make_tenant_blueprint("akim", __name__, "/akim")


@bp.before_request
@login_required
def members_only():
    require_member()
    require(Action.VIEW_DASHBOARD)


class PendingExtension(NamedTuple):
    number: str
    requested_deadline: date
    reason: str


# A kept dashboard is rendered again after this long in any case (belt and braces: the journal
# revision changes with every change of the akimat's letters).
KEPT_FOR = 60.0


def _summary(today: date, horizon: date) -> dict:
    """Counts by status and department, the departments' answer counts and the requests for more time."""
    akimat_id = g.akimat.id
    unresolved = Letter.status.in_(LetterStatus.unresolved())
    # One pass over the open letters, read from the index alone: counts by status and department.
    overdue = func.sum(case((Letter.deadline < today, 1), else_=0))
    due_soon = func.sum(case(((Letter.deadline >= today) & (Letter.deadline <= horizon), 1), else_=0))
    ping_pong = func.sum(case((Letter.transfer_count > 1, 1), else_=0))
    # Anonymous letters are counted apart and left out of the figures (domain/anonymous.py).
    status_counts, counted, anonymous_open = {}, {}, 0
    for status, dep_id, is_anonymous, n, o, s, t in db.session.execute(
        select(Letter.status, Letter.department_id, Letter.anonymous, func.count(), overdue, due_soon, ping_pong)
        .where(Letter.akimat_id == akimat_id, unresolved)
        .group_by(Letter.status, Letter.department_id, Letter.anonymous)
    ):
        if is_anonymous:
            anonymous_open += n
            continue
        status_counts[status] = status_counts.get(status, 0) + n
        row = counted.setdefault(dep_id, [0, 0, 0, 0])
        for i, value in enumerate((n, o, s, t)):
            row[i] += int(value or 0)
    extensions = [
        PendingExtension(number, deadline, reason)
        for number, deadline, reason in db.session.execute(
            select(Letter.number, ExtensionRequest.requested_deadline, ExtensionRequest.reason)
            .join(Letter)
            .where(Letter.akimat_id == akimat_id, ExtensionRequest.status == ExtensionStatus.PENDING)
            .order_by(ExtensionRequest.requested_at, ExtensionRequest.id)
            .limit(50)
        )
    ]
    return {
        "status_counts": status_counts,
        "by_department": counted,
        "extensions": extensions,
        "ratings": department_ratings(akimat_id),
        "anonymous_open": anonymous_open,
    }


def _render_kept_parts(today: date, horizon: date) -> tuple[str, str]:
    """The counts (with ratings and requests for more time) and the page of open letters, rendered."""
    summary = _summary(today, horizon)
    by_id = {row.department.id: row.department for row in summary["ratings"]}
    department_rows = sorted(
        (
            {"department": by_id.get(dep_id), "open": n, "overdue": o, "due_soon": s, "transferred": t}
            for dep_id, (n, o, s, t) in summary["by_department"].items()
        ),
        key=lambda row: (-row["overdue"], -row["open"]),
    )
    totals = {name: sum(r[name] for r in department_rows) for name in ("open", "overdue", "due_soon", "transferred")}
    # Overdue first: each open status is read from its own index range by deadline, and merged.
    page = paginate(
        tenant_letters().where(Letter.status.in_(LetterStatus.unresolved())),
        order=(Letter.deadline, Letter.id),
        split=[Letter.status == s for s in LetterStatus.unresolved()],
        options=[joinedload(Letter.department)],
    )
    return (
        render_template(
            "akim/_summary.html",
            status_counts=summary["status_counts"],
            department_rows=department_rows,
            totals=totals,
            extensions=summary["extensions"],
            ratings=summary["ratings"],
            anonymous_open=summary["anonymous_open"],
        ),
        render_template("akim/_letters.html", page=page),
    )


@bp.get("/")
def dashboard():
    """Everything but the phone lines is rendered once per change of the akimat's journal (every
    change of a letter, an answer or a request appends an event) and kept by the worker, for the
    same day, language and page: read a hundred times a minute by the akim and the deputies, it is
    worked out again only when something happened. (Departments, which only an operator adds or
    renames, show within KEPT_FOR.)"""
    today, calendar = today_and_calendar(g.akimat)  # shared with the rows' deadline badges
    horizon = due_soon_horizon(today, calendar)
    key = (
        "akim.dashboard",
        g.akimat.id,
        today,
        horizon,
        str(get_locale()),
        tuple(sorted(request.args.items(multi=True))),
    )
    summary, letters = cache.by_revision(
        key, revision(g.akimat.id), lambda: _render_kept_parts(today, horizon), ttl=KEPT_FOR
    )
    return render_template(
        "akim/dashboard.html",
        summary=Markup(summary),
        letters=Markup(letters),
        phones=summarize(directory(g.akimat, calendar)),
        has_subordinates=can(current_user, Action.VIEW_SUBORDINATES, g.akimat) and _has_subordinates(),
    )


def _has_subordinates() -> bool:
    return db.session.scalar(select(Akimat.id).where(Akimat.parent_id == g.akimat.id).limit(1)) is not None


from . import subordinates  # noqa: E402,F401  (the page of the akimats under this one)
