"""The term (APPK art. 76): more time asked by the department and decided by the akim or a deputy,
and the reminders as the deadline nears and passes."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ...models import Akimat, ExtensionRequest, ExtensionStatus, Letter, LetterStatus, Role, User
from ...models._common import utcnow
from .. import deadlines, events, journal, notifications
from ..calendar import calendar_for, local_day
from ..deadlines import DeadlineState, deadline_state
from ._base import LifecycleError, lock, members, require_role, require_state
from .allowed import LetterAction, deadline_problem


def request_extension(
    letter: Letter, new_deadline: date, reason: str, actor: User, now: datetime | None = None
) -> ExtensionRequest:
    """The department asks the akim for more time, saying why (also while its draft is in control:
    the legal term keeps running)."""
    now = now or utcnow()
    role = require_role(actor, LetterAction.REQUEST_EXTENSION, letter)
    require_state(actor, LetterAction.REQUEST_EXTENSION, letter, now)
    problem = deadline_problem(letter, new_deadline)
    if problem is not None:
        raise LifecycleError(problem)
    if not reason.strip():
        raise LifecycleError(_l("Say why more time is needed."))
    request = ExtensionRequest(
        letter_id=letter.id,
        requested_by_id=actor.id,
        requested_deadline=new_deadline,
        reason=reason.strip(),
        requested_at=now,
    )
    db.session.add(request)
    asked = events.ExtensionRequested(deadline=new_deadline, reason=reason.strip())
    journal.append(letter, asked, actor=actor, actor_role=role, now=now)
    for akim in members(letter.akimat, Role.AKIM):
        notifications.queue_for_staff(
            "extension_requested",
            akim,
            letter.akimat,
            letter=letter,
            build=lambda: notifications.extension_request_message(letter, new_deadline, reason),
        )
    db.session.commit()
    return request


def decide_extension(
    request: ExtensionRequest, approve: bool, reason: str, actor: User, now: datetime | None = None
) -> None:
    """The akim or a deputy grants or refuses more time by a reasoned decision; if granted, the
    resident is told the new date and the reason at once (the law allows 3 working days)."""
    now = now or utcnow()
    letter = request.letter
    action = LetterAction.GRANT_EXTENSION if approve else LetterAction.REFUSE_EXTENSION
    role = require_role(actor, action, letter)
    if request.status is not ExtensionStatus.PENDING:
        raise LifecycleError(_l("This request has already been decided."))
    if not reason.strip():
        raise LifecycleError(_l("A decision on the term must give its reasons."))
    require_state(actor, action, letter, now)
    request.decided_by_id, request.decided_at, request.decision_reason = actor.id, now, reason.strip()
    if not approve:
        request.status = ExtensionStatus.REJECTED
        journal.append(letter, events.ExtensionRefused(reason=reason.strip()), actor=actor, actor_role=role, now=now)
        db.session.commit()
        return
    request.status = ExtensionStatus.APPROVED
    previous = letter.deadline
    letter.deadline = request.requested_deadline
    letter.reminded = None
    extended = events.Extended(deadline=letter.deadline, previous_deadline=previous, reason=reason.strip())
    journal.append(letter, extended, actor=actor, actor_role=role, now=now)
    notifications.queue_for_resident("extended", letter, reason=reason.strip())
    db.session.commit()


def remind_deadlines(akimat: Akimat, now: datetime | None = None) -> int:
    """Queues one reminder per letter when it becomes due soon and one when it becomes overdue,
    to the department's executors (or the registrars while unrouted). Returns how many letters."""
    now = now or utcnow()
    today = local_day(akimat, now)
    calendar = calendar_for(akimat.id)
    horizon = deadlines.due_soon_horizon(today, calendar)
    letters = db.session.scalars(
        select(Letter)
        .where(
            Letter.akimat_id == akimat.id,
            Letter.status.in_(LetterStatus.unresolved()),
            Letter.deadline <= horizon,
        )
        .order_by(Letter.id)
    ).all()
    reminded = 0
    for letter in letters:
        state = deadline_state(letter.deadline, today, calendar)
        if state is DeadlineState.ON_TIME or letter.reminded == state.value:
            continue
        lock(letter)
        letter.reminded = state.value
        reminder = events.REMINDERS[state.value](deadline=letter.deadline)
        journal.append(letter, reminder, actor=None, actor_role="system", now=now)
        recipients = (
            members(akimat, Role.EXECUTOR, letter.department_id)
            if letter.department_id
            else members(akimat, Role.REGISTRAR)
        )
        for user in recipients:
            notifications.queue_for_staff(
                f"reminder_{state.value}",
                user,
                akimat,
                letter=letter,
                build=lambda letter=letter, state=state: notifications.reminder_message(letter, state.value),
            )
        db.session.commit()
        reminded += 1
    return reminded
