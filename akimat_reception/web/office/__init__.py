"""The akimat's office: staff read, route, forward, extend and answer letters."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload

from ...domain import journal, lifecycle, routing
from ...domain.permissions import Action, can, sees_whole_akimat
from ...extensions import db
from ...forms.office import (
    AnswerForm,
    AssignForm,
    ControlForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    ForwardForm,
    HearingNoticeForm,
    InstructionForm,
)
from ...models import Akimat, AnswerTemplate, Decision, Department, Letter, LetterStatus, PersonalDataAccess
from ..actions import attempt
from ..files import send_attachment
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
    departments = None
    if not sees_whole_akimat(current_user, g.akimat):
        departments = sorted(current_user.departments_in(g.akimat))
        stmt = stmt.where(Letter.department_id.in_(departments))
    statuses = ()
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


def _log_personal_data_access(letter: Letter) -> None:
    """The page shows the resident's name, IIN and contacts: record who saw them."""
    roles = sorted(r.value for r in current_user.roles_in(g.akimat))
    db.session.add(
        PersonalDataAccess(
            akimat_id=g.akimat.id,
            letter_id=letter.id,
            user_id=current_user.id,
            role=",".join(roles)[:20],
            path=request.path[:300],
        )
    )
    db.session.commit()


def _other_akimats():
    return db.session.scalars(select(Akimat).where(Akimat.id != g.akimat.id).order_by(Akimat.name_ru)).all()


def _templates_for(letter: Letter):
    if letter.department_id is None:
        return []
    return db.session.scalars(
        select(AnswerTemplate)
        .where(AnswerTemplate.department_id == letter.department_id, AnswerTemplate.language == letter.language)
        .order_by(AnswerTemplate.title)
    ).all()


def _render_letter(letter: Letter, status=200, **forms):
    require(Action.VIEW_LETTER, letter)
    _log_personal_data_access(letter)
    departments = _departments()
    suggestion = routing.suggest_department(letter)
    suggested = suggestion.department
    forms.setdefault(
        "assign_form",
        AssignForm(departments=departments, department=letter.department_id or (suggested.id if suggested else None)),
    )
    forms.setdefault("forward_form", ForwardForm(akimats=_other_akimats()))
    forms.setdefault("answer_form", AnswerForm(templates=_templates_for(letter)))
    forms.setdefault("control_form", ControlForm(disputed=letter.status is LetterStatus.DISPUTED))
    for name, form_class in FORMS.items():
        forms.setdefault(name, form_class())
    events = journal.events_of(letter)
    is_open = letter.status in LetterStatus.unresolved()
    is_assigned = letter.status is LetterStatus.ASSIGNED

    def may(action):
        return can(current_user, action, g.akimat, letter)

    return render_template(
        "office/letter.html",
        letter=letter,
        events=events,
        suggestion=suggestion,
        breaks=journal.verify_letter(letter, events),
        pending_extension=lifecycle.pending_extension(letter),
        positions=[e for e in events if e.kind == "position_stated"],
        instructions=[e for e in events if e.kind == "instruction"],
        may_assign=may(Action.ASSIGN) and is_open,
        may_forward=may(Action.FORWARD) and is_open,
        may_answer=may(Action.ANSWER) and is_assigned,
        may_request_extension=may(Action.REQUEST_EXTENSION) and is_assigned,
        may_decide_extension=may(Action.DECIDE_EXTENSION),
        may_instruct=may(Action.INSTRUCT) and is_open,
        may_control=may(Action.CONTROL) and letter.status in (LetterStatus.IN_CONTROL, LetterStatus.DISPUTED),
        quality_problems=forms.pop("quality_problems", None),
        disputes=[e for e in events if e.kind == "disputed"],
        **forms,
    ), status


FORMS = {
    "extension_form": ExtensionRequestForm,
    "decision_form": ExtensionDecisionForm,
    "hearing_form": HearingNoticeForm,
    "instruction_form": InstructionForm,
}


@bp.get("/letters/<number>")
def letter(number):
    return _render_letter(letter_or_404(number))


@bp.get("/letters/<number>/files/<int:attachment_id>")
def attachment(number, attachment_id):
    letter = letter_or_404(number)
    require(Action.VIEW_LETTER, letter)
    return send_attachment(letter, attachment_id)


def _act(number: str, action: Action, form_name: str, form, perform, error_field: str, done_message):
    """The shape of every action on a letter: check the role, validate, call the lifecycle,
    then redirect (PRG) or show the letter again with the errors and what was typed."""
    letter = letter_or_404(number)
    require(action, letter)
    done = attempt(
        form, lambda f: perform(letter, f), error_field, done_message, url_for(".letter", number=letter.number)
    )
    if done:
        return done
    return _render_letter(letter, status=422, **{form_name: form})


@bp.post("/letters/<number>/assign")
def assign(number):
    form = AssignForm(departments=_departments())

    def perform(letter, form):
        department = db.session.get(Department, form.department.data)
        lifecycle.assign(letter, department, current_user, reason=form.reason.data or "")

    return _act(
        number, Action.ASSIGN, "assign_form", form, perform, "department", _l("The letter was sent to the department.")
    )


@bp.post("/letters/<number>/forward")
def forward(number):
    def perform(letter, f):
        if f.target_akimat.data:
            target = db.session.get(Akimat, f.target_akimat.data) or abort(404)
            lifecycle.transfer_to_akimat(letter, target, f.forward_reason.data, current_user)
        else:
            lifecycle.forward(letter, f.competent_body.data, f.forward_reason.data, current_user)

    return _act(
        number,
        Action.FORWARD,
        "forward_form",
        ForwardForm(akimats=_other_akimats()),
        perform,
        "competent_body",
        _l("The letter was forwarded and the resident told."),
    )


@bp.post("/letters/<number>/answer")
def answer(number):
    letter = letter_or_404(number)
    require(Action.ANSWER, letter)
    form = AnswerForm(templates=_templates_for(letter))
    if "insert_template" in request.form:
        # Without scripts, inserting a paragraph is a round trip that keeps what was typed.
        chosen = next((t for t in _templates_for(letter) if t.id == form.template.data), None)
        if chosen is not None:
            form.body.data = "\n\n".join(filter(None, (form.body.data, chosen.body)))
        form.template.data = 0
        return _render_letter(letter, answer_form=form)

    def perform(letter, f):
        lifecycle.submit_draft(
            letter,
            current_user,
            Decision(f.decision.data),
            f.body.data,
            f.reasons.data or "",
            f.legal_basis.data or "",
            f.appeal_procedure.data or "",
        )

    return _act(
        number, Action.ANSWER, "answer_form", form, perform, "body", _l("The draft answer was sent to control.")
    )


@bp.post("/letters/<number>/control")
def control(number):
    letter = letter_or_404(number)
    require(Action.CONTROL, letter)
    form = ControlForm(disputed=letter.status is LetterStatus.DISPUTED)
    if form.validate_on_submit():
        try:
            if form.verdict.data == "approve":
                lifecycle.approve_draft(letter, current_user)
                message = _("The answer was approved and sent to the resident.")
            elif form.verdict.data == "uphold":
                lifecycle.uphold_answer(letter, form.control_comment.data, current_user)
                message = _("The answer stands; the resident was told why.")
            else:
                lifecycle.return_draft(letter, form.control_comment.data, current_user)
                message = _("The answer was returned to the department for rework.")
        except lifecycle.QualityProblems as problems:
            return _render_letter(letter, status=422, control_form=form, quality_problems=problems.problems)
        except lifecycle.LifecycleError as error:
            form.verdict.errors.append(error.message)
        else:
            flash(message, "success")
            return redirect(url_for(".letter", number=letter.number))
    return _render_letter(letter, status=422, control_form=form)


@bp.post("/letters/<number>/hearing")
def hearing(number):
    return _act(
        number,
        Action.ANSWER,
        "hearing_form",
        HearingNoticeForm(),
        lambda letter, f: lifecycle.notify_preliminary_refusal(letter, f.grounds.data, current_user),
        "grounds",
        _l("The resident was told of the preliminary decision."),
    )


@bp.post("/letters/<number>/extension")
def request_extension(number):
    return _act(
        number,
        Action.REQUEST_EXTENSION,
        "extension_form",
        ExtensionRequestForm(),
        lambda letter, f: lifecycle.request_extension(
            letter, f.new_deadline.data, f.extension_reason.data, current_user
        ),
        "new_deadline",
        _l("The request for more time was sent to the akim."),
    )


@bp.post("/letters/<number>/extension/decision")
def decide_extension(number):
    def perform(letter, f):
        pending = lifecycle.pending_extension(letter) or abort(404)
        lifecycle.decide_extension(pending, f.verdict.data == "approve", f.decision_reason.data, current_user)

    return _act(
        number,
        Action.DECIDE_EXTENSION,
        "decision_form",
        ExtensionDecisionForm(),
        perform,
        "verdict",
        _l("The decision on the term was recorded."),
    )


@bp.post("/letters/<number>/instruction")
def instruct(number):
    return _act(
        number,
        Action.INSTRUCT,
        "instruction_form",
        InstructionForm(),
        lambda letter, f: lifecycle.instruct(letter, f.instruction.data, current_user),
        "instruction",
        _l("Your instruction was recorded; the department sees it."),
    )
