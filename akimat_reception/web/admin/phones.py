"""The akimat's administrator keeps the phone directory: add, correct, retire, export, import."""

from flask import Response, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ...domain import phone_csv, phones
from ...domain.calendar import calendar_for
from ...domain.identity import normalize_phone
from ...domain.permissions import Action
from ...extensions import db
from ...forms.phones import ImportForm, LineForm
from ...models import Department, LineDays, PhoneLine
from ..tenancy import make_tenant_blueprint, require, require_member

bp = make_tenant_blueprint("admin_phones", __name__, "/admin/phones")


@bp.before_request
@login_required
def admins_only():
    require_member()
    require(Action.MANAGE_PHONES)


def _departments() -> list[Department]:
    return db.session.scalars(
        select(Department).where(Department.akimat_id == g.akimat.id).order_by(Department.id)
    ).all()


def _line_or_404(line_id: int) -> PhoneLine:
    return db.session.scalar(
        select(PhoneLine).where(PhoneLine.id == line_id, PhoneLine.akimat_id == g.akimat.id)
    ) or abort(404)


@bp.get("/")
def index():
    entries = phones.directory(g.akimat, calendar_for(g.akimat.id))
    retired = db.session.scalars(
        select(PhoneLine)
        .where(PhoneLine.akimat_id == g.akimat.id, PhoneLine.retired_at.is_not(None))
        .order_by(PhoneLine.retired_at.desc())
        .limit(200)
        .options(joinedload(PhoneLine.department))
    ).all()
    return render_template("admin/phones.html", entries=entries, retired=retired)


def _data(form: LineForm) -> phones.LineData:
    department = next(d for d in _departments() if d.id == form.department.data)
    return phones.LineData(
        department=department,
        e164=normalize_phone(form.number.data),
        purpose_kk=form.purpose_kk.data,
        purpose_ru=form.purpose_ru.data,
        purpose_en=form.purpose_en.data or "",
        languages=form.languages.data,
        days=LineDays(form.days.data),
        opens_at=form.opens_at.data,
        closes_at=form.closes_at.data,
    )


def _edit(form: LineForm, line: PhoneLine | None):
    if form.validate_on_submit():
        try:
            if line is None:
                phones.add_line(g.akimat, _data(form), current_user)
                flash(_("The line was added. It shows as not checked until staff call it."), "success")
            else:
                phones.update_line(line, _data(form), current_user)
                flash(_("The line was saved."), "success")
        except phones.PhoneError as error:
            db.session.rollback()
            form.number.errors.append(error.message)
        else:
            return redirect(url_for(".index"))
    status = 422 if form.is_submitted() else 200
    return render_template("admin/phone_form.html", form=form, line=line), status


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = LineForm(departments=_departments())
    if not form.is_submitted():
        form.days.data = LineDays.WORKING.value
        form.languages.data = ["kk", "ru"]
    return _edit(form, None)


@bp.route("/<int:line_id>/edit", methods=["GET", "POST"])
def edit(line_id):
    line = _line_or_404(line_id)
    if line.retired_at is not None:
        abort(404)
    form = LineForm(departments=_departments())
    if not form.is_submitted():
        form.department.data, form.number.data = line.department_id, line.e164
        form.purpose_kk.data, form.purpose_ru.data, form.purpose_en.data = (
            line.purpose_kk,
            line.purpose_ru,
            line.purpose_en,
        )
        form.languages.data, form.days.data = line.language_codes, line.days.value
        form.opens_at.data, form.closes_at.data = line.opens_at, line.closes_at
    return _edit(form, line)


@bp.post("/<int:line_id>/retire")
def retire(line_id):
    line = _line_or_404(line_id)  # CSRFProtect has checked the token
    try:
        phones.retire_line(line, current_user)
    except phones.PhoneError as error:
        flash(str(error.message), "error")
    else:
        flash(_("The line was retired: it left the public directory; its checks are kept."), "success")
    return redirect(url_for(".index"))


@bp.get("/export.csv")
def export():
    entries = phones.directory(g.akimat, calendar_for(g.akimat.id))
    return Response(
        phone_csv.export_csv(entries),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{g.akimat.slug}-phones.csv"'},
    )


@bp.route("/import", methods=["GET", "POST"])
def import_csv():
    form = ImportForm()
    errors = []
    if form.validate_on_submit():
        lines = db.session.scalars(select(PhoneLine).where(PhoneLine.akimat_id == g.akimat.id)).all()
        rows, errors = phone_csv.parse_csv(form.file.data.read(), g.akimat, _departments(), lines)
        if not errors:
            try:
                result = phone_csv.import_rows(g.akimat, rows, current_user)
            except phones.PhoneError as error:
                errors = [str(error.message)]
            else:
                flash(
                    _(
                        "Imported: %(added)s added, %(updated)s changed, %(unchanged)s unchanged.",
                        added=result.added,
                        updated=result.updated,
                        unchanged=result.unchanged,
                    ),
                    "success",
                )
                return redirect(url_for(".index"))
        form.file.errors.append(_("Nothing was imported: correct the file and send it again."))
    status = 422 if form.is_submitted() else 200
    return render_template("admin/phone_import.html", form=form, errors=errors), status
