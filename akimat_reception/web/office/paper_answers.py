"""The answer on paper: printed as an official letter (letterhead, outgoing number, the resident's
address, the signer), its posting or handing over recorded, and the registrars' list of answers
still to send. The rules are in domain/lifecycle/dispatch.py."""

from flask import abort, g, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import exists, select
from sqlalchemy.orm import aliased, joinedload

from ...domain import lifecycle
from ...domain.answer_contact import answer_signature
from ...domain.permissions import Action, sees_whole_akimat
from ...forms.office import DispatchForm
from ...models import Answer, AnswerStatus, Letter
from ..pagination import paginate
from ..tenancy import letter_or_404, require
from . import bp
from .letter import _act, _log_personal_data_access

# The answer's signature, for answer_block in templates/macros/letters.html on the office's letter
# page and on the resident's tracking page alike (the office blueprint is in every app).
bp.add_app_template_global(answer_signature, "answer_signature")


@bp.get("/letters/<number>/answer/print")
def print_answer(number):
    letter = letter_or_404(number)
    require(Action.DISPATCH_ANSWER, letter)
    answer = letter.sent_answer or abort(404)
    _log_personal_data_access(letter)  # the printed letter carries the resident's name and address
    # The letter goes to the resident in the language they wrote in, its headings too; the page
    # around it (menu, hints) stays in the reader's.
    with force_locale(letter.language):
        official_letter = Markup(
            render_template(
                "office/answer_letter.html", letter=letter, answer=answer, signature=answer_signature(answer)
            )
        )
    return render_template("office/answer_print.html", letter=letter, answer=answer, official_letter=official_letter)


@bp.post("/letters/<number>/answer/dispatch")
def dispatch_answer(number):
    def perform(letter, form):
        answer = letter.sent_answer or abort(404)
        lifecycle.dispatch_answer(letter, answer, form.method.data, current_user)

    return _act(
        number,
        Action.DISPATCH_ANSWER,
        "dispatch_form",
        DispatchForm(),
        perform,
        "method",
        _l("The answer on paper was recorded as sent."),
    )


def _to_send_on_paper():
    """Sent answers, each the last of its letter, whose letter needs paper and that have not left."""
    later = aliased(Answer)
    newer_sent = exists().where(
        later.letter_id == Answer.letter_id, later.status == AnswerStatus.SENT, later.id > Answer.id
    )
    stmt = (
        select(Answer)
        .join(Letter, Letter.id == Answer.letter_id)
        .where(
            Letter.akimat_id == g.akimat.id,
            Answer.status == AnswerStatus.SENT,
            Answer.dispatched_at.is_(None),
            Letter.paper_answer.is_(True),
            ~newer_sent,
        )
    )
    if not sees_whole_akimat(current_user, g.akimat):
        stmt = stmt.where(Letter.department_id.in_(sorted(current_user.departments_in(g.akimat))))
    return stmt


@bp.get("/answers/on-paper")
def paper_answers():
    require(Action.DISPATCH_ANSWER)
    page = paginate(
        _to_send_on_paper(),
        order=(Answer.sent_at, Answer.id),
        options=[joinedload(Answer.letter), joinedload(Answer.author)],
    )
    return render_template("office/answer_paper_list.html", page=page)
