"""Words shown for the domain's codes, translatable."""

from flask_babel import lazy_gettext as _l

from .domain.anonymous import needs_assessment
from .domain.deadlines import DEADLINE_STATE_LABELS  # noqa: F401  (templates: labels.DEADLINE_STATE_LABELS)
from .domain.events import PUBLIC_KINDS, EventKind
from .models import CheckResult, Decision, LetterChannel, LetterKind, LetterStatus, LineDays, Role

KIND_LABELS = {
    LetterKind.APPLICATION: _l("Application"),
    LetterKind.COMPLAINT: _l("Complaint"),
    LetterKind.PROPOSAL: _l("Proposal"),
    LetterKind.REQUEST: _l("Request"),
    LetterKind.RESPONSE: _l("Response"),
    LetterKind.MESSAGE: _l("Message"),
}

KIND_HINTS = {
    LetterKind.APPLICATION: _l("You ask for help to use your right or to get what the law gives you."),
    LetterKind.COMPLAINT: _l("You say that an official or a body broke your rights, and ask to put it right."),
    LetterKind.PROPOSAL: _l("You suggest how to make something better in the city or in the akimat's work."),
    LetterKind.REQUEST: _l("You ask the akimat to give you information."),
    LetterKind.RESPONSE: _l("You give your opinion on a draft decision the akimat published for discussion."),
    LetterKind.MESSAGE: _l("You tell the akimat of a problem or a violation, without asking for anything."),
}

STATUS_LABELS = {
    LetterStatus.REGISTERED: _l("Registered"),
    LetterStatus.ASSIGNED: _l("With the department"),
    LetterStatus.IN_CONTROL: _l("Answer with control"),
    LetterStatus.ANSWERED: _l("Answered"),
    LetterStatus.DISPUTED: _l("Disputed by the resident"),
    LetterStatus.FORWARDED: _l("Forwarded to the competent body"),
    LetterStatus.CLOSED: _l("Closed"),
    LetterStatus.NOT_CONSIDERED: _l("Anonymous: not considered"),
}

CHANNEL_LABELS = {
    LetterChannel.WEB: _l("This site"),
    LetterChannel.PAPER: _l("On paper, at the chancellery"),
    LetterChannel.POST: _l("By post"),
    LetterChannel.PHONE: _l("By phone"),
    LetterChannel.EMAIL: _l("By email"),
    LetterChannel.IN_PERSON: _l("In person (oral appeal, protocol)"),
    LetterChannel.E_OTINISH: _l("From e-Otinish"),
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

EVENT_LABELS: dict[str, object] = {
    EventKind.SUBMITTED: _l("Letter submitted"),
    EventKind.REGISTERED: _l("Registered"),
    EventKind.ASSIGNED: _l("Sent to the department"),
    EventKind.TRANSFERRED: _l("Moved to another department"),
    EventKind.FORWARDED: _l("Forwarded to the competent body"),
    EventKind.EXTENSION_REQUESTED: _l("More time requested"),
    EventKind.EXTENDED: _l("Term extended"),
    EventKind.EXTENSION_REFUSED: _l("Extension refused"),
    EventKind.HEARING_NOTICE: _l("Resident told of a preliminary refusal"),
    EventKind.POSITION_STATED: _l("Resident stated their position"),
    EventKind.INSTRUCTION: _l("Instruction of the akim"),
    EventKind.EXECUTOR_ASSIGNED: _l("Executor named"),
    EventKind.REMINDER_DUE_SOON: _l("Reminder: the deadline is near"),
    EventKind.REMINDER_OVERDUE: _l("Reminder: the deadline has passed"),
    EventKind.DRAFT_SUBMITTED: _l("Draft answer sent to control"),
    EventKind.RETURNED: _l("Returned for rework"),
    EventKind.ANSWER_SENT: _l("Answer sent"),
    EventKind.RATED: _l("Answer rated"),
    EventKind.DISPUTED: _l("Answer disputed by the resident"),
    EventKind.UPHELD: _l("Control upheld the answer"),
    EventKind.CLOSED: _l("Closed"),
    EventKind.TRANSFERRED_OUT: _l("Transferred to another akimat"),
    EventKind.TRANSFERRED_IN: _l("Received from another akimat"),
    EventKind.CODE_REISSUED: _l("A new access code was issued"),
    EventKind.ANONYMOUS_ASSESSED: _l("Anonymous letter assessed"),
    EventKind.ANSWER_DISPATCHED: _l("Answer on paper sent or handed over"),
}

ACTOR_LABELS = {
    "resident": _l("Resident"),
    "system": _l("System"),
    **{role.value: label for role, label in ROLE_LABELS.items()},
}

LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
LANGUAGE_LABELS = {"kk": _l("Kazakh"), "ru": _l("Russian"), "en": _l("English")}

# Events a resident sees on the tracking page; internal notes and routing details stay inside.
PUBLIC_EVENTS = PUBLIC_KINDS

# What the resident is told of their letter's state, on the tracking page, by email and by SMS.
RESIDENT_STATUS = {
    LetterStatus.REGISTERED: _l("Registered, waiting to be sent to a department"),
    LetterStatus.ASSIGNED: _l("Being considered by the department"),
    LetterStatus.IN_CONTROL: _l("Being considered by the department"),  # drafts are internal
    LetterStatus.ANSWERED: _l("Answered"),
    LetterStatus.DISPUTED: _l("Your dispute is being considered"),
    LetterStatus.FORWARDED: _l("Forwarded to the competent body"),
    LetterStatus.CLOSED: _l("Answered and closed"),
    LetterStatus.NOT_CONSIDERED: _l(
        "Registered and shown to the akim. Not considered: it has no name and reports no crime or threat"
    ),
}


def translated(mapping: dict) -> dict:
    """The labels of a mapping in the current language, looked up once (for a table's rows)."""
    return {key: str(label) for key, label in mapping.items()}


AWAITING_ASSESSMENT = _l("Registered and shown to the akim; being checked for a report of a crime or a threat")


def resident_status(letter) -> str:
    """The one source of the status a resident sees, wherever they see it."""
    if needs_assessment(letter):  # not waiting for a department, as a signed letter would be
        return str(AWAITING_ASSESSMENT)
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
