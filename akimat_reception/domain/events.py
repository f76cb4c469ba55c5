"""The kinds of event in a letter's journal, and one payload builder for each.

Every writer of the journal — the lifecycle's verbs, the bulk demo generator — builds an event's
payload through the dataclass of its kind, and the journal's replay reads the payload back through
the same class. The rule "what does this event do to the letter" is `apply`, written once, here.

A payload is what the event seals (domain/journal.py hashes it); its keys are the dataclass's field
names, so renaming a field changes the sealed content of new events: don't, add a field instead.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from ..models.letters import LetterStatus


class EventKind(enum.StrEnum):
    """Every step in a letter's life, in the order the procedure runs."""

    SUBMITTED = "submitted"
    REGISTERED = "registered"
    ASSIGNED = "assigned"  # routed to a department
    TRANSFERRED = "transferred"  # moved to another department of the same akimat
    FORWARDED = "forwarded"  # sent on to a competent body outside the installation's akimats
    TRANSFERRED_OUT = "transferred_out"  # sent to another akimat of the installation
    TRANSFERRED_IN = "transferred_in"  # received from another akimat
    INSTRUCTION = "instruction"  # the akim's instruction (резолюция)
    EXECUTOR_ASSIGNED = "executor_assigned"  # a named executor within the department, or none again
    EXTENSION_REQUESTED = "extension_requested"
    EXTENDED = "extended"
    EXTENSION_REFUSED = "extension_refused"
    HEARING_NOTICE = "hearing_notice"  # the resident told of a preliminary refusal (APPK art. 73)
    POSITION_STATED = "position_stated"  # the resident's reply to it
    DRAFT_SUBMITTED = "draft_submitted"
    RETURNED = "returned"  # by control, for rework
    ANSWER_SENT = "answer_sent"
    RATED = "rated"
    DISPUTED = "disputed"  # by the resident: the letter is reopened to control
    UPHELD = "upheld"  # control found the disputed answer right
    CLOSED = "closed"
    REMINDER_DUE_SOON = "reminder_due_soon"
    REMINDER_OVERDUE = "reminder_overdue"
    CODE_REISSUED = "code_reissued"  # a lost access code replaced: the old one no longer opens the letter
    ANONYMOUS_ASSESSED = "anonymous_assessed"  # the registrar's finding on an anonymous letter
    ANSWER_DISPATCHED = "answer_dispatched"  # the answer on paper posted or handed over


@dataclass
class Replayed:
    """What the letter row must say, according to its journal."""

    status: LetterStatus | None = None
    department_id: int | None = None
    deadline: date | None = None
    rating: int | None = None
    transfer_count: int = 0
    executor_id: int | None = None


def _iso(value: date | str | None) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


_NAMES: dict[type, tuple[str, ...]] = {}  # each builder's field names, read once


def _names(cls: type) -> tuple[str, ...]:
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


@dataclass(frozen=True)
class Payload:
    """The sealed content of one event. Subclasses name their kind and how they change the letter."""

    KIND: ClassVar[EventKind]
    PUBLIC: ClassVar[bool] = False  # shown to the resident on the tracking page
    DATES: ClassVar[tuple[str, ...]] = ()  # fields kept as ISO dates in the payload

    def to_payload(self) -> dict[str, Any]:
        # What dataclasses.asdict gives for these flat fields, a tenth of its cost (it deep-copies
        # every value): the bulk demo seals millions of payloads. Lists are copied all the same.
        data = {name: getattr(self, name) for name in _names(type(self))}
        for name, value in data.items():
            if isinstance(value, list):
                data[name] = list(value)
        for name in self.DATES:
            data[name] = _iso(data[name])
        return data

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Payload:
        """The builder back from a stored payload; a key it lacks reads as None, as older events may."""
        values = {f.name: payload.get(f.name) for f in dataclasses.fields(cls)}
        for name in cls.DATES:
            stored = values[name]
            if isinstance(stored, str):
                values[name] = date.fromisoformat(stored)
        return cls(**values)

    def apply(self, state: Replayed) -> None:
        """How this event changes the letter; most events change nothing the row keeps."""


@dataclass(frozen=True)
class Submitted(Payload):
    KIND = EventKind.SUBMITTED
    PUBLIC = True
    kind: str
    subject: str
    repeat_of: str | None = None  # the number of the same person's earlier letter on the subject
    files: list[str] = field(default_factory=list)  # SHA-256 of each attached file as stored
    original_files: list[str] = field(default_factory=list)  # ... and as the resident sent it
    channel: str = "web"  # models.LetterChannel
    sender_reference: str | None = None  # the sender's outgoing or e-Otinish number
    anonymous: bool = False


@dataclass(frozen=True)
class Registered(Payload):
    KIND = EventKind.REGISTERED
    PUBLIC = True
    DATES = ("deadline", "forward_by")
    number: str
    deadline: date
    forward_by: date

    def apply(self, state: Replayed) -> None:
        state.status, state.deadline = LetterStatus.REGISTERED, self.deadline


@dataclass(frozen=True)
class Assigned(Payload):
    KIND = EventKind.ASSIGNED
    PUBLIC = True
    department_id: int
    department: str  # the department's name when it happened

    def apply(self, state: Replayed) -> None:
        state.status, state.department_id = LetterStatus.ASSIGNED, self.department_id
        state.executor_id = None


@dataclass(frozen=True)
class Transferred(Payload):
    KIND = EventKind.TRANSFERRED
    PUBLIC = True
    department_id: int
    department: str
    from_department_id: int
    reason: str

    def apply(self, state: Replayed) -> None:
        state.status, state.department_id = LetterStatus.ASSIGNED, self.department_id
        state.transfer_count += 1
        state.executor_id = None  # the new department names its own executor


@dataclass(frozen=True)
class Forwarded(Payload):
    KIND = EventKind.FORWARDED
    PUBLIC = True
    to: str
    reason: str
    on_time: bool  # within the 3 working days of APPK art. 76

    def apply(self, state: Replayed) -> None:
        state.status = LetterStatus.FORWARDED


@dataclass(frozen=True)
class TransferredOut(Payload):
    KIND = EventKind.TRANSFERRED_OUT
    PUBLIC = True
    to_akimat: str
    to_number: str
    reason: str
    on_time: bool

    def apply(self, state: Replayed) -> None:
        state.status = LetterStatus.FORWARDED


@dataclass(frozen=True)
class TransferredIn(Payload):
    KIND = EventKind.TRANSFERRED_IN
    PUBLIC = True
    from_akimat: str
    from_number: str
    reason: str


@dataclass(frozen=True)
class Instruction(Payload):
    KIND = EventKind.INSTRUCTION
    text: str


@dataclass(frozen=True)
class ExecutorAssigned(Payload):
    """The department's letter given to a named executor (`executor_id`), or back to the department
    as a whole (None: the executor was deactivated and the department has no other head)."""

    KIND = EventKind.EXECUTOR_ASSIGNED
    executor_id: int | None
    executor: str  # the executor's name when it happened, "" for none
    reason: str = ""

    def apply(self, state: Replayed) -> None:
        state.executor_id = self.executor_id


@dataclass(frozen=True)
class ExtensionRequested(Payload):
    KIND = EventKind.EXTENSION_REQUESTED
    DATES = ("deadline",)
    deadline: date
    reason: str


@dataclass(frozen=True)
class Extended(Payload):
    KIND = EventKind.EXTENDED
    PUBLIC = True
    DATES = ("deadline", "previous_deadline")
    deadline: date
    previous_deadline: date
    reason: str

    def apply(self, state: Replayed) -> None:
        state.deadline = self.deadline


@dataclass(frozen=True)
class ExtensionRefused(Payload):
    KIND = EventKind.EXTENSION_REFUSED
    reason: str


@dataclass(frozen=True)
class HearingNotice(Payload):
    KIND = EventKind.HEARING_NOTICE
    PUBLIC = True
    DATES = ("until",)
    grounds: str
    until: date  # the first day the refusal may be sent


@dataclass(frozen=True)
class PositionStated(Payload):
    KIND = EventKind.POSITION_STATED
    PUBLIC = True
    text: str


@dataclass(frozen=True)
class DraftSubmitted(Payload):
    KIND = EventKind.DRAFT_SUBMITTED
    answer_id: int
    decision: str

    def apply(self, state: Replayed) -> None:
        state.status = LetterStatus.IN_CONTROL


@dataclass(frozen=True)
class Returned(Payload):
    KIND = EventKind.RETURNED
    answer_id: int | None  # None: a disputed answer returned, no draft behind it
    comment: str
    department_id: int | None

    def apply(self, state: Replayed) -> None:
        state.status = LetterStatus.ASSIGNED


@dataclass(frozen=True)
class AnswerSent(Payload):
    KIND = EventKind.ANSWER_SENT
    PUBLIC = True
    answer_id: int
    decision: str
    # Who signed it, as they were named then: a later change of position does not rewrite the answer.
    signed_by: str | None = None
    signed_by_position: str | None = None

    def apply(self, state: Replayed) -> None:
        state.status, state.rating = LetterStatus.ANSWERED, None  # a new answer waits for its own rating


@dataclass(frozen=True)
class Rated(Payload):
    KIND = EventKind.RATED
    PUBLIC = True
    rating: int
    comment: str | None

    def apply(self, state: Replayed) -> None:
        state.rating = self.rating


@dataclass(frozen=True)
class Disputed(Payload):
    KIND = EventKind.DISPUTED
    PUBLIC = True
    answer_id: int
    text: str

    def apply(self, state: Replayed) -> None:
        state.status = LetterStatus.DISPUTED


@dataclass(frozen=True)
class Upheld(Payload):
    KIND = EventKind.UPHELD
    PUBLIC = True
    comment: str

    def apply(self, state: Replayed) -> None:
        state.status = LetterStatus.ANSWERED


@dataclass(frozen=True)
class Closed(Payload):
    KIND = EventKind.CLOSED
    PUBLIC = True
    rated: bool

    def apply(self, state: Replayed) -> None:
        state.status = LetterStatus.CLOSED


@dataclass(frozen=True)
class ReminderDueSoon(Payload):
    KIND = EventKind.REMINDER_DUE_SOON
    DATES = ("deadline",)
    deadline: date


@dataclass(frozen=True)
class ReminderOverdue(Payload):
    KIND = EventKind.REMINDER_OVERDUE
    DATES = ("deadline",)
    deadline: date


@dataclass(frozen=True)
class CodeReissued(Payload):
    KIND = EventKind.CODE_REISSUED
    PUBLIC = True
    via: str  # "contact" (sent to the letter's email or phone) or "chancellery" (in person, ID checked)
    generation: int


@dataclass(frozen=True)
class AnonymousAssessed(Payload):
    """Does the anonymous letter report a crime or a threat to public safety? If not, it is not
    considered; if so, it is forwarded the same working day (a Forwarded event follows)."""

    KIND = EventKind.ANONYMOUS_ASSESSED
    PUBLIC = True
    reports_crime: bool
    note: str

    def apply(self, state: Replayed) -> None:
        if not self.reports_crime:
            state.status = LetterStatus.NOT_CONSIDERED


@dataclass(frozen=True)
class AnswerDispatched(Payload):
    KIND = EventKind.ANSWER_DISPATCHED
    PUBLIC = True
    answer_id: int
    method: str  # "post" or "handed"
    outgoing_number: str | None


BUILDERS: dict[EventKind, type[Payload]] = {cls.KIND: cls for cls in Payload.__subclasses__()}
assert set(BUILDERS) == set(EventKind), "every kind of event has its builder"

PUBLIC_KINDS: frozenset[EventKind] = frozenset(kind for kind, cls in BUILDERS.items() if cls.PUBLIC)

REMINDERS: dict[str, type[ReminderDueSoon | ReminderOverdue]] = {
    "due_soon": ReminderDueSoon,
    "overdue": ReminderOverdue,
}


def parse(kind: str, payload: dict[str, Any]) -> Payload:
    """The builder of a stored event. Raises KeyError for a kind this code does not know."""
    return BUILDERS[EventKind(kind)].from_payload(payload)


def replay(stored: list[tuple[str, dict[str, Any]]]) -> Replayed:
    """The state a letter's events lead to, from (kind, payload) pairs in order."""
    state = Replayed()
    for kind, payload in stored:
        parse(kind, payload).apply(state)
    return state
