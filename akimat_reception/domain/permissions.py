"""Who may do what: the one table of roles and actions, checked on the server."""

import enum

from ..models import Akimat, Letter, Role, User


class Action(enum.StrEnum):
    VIEW_INBOX = "view_inbox"
    VIEW_LETTER = "view_letter"
    ASSIGN = "assign"  # route to a department, or move it to another with a reason
    FORWARD = "forward"  # send on to the competent body, outside the akimat
    # Does an anonymous letter report a crime or a threat to public safety? (domain/anonymous.py)
    ASSESS_ANONYMOUS = "assess_anonymous"
    ANSWER = "answer"  # including the notice of a preliminary refusal (APPK art. 73)
    REQUEST_EXTENSION = "request_extension"
    DECIDE_EXTENSION = "decide_extension"  # the akim or a deputy (APPK art. 76)
    INSTRUCT = "instruct"  # the akim's instruction (резолюция) on a letter
    CONTROL = "control"  # approve a draft answer, return it for rework, uphold a disputed one
    DISPATCH_ANSWER = "dispatch_answer"  # print the answer on paper and record its posting or handing over
    MANAGE_TEMPLATES = "manage_templates"  # a department's canned paragraphs
    VIEW_DASHBOARD = "view_dashboard"
    VIEW_OVERSIGHT = "view_oversight"  # journal verification and the personal-data access log
    MANAGE_CALENDAR = "manage_calendar"
    VERIFY_PHONES = "verify_phones"  # call the directory's lines and record the result
    MANAGE_PHONES = "manage_phones"  # add, edit, retire, import and export the directory's lines
    MANAGE_STRUCTURE = "manage_structure"  # departments, categories, the structure's import and export
    MANAGE_STAFF = "manage_staff"  # invite, give and take roles, deactivate, reset a second factor
    # A higher akimat's view of the akimats under it: their figures, never residents' personal data.
    VIEW_SUBORDINATES = "view_subordinates"
    # The chancellery's: enter a letter that came on paper, by post, phone, email, in person or from
    # e-Otinish (APPK art. 63-64), and hand a new access code to a resident whose ID card it checked.
    REGISTER_LETTER = "register_letter"
    REISSUE_CODE = "reissue_code"


MATRIX: dict[Role, frozenset[Action]] = {
    Role.REGISTRAR: frozenset(
        {
            Action.VIEW_INBOX,
            Action.VIEW_LETTER,
            Action.ASSIGN,
            Action.FORWARD,
            Action.ASSESS_ANONYMOUS,
            Action.VERIFY_PHONES,
            Action.DISPATCH_ANSWER,
            Action.REGISTER_LETTER,
            Action.REISSUE_CODE,
        }
    ),
    Role.EXECUTOR: frozenset(
        {
            Action.VIEW_INBOX,
            Action.VIEW_LETTER,
            Action.ANSWER,
            Action.REQUEST_EXTENSION,
            Action.MANAGE_TEMPLATES,
            Action.DISPATCH_ANSWER,
        }
    ),
    Role.CONTROLLER: frozenset({Action.VIEW_INBOX, Action.VIEW_LETTER, Action.CONTROL, Action.VERIFY_PHONES}),
    Role.AKIM: frozenset(
        {
            Action.VIEW_INBOX,
            Action.VIEW_LETTER,
            Action.VIEW_DASHBOARD,
            Action.DECIDE_EXTENSION,
            Action.INSTRUCT,
            Action.VIEW_OVERSIGHT,
            Action.VIEW_SUBORDINATES,
        }
    ),
    # Administrators manage the akimat; they do not read residents' letters.
    Role.ADMIN: frozenset(
        {
            Action.VIEW_OVERSIGHT,
            Action.MANAGE_CALENDAR,
            Action.VERIFY_PHONES,
            Action.MANAGE_PHONES,
            Action.MANAGE_STRUCTURE,
            Action.MANAGE_STAFF,
            Action.VIEW_SUBORDINATES,
        }
    ),
}

# Roles whose reach is one department, not the whole akimat.
DEPARTMENT_SCOPED = frozenset({Role.EXECUTOR})


def is_member(user: User | None, akimat: Akimat) -> bool:
    return bool(user is not None and user.is_authenticated and user.roles_in(akimat))


def can(user: User | None, action: Action, akimat: Akimat, letter: Letter | None = None) -> bool:
    if user is None or not is_member(user, akimat):
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
        Action.VIEW_INBOX in MATRIX[m.role] and m.role not in DEPARTMENT_SCOPED for m in user.memberships_in(akimat)
    )
