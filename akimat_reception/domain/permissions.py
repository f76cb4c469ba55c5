"""Who may do what: the one table of roles and actions, checked on the server."""
import enum
from typing import Optional

from ..models import Akimat, Letter, Role, User


class Action(str, enum.Enum):
    VIEW_INBOX = "view_inbox"
    VIEW_LETTER = "view_letter"
    ASSIGN = "assign"
    ANSWER = "answer"
    VIEW_DASHBOARD = "view_dashboard"


MATRIX: dict[Role, frozenset[Action]] = {
    Role.REGISTRAR: frozenset({Action.VIEW_INBOX, Action.VIEW_LETTER, Action.ASSIGN}),
    Role.EXECUTOR: frozenset({Action.VIEW_INBOX, Action.VIEW_LETTER, Action.ANSWER}),
    Role.CONTROLLER: frozenset({Action.VIEW_INBOX, Action.VIEW_LETTER}),
    Role.AKIM: frozenset({Action.VIEW_INBOX, Action.VIEW_LETTER, Action.VIEW_DASHBOARD}),
    # Administrators manage the akimat; they do not read residents' letters.
    Role.ADMIN: frozenset(),
}

# Roles whose reach is one department, not the whole akimat.
DEPARTMENT_SCOPED = frozenset({Role.EXECUTOR})


def is_member(user: Optional[User], akimat: Akimat) -> bool:
    return bool(user is not None and user.is_authenticated and user.roles_in(akimat))


def can(user: Optional[User], action: Action, akimat: Akimat, letter: Optional[Letter] = None) -> bool:
    if not is_member(user, akimat):
        return False
    if letter is not None and letter.akimat_id != akimat.id:
        return False
    for membership in user.memberships_in(akimat):
        if action not in MATRIX[membership.role]:
            continue
        if letter is None or membership.role not in DEPARTMENT_SCOPED:
            return True
        if letter.department_id is not None and letter.department_id == membership.department_id:
            return True
    return False


def sees_whole_akimat(user: User, akimat: Akimat) -> bool:
    """True when the inbox shows every letter; otherwise only the user's departments'."""
    return any(
        Action.VIEW_INBOX in MATRIX[m.role] and m.role not in DEPARTMENT_SCOPED
        for m in user.memberships_in(akimat)
    )
