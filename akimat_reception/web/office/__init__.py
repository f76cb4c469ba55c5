"""The akimat's office: staff read, route and answer letters."""
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ...domain import journal, lifecycle, routing
from ...domain.permissions import Action, can, sees_whole_akimat
from ...extensions import db
from ...forms.office import AnswerForm, AssignForm
from ...models import Decision, Department, Letter, LetterStatus
from ..pagination import paginate
from ..tenancy import letter_or_404, make_tenant_blueprint, require, require_member, tenant_letters

bp = make_tenant_blueprint("office", __name__, "/office")


@bp.before_request
@login_required
def staff_only():
    require_member()


def _departments():
    return db.session.scalars(
        select(Department).where(Department.akimat_id == g.akimat.id).order_by(Department.id)
    ).all()


@bp.get("/")
def inbox():
    require(Action.VIEW_INBOX)
    status = request.args.get("status", "open")
    stmt = tenant_letters()
    if not sees_whole_akimat(current_user, g.akimat):
        stmt = stmt.where(Letter.department_id.in_(current_user.departments_in(g.akimat)))
    if status == "open":
        stmt = stmt.where(Letter.status.in_(LetterStatus.unresolved()))
    elif status in {s.value for s in LetterStatus}:
        stmt = stmt.where(Letter.status == LetterStatus(status))
    else:
        status = "all"
    stmt = stmt.order_by(Letter.deadline, Letter.id)
    page = paginate(stmt)
    return render_template("office/inbox.html", page=page, status=status)


def _render_letter(letter: Letter, assign_form=None, answer_form=None, status=200):
    require(Action.VIEW_LETTER, letter)
    departments = _departments()
    if assign_form is None:
        suggestion = routing.suggest_department(letter)
        assign_form = AssignForm(departments=departments,
                                 department=letter.department_id or (suggestion.id if suggestion else None))
    if answer_form is None:
        answer_form = AnswerForm()
    return render_template(
        "office/letter.html", letter=letter, events=journal.events_of(letter),
        suggestion=routing.suggest_department(letter),
        assign_form=assign_form, answer_form=answer_form,
        may_assign=can(current_user, Action.ASSIGN, g.akimat, letter)
        and letter.status in LetterStatus.unresolved(),
        may_answer=can(current_user, Action.ANSWER, g.akimat, letter)
        and letter.status is LetterStatus.ASSIGNED,
    ), status


@bp.get("/letters/<number>")
def letter(number):
    return _render_letter(letter_or_404(number))


@bp.post("/letters/<number>/assign")
def assign(number):
    letter = letter_or_404(number)
    require(Action.ASSIGN, letter)
    form = AssignForm(departments=_departments())
    if form.validate_on_submit():
        department = db.session.get(Department, form.department.data)
        try:
            lifecycle.assign(letter, department, current_user, reason=form.reason.data or "")
        except lifecycle.LifecycleError as error:
            form.department.errors.append(error.message)
        else:
            flash(_("The letter was sent to %(department)s.", department=department.name), "success")
            return redirect(url_for(".letter", number=letter.number))
    return _render_letter(letter, assign_form=form, status=422)


@bp.post("/letters/<number>/answer")
def answer(number):
    letter = letter_or_404(number)
    require(Action.ANSWER, letter)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            lifecycle.send_answer(letter, current_user, Decision(form.decision.data), form.body.data,
                                  form.reasons.data or "", form.legal_basis.data or "",
                                  form.appeal_procedure.data or "")
        except lifecycle.LifecycleError as error:
            form.body.errors.append(error.message)
        else:
            flash(_("The answer was sent to the resident."), "success")
            return redirect(url_for(".letter", number=letter.number))
    return _render_letter(letter, answer_form=form, status=422)
