"""Staff verify the directory: the queue of lines due for a check call, and the check itself."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from ...domain import phones
from ...domain.calendar import calendar_for
from ...domain.permissions import Action
from ...extensions import db
from ...forms.phones import CheckForm
from ...models import CheckResult, PhoneLine
from ..tenancy import make_tenant_blueprint, require, require_member

bp = make_tenant_blueprint("office_phones", __name__, "/office/phones")


@bp.before_request
@login_required
def staff_only():
    require_member()
    require(Action.VERIFY_PHONES)


def _line_or_404(line_id: int) -> PhoneLine:
    return db.session.scalar(
        select(PhoneLine).where(PhoneLine.id == line_id, PhoneLine.akimat_id == g.akimat.id)
    ) or abort(404)


@bp.get("/")
def queue():
    show_all = request.args.get("show") == "all"
    entries = phones.directory(g.akimat, calendar_for(g.akimat.id))
    due = phones.due_for_check(entries)
    rows = sorted(entries, key=phones.waiting_since) if show_all else due
    return render_template(
        "office/phones.html",
        rows=rows,
        show_all=show_all,
        due_count=len(due),
        total=len(entries),
        policy=phones.current_policy(),
    )


def _render_line(line: PhoneLine, form: CheckForm | None = None, status: int = 200):
    state = phones.state_now(line, calendar_for(g.akimat.id))
    return render_template(
        "office/phone_line.html",
        line=line,
        state=state,
        form=form or CheckForm(),
        checks=phones.checks_of(line),
        reports=phones.open_reports_of(line),
    ), status


@bp.get("/<int:line_id>")
def line(line_id):
    return _render_line(_line_or_404(line_id))


@bp.post("/<int:line_id>/checks")
def record_check(line_id):
    line = _line_or_404(line_id)
    form = CheckForm()
    if form.validate_on_submit():
        try:
            phones.record_check(line, current_user, CheckResult(form.result.data), form.note.data or "")
        except phones.PhoneError as error:
            form.result.errors.append(error.message)
        else:
            flash(str(_l("The check call was recorded.")), "success")
            return redirect(url_for(".line", line_id=line.id))
    return _render_line(line, form, 422)
