"""What may be done with a letter now, and by whom: the one answer the verbs and every page use.

Each action has a permission (domain/permissions.py: which roles, which department) and a rule of
state (below: which statuses and sub-states). A verb refuses with the rule's own message; a page
offers the action only when `allowed_actions` lists it. What the user types (a reason, a date, the
words of an answer) is checked by the verb alone, since no page can know it in advance.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import datetime

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ...models import Decision, ExtensionRequest, ExtensionStatus, Letter, LetterStatus, User
from .. import anonymous, deadlines
from ..calendar import calendar_for, local_day
from ..permissions import Action, can, is_member

NOT_ALLOWED = _l("You are not allowed to do this with this letter.")


class LetterAction(enum.StrEnum):
    """The verbs of domain/lifecycle, as a user sees them offered on a letter."""

    ASSIGN = "assign"  # route to a department, or move it to another with a reason
    FORWARD = "forward"  # to a competent body, or to another akimat of the installation
    INSTRUCT = "instruct"  # the akim's instruction (резолюция)
    # An anonymous letter: does it report a crime or a threat? (domain/anonymous.py)
    ASSESS_ANONYMOUS = "assess_anonymous"
    # Name the executor within the department: the registrar, or the department's head.
    ASSIGN_EXECUTOR = "assign_executor"
    REQUEST_EXTENSION = "request_extension"
    GRANT_EXTENSION = "grant_extension"
    REFUSE_EXTENSION = "refuse_extension"
    NOTIFY_HEARING = "notify_hearing"  # tell the resident of a preliminary refusal (APPK art. 73)
    SUBMIT_DRAFT = "submit_draft"
    APPROVE_DRAFT = "approve_draft"
    RETURN_DRAFT = "return_draft"  # a draft, or a disputed answer, back to the department
    UPHOLD_ANSWER = "uphold_answer"  # a disputed answer stands
    DISPATCH_ANSWER = "dispatch_answer"  # the answer on paper posted or handed over (dispatch.py)
    # The resident's, on the tracking page (no account: whoever holds the access code).
    STATE_POSITION = "state_position"
    RATE = "rate"
    DISPUTE = "dispute"


# The permission each staff action needs; the resident's need the access code instead (None).
PERMISSION: dict[LetterAction, Action | None] = {
    LetterAction.ASSIGN: Action.ASSIGN,
    LetterAction.FORWARD: Action.FORWARD,
    LetterAction.INSTRUCT: Action.INSTRUCT,
    LetterAction.ASSESS_ANONYMOUS: Action.ASSESS_ANONYMOUS,
    LetterAction.ASSIGN_EXECUTOR: Action.ASSIGN,  # ... or the head of the letter's department
    LetterAction.REQUEST_EXTENSION: Action.REQUEST_EXTENSION,
    LetterAction.GRANT_EXTENSION: Action.DECIDE_EXTENSION,
    LetterAction.REFUSE_EXTENSION: Action.DECIDE_EXTENSION,
    LetterAction.NOTIFY_HEARING: Action.ANSWER,
    LetterAction.SUBMIT_DRAFT: Action.ANSWER,
    LetterAction.APPROVE_DRAFT: Action.CONTROL,
    LetterAction.RETURN_DRAFT: Action.CONTROL,
    LetterAction.UPHOLD_ANSWER: Action.CONTROL,
    LetterAction.DISPATCH_ANSWER: Action.DISPATCH_ANSWER,
    LetterAction.STATE_POSITION: None,
    LetterAction.RATE: None,
    LetterAction.DISPUTE: None,
}
RESIDENT_ACTIONS = frozenset(action for action, permission in PERMISSION.items() if permission is None)
STAFF_ACTIONS = frozenset(PERMISSION) - RESIDENT_ACTIONS


def pending_extension(letter: Letter) -> ExtensionRequest | None:
    return db.session.scalar(
        select(ExtensionRequest).where(
            ExtensionRequest.letter_id == letter.id, ExtensionRequest.status == ExtensionStatus.PENDING
        )
    )


def deadline_problem(letter: Letter, new_deadline) -> str | None:
    """Why a letter's term cannot move to `new_deadline` (APPK art. 76), or None."""
    latest = deadlines.latest_extension(letter.original_deadline)
    if new_deadline <= letter.deadline:
        return _l("The new date must be after the current deadline.")
    if new_deadline > latest:
        return _l(
            "The law allows an extension by at most two months: the latest date is %(date)s.",
            date=format_date(latest, "long"),
        )
    if not calendar_for(letter.akimat_id).is_working_day(new_deadline):
        return _l("Choose a working day.")
    return None


def refusal_problem(letter: Letter, now: datetime) -> str | None:
    """Why a refusal cannot be sent yet (the right to be heard, APPK art. 73), or None."""
    if letter.hearing_until is None:
        return _l("Before a refusal, tell the resident of the preliminary decision: they have the right to be heard.")
    if local_day(letter.akimat, now) < letter.hearing_until:
        return _l(
            "The resident may state a position until %(date)s; the refusal can be sent from that day.",
            date=format_date(letter.hearing_until, "long"),
        )
    return None


def allowed_decisions(letter: Letter, now: datetime) -> frozenset[Decision]:
    """The decisions a draft may carry now: a refusal only once the resident could be heard."""
    return frozenset(d for d in Decision if d is not Decision.REFUSED or refusal_problem(letter, now) is None)


# The rules of state: each returns why the action cannot be taken now, or None when it can.
Rule = Callable[[Letter, datetime], "str | None"]


def _open(letter: Letter, now: datetime) -> str | None:
    return None if letter.status in LetterStatus.unresolved() else _l("This letter is no longer open.")


def _open_and_assessed(letter: Letter, now: datetime) -> str | None:
    """Routing and forwarding wait for the registrar's assessment of an anonymous letter."""
    if anonymous.needs_assessment(letter):
        return _l("An anonymous letter is assessed first: does it report a crime or a threat to public safety?")
    return _open(letter, now)


def _anonymous_unassessed(letter: Letter, now: datetime) -> str | None:
    if not anonymous.needs_assessment(letter):
        return _l("Only a registered anonymous letter that nobody has assessed yet can be assessed.")
    return None


def _open_with_department(letter: Letter, now: datetime) -> str | None:
    if letter.status not in LetterStatus.unresolved() or letter.department_id is None:
        return _l("Only an open letter that is with a department can be given to an executor.")
    return None


def _with_department_to_answer(letter: Letter, now: datetime) -> str | None:
    if letter.status is not LetterStatus.ASSIGNED:
        return _l("Only a letter that is with a department can be answered.")
    return None


def _hearing_not_yet_notified(letter: Letter, now: datetime) -> str | None:
    if letter.hearing_notified_on is not None:
        return _l("The resident has already been told of the preliminary decision.")
    return _with_department_to_answer(letter, now)


def _extension_can_be_asked(letter: Letter, now: datetime) -> str | None:
    # The legal term keeps running while the draft is in control, so more time may be asked then too.
    if letter.status not in (LetterStatus.ASSIGNED, LetterStatus.IN_CONTROL):
        return _l("Only a letter that is with a department can be extended.")
    if pending_extension(letter) is not None:
        return _l("A request for more time is already waiting for the akim.")
    latest = deadlines.latest_extension(letter.original_deadline)
    if calendar_for(letter.akimat_id).add_working_days(letter.deadline, 1) > latest:  # no working day is left
        return _l(
            "The law allows an extension by at most two months: the latest date is %(date)s.",
            date=format_date(latest, "long"),
        )
    return None


def _extension_pending(letter: Letter, now: datetime) -> str | None:
    return None if pending_extension(letter) is not None else _l("This request has already been decided.")


def _extension_can_be_granted(letter: Letter, now: datetime) -> str | None:
    pending = pending_extension(letter)
    if pending is None:
        return _l("This request has already been decided.")
    return _open(letter, now) or deadline_problem(letter, pending.requested_deadline)


def _draft_in_control(letter: Letter, now: datetime) -> str | None:
    if letter.status is not LetterStatus.IN_CONTROL or letter.draft is None:
        return _l("There is no draft waiting for control.")
    return refusal_problem(letter, now) if letter.draft.decision is Decision.REFUSED else None


def _draft_or_dispute(letter: Letter, now: datetime) -> str | None:
    if letter.status not in (LetterStatus.IN_CONTROL, LetterStatus.DISPUTED):
        return _l("There is no draft or disputed answer to return.")
    return None


def _disputed(letter: Letter, now: datetime) -> str | None:
    return None if letter.status is LetterStatus.DISPUTED else _l("Only a disputed answer can be upheld.")


def _hearing_open(letter: Letter, now: datetime) -> str | None:
    if letter.hearing_notified_on is None or letter.status is not LetterStatus.ASSIGNED:
        return _l("There is no preliminary decision to reply to.")
    return None


def _answer_not_rated(letter: Letter, now: datetime) -> str | None:
    if letter.status is not LetterStatus.ANSWERED or letter.sent_answer is None:
        return _l("Only an answered letter can be rated.")
    if letter.sent_answer.rating is not None:
        return _l("This answer has already been rated.")
    return None


def _answer_not_disputed(letter: Letter, now: datetime) -> str | None:
    if letter.status is not LetterStatus.ANSWERED or letter.sent_answer is None:
        return _l("Only an answered letter can be disputed.")
    if letter.sent_answer.disputed:
        return _l("This answer is already disputed.")
    return None


def needs_paper(letter: Letter) -> bool:
    """The answer goes out on paper too (decided at registration: lifecycle.register)."""
    return letter.paper_answer


def _paper_answer_to_send(letter: Letter, now: datetime) -> str | None:
    answer = letter.sent_answer
    if answer is None or not needs_paper(letter):
        return _l("There is no answer to send on paper.")
    if answer.dispatched_at is not None:
        return _l("The answer on paper has already been sent or handed over.")
    return None


RULES: dict[LetterAction, Rule] = {
    LetterAction.ASSIGN: _open_and_assessed,
    LetterAction.FORWARD: _open_and_assessed,
    LetterAction.INSTRUCT: _open,
    LetterAction.ASSESS_ANONYMOUS: _anonymous_unassessed,
    LetterAction.ASSIGN_EXECUTOR: _open_with_department,
    LetterAction.REQUEST_EXTENSION: _extension_can_be_asked,
    LetterAction.GRANT_EXTENSION: _extension_can_be_granted,
    LetterAction.REFUSE_EXTENSION: _extension_pending,
    LetterAction.NOTIFY_HEARING: _hearing_not_yet_notified,
    LetterAction.SUBMIT_DRAFT: _with_department_to_answer,
    LetterAction.APPROVE_DRAFT: _draft_in_control,
    LetterAction.RETURN_DRAFT: _draft_or_dispute,
    LetterAction.UPHOLD_ANSWER: _disputed,
    LetterAction.DISPATCH_ANSWER: _paper_answer_to_send,
    LetterAction.STATE_POSITION: _hearing_open,
    LetterAction.RATE: _answer_not_rated,
    LetterAction.DISPUTE: _answer_not_disputed,
}
assert set(RULES) == set(LetterAction), "every action has its rule"


def permitted(user: User | None, action: LetterAction, letter: Letter) -> bool:
    """The role's part alone: staff actions by the permission table, the resident's by the code."""
    permission = PERMISSION[action]
    if permission is None:
        return True  # whoever reached the tracking page holds the access code
    if action is LetterAction.ASSIGN_EXECUTOR and heads_department_of(user, letter):
        return True
    return can(user, permission, letter.akimat, letter)


def heads_department_of(user: User | None, letter: Letter) -> bool:
    """True when `user` is the active head (Department.head_id) of the department holding the letter,
    and still works in the akimat."""
    department = letter.department
    return bool(
        user is not None
        and user.is_authenticated
        and user.active
        and department is not None
        and department.head_id == user.id
        and is_member(user, letter.akimat)
    )


def why_not(user: User | None, action: LetterAction, letter: Letter, now: datetime) -> str | None:
    """None when `user` may take `action` on `letter` now; otherwise the reason, in words for them."""
    if not permitted(user, action, letter):
        return NOT_ALLOWED
    return RULES[action](letter, now)


def allowed_actions(user: User | None, letter: Letter, now: datetime) -> frozenset[LetterAction]:
    """Every staff action `user` may take on `letter` now (the page offers exactly these)."""
    return frozenset(a for a in STAFF_ACTIONS if permitted(user, a, letter) and RULES[a](letter, now) is None)


def resident_actions(letter: Letter, now: datetime) -> frozenset[LetterAction]:
    """What the resident holding the access code may do on the tracking page now."""
    return frozenset(a for a in RESIDENT_ACTIONS if RULES[a](letter, now) is None)
