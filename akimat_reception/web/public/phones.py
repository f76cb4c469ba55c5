"""The akimat's phone directory: every department's lines with their checked status, and the
resident's "nobody answers" report."""

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from sqlalchemy import select

from ...domain import phones
from ...domain.calendar import calendar_for
from ...extensions import db, limiter
from ...forms.phones import ReportForm
from ...models import PhoneLine
from ..clock import today_in
from ..tenancy import make_tenant_blueprint

bp = make_tenant_blueprint("phones", __name__)

MAX_QUERY = 100
# The line a resident has just reported: its thank-you is shown beside it, where they pressed.
REPORTED_KEY = "phone_reported_line"


def _report_limit() -> str:
    return current_app.config["PHONE_REPORT_RATE_LIMIT"]


def _prefix(line_id: int) -> str:
    return f"line{line_id}"


def _render(status: int = 200, failed: ReportForm | None = None, failed_line_id: int | None = None):
    query = request.args.get("q", "").strip()[:MAX_QUERY]
    entries = phones.directory(g.akimat, calendar_for(g.akimat.id))
    shown = [(line, state) for line, state in entries if phones.matches(line, query)]
    groups: dict[int, list] = {}
    for line, state in sorted(shown, key=lambda e: (e[0].department_id, phones.STATUS_ORDER[e[1].status], e[0].id)):
        groups.setdefault(line.department_id, []).append((line, state))
    alternatives = {
        line.id: phones.alternative_for(line, entries)
        for line, state in shown
        if state.status is phones.LineStatus.FAILING
    }
    forms = {line.id: ReportForm(prefix=_prefix(line.id), formdata=None) for line, _ in shown}
    if failed is not None:
        forms[failed_line_id] = failed
    return render_template(
        "public/phones.html",
        groups=list(groups.values()),
        alternatives=alternatives,
        forms=forms,
        failed=failed,
        query=query,
        shown=len(shown),
        status_labels={s.value: s.label for s in phones.LineStatus},
        policy=phones.current_policy(),
        local_today=today_in(g.akimat),
        reported_line_id=session.pop(REPORTED_KEY, None) if failed is None else None,
    ), status


@bp.get("/phones")
def directory():
    return _render()


@bp.post("/phones/<int:line_id>/report")  # Redis down: open, on per-process counts (web/limits.py)
@limiter.limit(_report_limit, key_func=get_remote_address)
def report(line_id):
    line = db.session.scalar(
        select(PhoneLine).where(
            PhoneLine.id == line_id, PhoneLine.akimat_id == g.akimat.id, PhoneLine.retired_at.is_(None)
        )
    ) or abort(404)
    query = request.args.get("q", "").strip()[:MAX_QUERY]
    back_to_line = url_for(".directory", q=query or None, _anchor=f"line-{line.id}")
    if not phones.state_now(line, calendar_for(g.akimat.id)).open_now:
        # Nobody is meant to answer outside the line's hours: that is no report of a dead line.
        flash(str(_l("This line is closed now: a report is taken during its working hours.")), "error")
        return redirect(back_to_line)
    form = ReportForm(prefix=_prefix(line.id))
    if form.validate_on_submit():
        phones.report_dead(line, get_remote_address() or "", form.comment.data or "")
        session[REPORTED_KEY] = line.id
        return redirect(url_for(".directory", q=query or None, _anchor=f"line-{line.id}-thanks"))
    return _render(422, form, line.id)
