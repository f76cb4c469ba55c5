"""One letter in the office: what it says, who wrote it, its journal, and a card for each action
the domain allows this user now (lifecycle.allowed_actions); each card posts to a route below,
which calls the lifecycle's verb."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ...domain import journal, lifecycle, quality, routing
from ...domain.events import EventKind
from ...domain.lifecycle import LetterAction
from ...domain.permissions import Action
from ...extensions import db
from ...forms.anonymous import AnonymousAssessmentForm
from ...forms.office import (
    AkimatSearchForm,
    AnswerForm,
    AssignForm,
    ControlForm,
    DispatchForm,
    ExecutorForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    ForwardForm,
    HearingNoticeForm,
    InstructionForm,
)
from ...models import AnswerTemplate, Decision, Department, Letter, LetterStatus, PersonalDataAccess
from ...models._common import utcnow
from ..actions import attempt
from ..files import send_attachment
from ..tenancy import letter_or_404, require
from . import bp

# The verdicts of the two radio forms, and the action each one takes.
CONTROL_VERDICTS = {
    "approve": LetterAction.APPROVE_DRAFT,
    "return": LetterAction.RETURN_DRAFT,
    "uphold": LetterAction.UPHOLD_ANSWER,
}
EXTENSION_VERDICTS = {"approve": LetterAction.GRANT_EXTENSION, "refuse": LetterAction.REFUSE_EXTENSION}


def _departments():
    return db.session.scalars(
        select(Department)
        .where(Department.akimat_id == g.akimat.id, Department.retired_at.is_(None))  # retired: no new letters
        .order_by(Department.id)
    ).all()


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


def _templates_for(letter: Letter):
    if letter.department_id is None:
        return []
    return db.session.scalars(
        select(AnswerTemplate)
        .where(AnswerTemplate.department_id == letter.department_id, AnswerTemplate.language == letter.language)
        .order_by(AnswerTemplate.title)
    ).all()


def _verdicts(mapping: dict[str, LetterAction], actions: frozenset[LetterAction]) -> tuple[str, ...]:
    return tuple(verdict for verdict, action in mapping.items() if action in actions)


def _control_form(letter: Letter, actions: frozenset[LetterAction]) -> ControlForm:
    return ControlForm(disputed=letter.status is LetterStatus.DISPUTED, verdicts=_verdicts(CONTROL_VERDICTS, actions))


def _decision_form(actions: frozenset[LetterAction]) -> ExtensionDecisionForm:
    return ExtensionDecisionForm(verdicts=_verdicts(EXTENSION_VERDICTS, actions))


def _render_letter(letter: Letter, status=200, **forms):
    require(Action.VIEW_LETTER, letter)
    _log_personal_data_access(letter)
    actions = lifecycle.allowed_actions(current_user, letter, utcnow())
    suggestion = routing.suggest_department(letter)
    suggested = suggestion.department
    forms.setdefault(
        "assign_form",
        AssignForm(
            departments=_departments(), department=letter.department_id or (suggested.id if suggested else None)
        ),
    )
    # The transfer's search: typed into the GET "find" (or carried by a forward that failed).
    query = forms["forward_form"].find_akimat.data if "forward_form" in forms else request.args.get("find_akimat", "")
    search_form = AkimatSearchForm(formdata=None, find_akimat=(query or "")[:100])
    matches = lifecycle.competent_akimats(query or "", letter) if LetterAction.FORWARD in actions else []
    forms.setdefault("forward_form", ForwardForm(akimats=matches, find_akimat=search_form.find_akimat.data))
    if LetterAction.ASSIGN_EXECUTOR in actions:
        executors = lifecycle.executors_of(letter)
        forms.setdefault("executor_form", ExecutorForm(executors=executors, executor=letter.executor_id))
    forms.setdefault("answer_form", AnswerForm(templates=_templates_for(letter)))
    forms.setdefault("control_form", _control_form(letter, actions))
    forms.setdefault("decision_form", _decision_form(actions))
    for name, form_class in FORMS.items():
        forms.setdefault(name, form_class())
    events = journal.events_of(letter)
    return render_template(
        "office/letter.html",
        letter=letter,
        events=events,
        suggestion=suggestion,
        breaks=journal.verify_letter(letter, events),
        pending_extension=lifecycle.pending_extension(letter),
        positions=[e for e in events if e.kind == EventKind.POSITION_STATED],
        instructions=[e for e in events if e.kind == EventKind.INSTRUCTION],
        disputes=[e for e in events if e.kind == EventKind.DISPUTED],
        actions=actions,
        A=LetterAction,
        search_form=search_form,
        searched=bool(search_form.find_akimat.data),
        quality_problems=forms.pop("quality_problems", None),
        only_warnings=forms.pop("only_warnings", False),
        open_returns=lifecycle.open_returns(letter),
        warning_rules=quality.WARNING_RULES,
        needs_paper=lifecycle.needs_paper(letter),
        **forms,
    ), status


FORMS = {
    "anonymous_form": AnonymousAssessmentForm,
    "dispatch_form": DispatchForm,
    "extension_form": ExtensionRequestForm,
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

    if not form.validate_on_submit():
        return _render_letter(letter, status=422, answer_form=form)
    try:
        drafted = lifecycle.submit_draft(
            letter,
            current_user,
            Decision(form.decision.data),
            form.body.data,
            form.reasons.data or "",
            form.legal_basis.data or "",
            form.appeal_procedure.data or "",
        )
    except lifecycle.DraftRefused as refused:
        # The rules that block approval block the draft: each message by the field it is about.
        for finding in refused.findings:
            getattr(form, finding.field).errors.append(finding.message)
        return _render_letter(letter, status=422, answer_form=form)
    except lifecycle.LifecycleError as error:
        form.body.errors.append(error.message)
        return _render_letter(letter, status=422, answer_form=form)
    flash(_("The draft answer was sent to control."), "success")
    for finding in lifecycle.warnings_for(drafted):
        flash(_("Warning: %(problem)s Control decides whether it may be sent.", problem=finding.message), "warning")
    return redirect(url_for(".letter", number=letter.number))


@bp.post("/letters/<number>/control")
def control(number):
    letter = letter_or_404(number)
    require(Action.CONTROL, letter)
    form = _control_form(letter, lifecycle.allowed_actions(current_user, letter, utcnow()))
    if form.validate_on_submit():
        try:
            if form.verdict.data == "approve":
                lifecycle.approve_draft(letter, current_user, despite_warnings=form.despite_warnings.data)
                message = _("The answer was approved and sent to the resident.")
            elif form.verdict.data == "uphold":
                lifecycle.uphold_answer(letter, form.control_comment.data, current_user)
                message = _("The answer stands; the resident was told why.")
            else:
                lifecycle.return_draft(letter, form.control_comment.data, current_user)
                message = _("The answer was returned to the department for rework.")
        except lifecycle.QualityProblems as problems:
            return _render_letter(
                letter,
                status=422,
                control_form=form,
                quality_problems=problems.problems,
                only_warnings=problems.only_warnings,
            )
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

    letter = letter_or_404(number)
    require(Action.DECIDE_EXTENSION, letter)
    form = _decision_form(lifecycle.allowed_actions(current_user, letter, utcnow()))
    return _act(
        number,
        Action.DECIDE_EXTENSION,
        "decision_form",
        form,
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
