"""The akimat's administrator: the legal terms in force and the working calendar."""

from dataclasses import asdict

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from ...domain.calendar import declare_day, remove_day
from ...domain.deadlines import TERM_DESCRIPTIONS, current_terms
from ...domain.permissions import Action
from ...extensions import db
from ...forms.admin import CalendarOverrideForm
from ...models import CalendarOverride
from ..tenancy import make_tenant_blueprint, require, require_member

bp = make_tenant_blueprint("admin", __name__, "/admin")


@bp.before_request
@login_required
def admins_only():
    require_member()
    require(Action.MANAGE_CALENDAR)


def _render(form, status=200):
    overrides = db.session.scalars(
        select(CalendarOverride)
        .where(or_(CalendarOverride.akimat_id.is_(None), CalendarOverride.akimat_id == g.akimat.id))
        .order_by(CalendarOverride.day.desc())
        .limit(200)
    ).all()
    terms = [(name, value, *TERM_DESCRIPTIONS[name]) for name, value in asdict(current_terms()).items()]
    return render_template("admin/calendar.html", form=form, overrides=overrides, terms=terms), status


@bp.get("/calendar")
def calendar():
    return _render(CalendarOverrideForm())


@bp.post("/calendar")
def add_override():
    form = CalendarOverrideForm()
    if not form.validate_on_submit():
        return _render(form, 422)
    declare_day(g.akimat.id, form.day.data, form.kind.data == "working", form.note.data or "", by=current_user)
    flash(_("The calendar was updated. New deadlines follow it."), "success")
    return redirect(url_for(".calendar"))


@bp.post("/calendar/<int:override_id>/delete")
def delete_override(override_id):
    row = db.session.get(CalendarOverride, override_id)  # CSRFProtect has checked the token
    if row is None or row.akimat_id != g.akimat.id:
        abort(404)  # installation-wide days are set with `flask calendar set`, not here
    remove_day(row, current_user)
    flash(_("The day was removed from the calendar."), "success")
    return redirect(url_for(".calendar"))


from . import subordinates  # noqa: E402,F401  (the akimats under this one, for a higher akimat)
