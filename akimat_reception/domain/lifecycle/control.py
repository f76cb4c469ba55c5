"""Controlled (the control office): a draft approved and sent, or returned for rework with a
comment; a disputed answer upheld with reasons, or returned."""

from datetime import datetime

from flask_babel import lazy_gettext as _l

from ...extensions import db
from ...models import Answer, AnswerStatus, Letter, LetterStatus, Role, User
from ...models._common import utcnow
from .. import events, journal, notifications, quality, ratings
from ._base import LifecycleError, QualityProblems, members, require_role, require_state
from .allowed import LetterAction
from .dispatch import outgoing_number


def return_draft(letter: Letter, comment: str, actor: User, now: datetime | None = None) -> None:
    """Control sends a poor draft (or a disputed answer) back to the department for rework."""
    now = now or utcnow()
    role = require_role(actor, LetterAction.RETURN_DRAFT, letter)
    require_state(actor, LetterAction.RETURN_DRAFT, letter, now)
    if not comment.strip():
        raise LifecycleError(_l("Say what must be reworked."))
    draft = letter.draft
    if draft is not None:
        draft.status, draft.control_comment, draft.controlled_by_id = AnswerStatus.RETURNED, comment.strip(), actor.id
        ratings.record(draft.department_id, of=letter, returned=1)
    letter.status = LetterStatus.ASSIGNED
    returned = events.Returned(
        answer_id=draft.id if draft else None, comment=comment.strip(), department_id=letter.department_id
    )
    journal.append(letter, returned, actor=actor, actor_role=role, now=now)
    for executor in members(letter.akimat, Role.EXECUTOR, letter.department_id):
        notifications.queue_for_staff(
            "returned",
            executor,
            letter.akimat,
            letter=letter,
            build=lambda: notifications.returned_message(letter, comment.strip()),
        )
    db.session.commit()


def approve_draft(letter: Letter, actor: User, now: datetime | None = None, despite_warnings: bool = False) -> Answer:
    """Control approves the draft: it is sent to the resident at once, unless the answer rules
    (domain/quality.py, the same the draft passed) find a problem in its words. A rule that only
    warns gives way when control approves `despite_warnings`; a blocking one never does. The
    approver signs the answer, which gets its outgoing number (the letter on paper carries both)."""
    now = now or utcnow()
    role = require_role(actor, LetterAction.APPROVE_DRAFT, letter)
    require_state(actor, LetterAction.APPROVE_DRAFT, letter, now)
    draft = letter.draft
    assert draft is not None  # the rule of APPROVE_DRAFT
    findings = quality.review(quality.Wording.of(draft), letter, now)
    if any(f.blocks for f in findings) or (findings and not despite_warnings):
        raise QualityProblems([f.message for f in findings], only_warnings=not any(f.blocks for f in findings))
    draft.status, draft.sent_at, draft.controlled_by_id = AnswerStatus.SENT, now, actor.id
    draft.signed_by_id, draft.outgoing_number = actor.id, outgoing_number(letter, draft)
    ratings.record(draft.department_id, of=letter, sent=1)
    letter.status = LetterStatus.ANSWERED
    letter.answered_at = now
    letter.rating = letter.rating_comment = None  # a new answer waits for its own rating
    sent = events.AnswerSent(
        answer_id=draft.id, decision=draft.decision.value, signed_by=actor.full_name, signed_by_position=actor.position
    )
    journal.append(letter, sent, actor=actor, actor_role=role, now=now)
    notifications.queue_for_resident("answer_sent", letter)
    db.session.commit()
    return draft


def uphold_answer(letter: Letter, comment: str, actor: User, now: datetime | None = None) -> None:
    """Control finds a disputed answer right, and tells the resident why."""
    now = now or utcnow()
    role = require_role(actor, LetterAction.UPHOLD_ANSWER, letter)
    require_state(actor, LetterAction.UPHOLD_ANSWER, letter, now)
    if not comment.strip():
        raise LifecycleError(_l("Tell the resident why the answer stands."))
    letter.status = LetterStatus.ANSWERED
    journal.append(letter, events.Upheld(comment=comment.strip()), actor=actor, actor_role=role, now=now)
    notifications.queue_for_resident("upheld", letter, comment=comment.strip())
    db.session.commit()
