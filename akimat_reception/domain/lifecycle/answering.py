"""Answered by the department: the right to be heard before a refusal (APPK art. 73), and the
draft answer, in the letter's language, sent to control."""

from datetime import datetime

from flask_babel import lazy_gettext as _l

from ...extensions import db
from ...models import Answer, AnswerStatus, Decision, Letter, LetterStatus, User
from ...models._common import utcnow
from .. import deadlines, events, journal, notifications, quality
from ..calendar import calendar_for, local_day
from ._base import LifecycleError, lock, require_role, require_state
from .allowed import LetterAction, refusal_problem


class DraftRefused(LifecycleError):
    """The draft breaks an answer rule that blocks approval; `findings` say which, by field."""

    def __init__(self, findings: list[quality.Finding]):
        super().__init__(findings[0].message)
        self.findings = findings


def warnings_for(answer: Answer, now: datetime | None = None) -> list[quality.Finding]:
    """The rules a saved draft breaks that only warn: the executor sees them, control decides."""
    letter = answer.letter
    return [f for f in quality.review(quality.Wording.of(answer), letter, now or utcnow()) if not f.blocks]


def open_returns(letter: Letter) -> list[Answer]:
    """The drafts returned for rework that still wait for it: none once a later answer was sent."""
    sent = letter.sent_answer
    return [a for a in letter.returned_drafts if sent is None or a.id > sent.id]


def notify_preliminary_refusal(letter: Letter, grounds: str, actor: User, now: datetime | None = None) -> None:
    """The right to be heard (APPK art. 73): the resident learns of the intended refusal and its
    grounds, and may state a position before the refusal can be sent."""
    now = now or utcnow()
    role = require_role(actor, LetterAction.NOTIFY_HEARING, letter)
    require_state(actor, LetterAction.NOTIFY_HEARING, letter, now)
    if not grounds.strip():
        raise LifecycleError(_l("Give the grounds of the intended refusal."))
    today = local_day(letter.akimat, now)
    letter.hearing_notified_on = today
    letter.hearing_until = deadlines.refusal_possible_from(today, calendar_for(letter.akimat_id))
    notice = events.HearingNotice(grounds=grounds.strip(), until=letter.hearing_until)
    journal.append(letter, notice, actor=actor, actor_role=role, now=now)
    notifications.queue_for_resident("hearing_notice", letter, grounds=grounds.strip())
    db.session.commit()


def state_position(letter: Letter, text: str, now: datetime | None = None) -> None:
    """The resident's reply to a preliminary refusal, attached to the letter for control."""
    now = now or utcnow()
    lock(letter)
    require_state(None, LetterAction.STATE_POSITION, letter, now)
    if not text.strip():
        raise LifecycleError(_l("Write your position."))
    journal.append(letter, events.PositionStated(text=text.strip()), actor=None, actor_role="resident", now=now)
    db.session.commit()


def submit_draft(
    letter: Letter,
    actor: User,
    decision: Decision,
    body: str,
    reasons: str = "",
    legal_basis: str = "",
    appeal_procedure: str = "",
    now: datetime | None = None,
) -> Answer:
    """The department's draft answer goes to control."""
    now = now or utcnow()
    role = require_role(actor, LetterAction.SUBMIT_DRAFT, letter)
    require_state(actor, LetterAction.SUBMIT_DRAFT, letter, now)
    if not body.strip():
        raise LifecycleError(_l("Write the answer."))
    # The rules control applies (domain/quality.py): the blocking ones stop the draft here already;
    # the warnings are the caller's to show (quality.review of the saved answer).
    wording = quality.Wording(decision, body, reasons, legal_basis, appeal_procedure)
    blocking = [finding for finding in quality.review(wording, letter, now) if finding.blocks]
    if blocking:
        raise DraftRefused(blocking)
    if decision is Decision.REFUSED and (problem := refusal_problem(letter, now)) is not None:
        raise LifecycleError(problem)
    answer = Answer(
        letter=letter,
        author_id=actor.id,
        department_id=letter.department_id,
        decision=decision,
        body=body.strip(),
        reasons=reasons.strip() or None,
        legal_basis=legal_basis.strip() or None,
        appeal_procedure=appeal_procedure.strip() or None,
        created_at=now,
        status=AnswerStatus.SUBMITTED,
        language=letter.language,
        body_fingerprint=quality.fingerprint(body),
    )
    db.session.add(answer)
    letter.status = LetterStatus.IN_CONTROL
    db.session.flush()
    drafted = events.DraftSubmitted(answer_id=answer.id, decision=decision.value)
    journal.append(letter, drafted, actor=actor, actor_role=role, now=now)
    db.session.commit()
    return answer
