"""Words shown for the domain's codes, translatable."""
from flask_babel import lazy_gettext as _l

from ..models import Decision, LetterKind, LetterStatus, Role

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
    LetterStatus.ANSWERED: _l("Answered"),
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
    Role.AKIM: _l("Akim"),
    Role.ADMIN: _l("Administrator"),
}

EVENT_LABELS = {
    "submitted": _l("Letter submitted"),
    "registered": _l("Registered"),
    "assigned": _l("Sent to the department"),
    "transferred": _l("Moved to another department"),
    "answer_sent": _l("Answer sent"),
    "rated": _l("Answer rated"),
}

ACTOR_LABELS = {
    "resident": _l("Resident"),
    "system": _l("System"),
    **{role.value: label for role, label in ROLE_LABELS.items()},
}

LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
LANGUAGE_LABELS = {"kk": _l("Kazakh"), "ru": _l("Russian"), "en": _l("English")}

# Events a resident sees on the tracking page; internal notes and routing details stay inside.
PUBLIC_EVENTS = ("submitted", "registered", "assigned", "transferred", "answer_sent", "rated")

KIND_HINTS_BY_VALUE = {kind.value: hint for kind, hint in KIND_HINTS.items()}
