"""Words shown for the domain's codes, translatable."""

from flask_babel import lazy_gettext as _l

from .domain.deadlines import DEADLINE_STATE_LABELS  # noqa: F401  (templates: labels.DEADLINE_STATE_LABELS)
from .models import CheckResult, Decision, LetterKind, LetterStatus, LineDays, Role

KIND_LABELS = {
    LetterKind.APPLICATION: _l("Application"),
    LetterKind.COMPLAINT: _l("Complaint"),
    LetterKind.PROPOSAL: _l("Proposal"),
    LetterKind.REQUEST: _l("Request"),
    LetterKind.RESPONSE: _l("Response"),
}

KIND_HINTS = {
    LetterKind.APPLICATION: _l("You ask for help to exercise a right or to get a service."),
    LetterKind.COMPLAINT: _l("You say that an official or body violated your rights."),
    LetterKind.PROPOSAL: _l("You suggest how to improve something in the city."),
    LetterKind.REQUEST: _l("You ask for information."),
    LetterKind.RESPONSE: _l("You give your opinion on a decision or a draft."),
}

STATUS_LABELS = {
    LetterStatus.REGISTERED: _l("Registered"),
    LetterStatus.ASSIGNED: _l("With the department"),
    LetterStatus.IN_CONTROL: _l("Answer with control"),
    LetterStatus.ANSWERED: _l("Answered"),
    LetterStatus.DISPUTED: _l("Disputed by the resident"),
    LetterStatus.FORWARDED: _l("Forwarded to the competent body"),
    LetterStatus.CLOSED: _l("Closed"),
}

DECISION_LABELS = {
    Decision.SATISFIED: _l("Satisfied"),
    Decision.PARTLY_SATISFIED: _l("Partly satisfied"),
    Decision.EXPLAINED: _l("Explained"),
    Decision.REFUSED: _l("Refused"),
    Decision.WITHOUT_CONSIDERATION: _l("Left without consideration"),
}

ROLE_LABELS = {
    Role.REGISTRAR: _l("Registrar"),
    Role.EXECUTOR: _l("Executor"),
    Role.CONTROLLER: _l("Controller"),
    Role.AKIM: _l("Akim or deputy akim"),
    Role.ADMIN: _l("Administrator"),
}

EVENT_LABELS = {
    "submitted": _l("Letter submitted"),
    "registered": _l("Registered"),
    "assigned": _l("Sent to the department"),
    "transferred": _l("Moved to another department"),
    "forwarded": _l("Forwarded to the competent body"),
    "extension_requested": _l("More time requested"),
    "extended": _l("Term extended"),
    "extension_refused": _l("Extension refused"),
    "hearing_notice": _l("Resident told of a preliminary refusal"),
    "position_stated": _l("Resident stated their position"),
    "instruction": _l("Instruction of the akim"),
    "reminder_due_soon": _l("Reminder: the deadline is near"),
    "reminder_overdue": _l("Reminder: the deadline has passed"),
    "draft_submitted": _l("Draft answer sent to control"),
    "returned": _l("Returned for rework"),
    "answer_sent": _l("Answer sent"),
    "rated": _l("Answer rated"),
    "disputed": _l("Answer disputed by the resident"),
    "upheld": _l("Control upheld the answer"),
    "closed": _l("Closed"),
    "transferred_out": _l("Transferred to another akimat"),
    "transferred_in": _l("Received from another akimat"),
}

ACTOR_LABELS = {
    "resident": _l("Resident"),
    "system": _l("System"),
    **{role.value: label for role, label in ROLE_LABELS.items()},
}

LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
LANGUAGE_LABELS = {"kk": _l("Kazakh"), "ru": _l("Russian"), "en": _l("English")}

# Events a resident sees on the tracking page; internal notes and routing details stay inside.
PUBLIC_EVENTS = (
    "submitted",
    "registered",
    "assigned",
    "transferred",
    "forwarded",
    "extended",
    "hearing_notice",
    "position_stated",
    "answer_sent",
    "rated",
    "disputed",
    "upheld",
    "closed",
    "transferred_out",
    "transferred_in",
)

# What the resident is told of their letter's state, on the tracking page, by email and by SMS.
RESIDENT_STATUS = {
    LetterStatus.REGISTERED: _l("Registered, waiting to be sent to a department"),
    LetterStatus.ASSIGNED: _l("Being considered by the department"),
    LetterStatus.IN_CONTROL: _l("Being considered by the department"),  # drafts are internal
    LetterStatus.ANSWERED: _l("Answered"),
    LetterStatus.DISPUTED: _l("Your dispute is being considered"),
    LetterStatus.FORWARDED: _l("Forwarded to the competent body"),
    LetterStatus.CLOSED: _l("Answered and closed"),
}


def translated(mapping: dict) -> dict:
    """The labels of a mapping in the current language, looked up once (for a table's rows)."""
    return {key: str(label) for key, label in mapping.items()}


def resident_status(letter) -> str:
    """The one source of the status a resident sees, wherever they see it."""
    return str(RESIDENT_STATUS[letter.status])


KIND_HINTS_BY_VALUE = {kind.value: hint for kind, hint in KIND_HINTS.items()}

# The phone directory (domain/phones.py).
CHECK_RESULT_LABELS = {
    CheckResult.ANSWERED: _l("Answered the call"),
    CheckResult.NO_ANSWER: _l("No answer"),
    CheckResult.BUSY: _l("Busy"),
    CheckResult.WRONG_NUMBER: _l("Wrong or disconnected number"),
    CheckResult.VOICEMAIL: _l("Voicemail"),
}

LINE_DAYS_LABELS = {
    LineDays.WORKING: _l("Working days"),
    LineDays.DAILY: _l("Every day"),
}
