"""What every verb shares: its errors, the check of who may and in which state, the row lock."""

from datetime import datetime

from sqlalchemy import select

from ...extensions import db
from ...models import Akimat, Letter, Membership, Role, User
from ..permissions import MATRIX
from .allowed import NOT_ALLOWED, PERMISSION, LetterAction, permitted, why_not


class LifecycleError(Exception):
    """A change the rules do not allow; `message` is shown to the user. `about`: the piece of
    input the rule is about (e.g. "reason"), so that a form shows the message by that field."""

    def __init__(self, message, about: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.about = about


class NotAllowed(LifecycleError):
    pass


class QualityProblems(LifecycleError):
    """`only_warnings`: every problem is a rule that warns, so control may approve despite them."""

    def __init__(self, problems, only_warnings: bool = False):
        super().__init__(problems[0])
        self.problems = problems
        self.only_warnings = only_warnings


def lock(letter: Letter) -> None:
    """Re-reads the letter under a row lock (PostgreSQL), so two people acting at once are ordered."""
    db.session.refresh(letter, with_for_update=True)


def require_role(user: User, action: LetterAction, letter: Letter) -> str:
    """Checks the permission, locks the letter, and returns the role the user acts in (for the journal)."""
    if not permitted(user, action, letter):
        raise NotAllowed(NOT_ALLOWED)
    permission = PERMISSION[action]
    roles = [m.role.value for m in user.memberships_in(letter.akimat)]
    # A department's head may act by being its head, whatever the role: the journal names the first.
    role = next((m.role.value for m in user.memberships_in(letter.akimat) if permission in MATRIX[m.role]), roles[0])
    lock(letter)
    return role


def require_state(user: User | None, action: LetterAction, letter: Letter, now: datetime) -> None:
    """Refuses with the rule's own words when the letter's state does not allow the action now."""
    problem = why_not(user, action, letter, now)
    if problem is not None:
        raise NotAllowed(problem) if problem is NOT_ALLOWED else LifecycleError(problem)


def members(akimat: Akimat, role: Role, department_id: int | None = None) -> list[User]:
    """The active staff of a role (of one department), to notify."""
    stmt = (
        select(User)
        .join(Membership)
        .where(Membership.akimat_id == akimat.id, Membership.role == role, User.active.is_(True))
    )
    if department_id is not None:
        stmt = stmt.where(Membership.department_id == department_id)
    return list(db.session.scalars(stmt.distinct()))
