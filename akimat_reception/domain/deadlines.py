"""The legal terms for considering a letter, each cited to the law that sets it.

Source: the Administrative Procedural and Process Code of the Republic of Kazakhstan
(АППК / ӘРПК, Code No. 350-VI of 29 June 2020, in force since 1 July 2021). The terms are data,
so that a change of the law is a change of this table, not a hunt through the code.
"""
import enum
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from ..models.letters import LetterKind
from .calendar import KAZAKHSTAN, WorkingCalendar


@dataclass(frozen=True)
class Term:
    working_days: int
    citation: str


# APPK art. 76(1): an administrative case (including an appeal) is considered within fifteen
# working days of its receipt by the administrative body, unless a law sets another term.
DEFAULT_TERM = Term(15, "APPK art. 76(1)")

TERMS: dict[LetterKind, Term] = {kind: DEFAULT_TERM for kind in LetterKind}

# A letter is "due soon" during its last three working days (our service level, not the law).
DUE_SOON_WORKING_DAYS = 3


class DeadlineState(str, enum.Enum):
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return str(DEADLINE_STATE_LABELS[self])


DEADLINE_STATE_LABELS = {
    DeadlineState.ON_TIME: _l("On time"),
    DeadlineState.DUE_SOON: _l("Due soon"),
    DeadlineState.OVERDUE: _l("Overdue"),
}


def term_for(kind: LetterKind) -> Term:
    return TERMS[kind]


def deadline_for(kind: LetterKind, received_on: date, calendar: WorkingCalendar = KAZAKHSTAN) -> date:
    return calendar.add_working_days(received_on, term_for(kind).working_days)


def due_soon_horizon(today: date, calendar: WorkingCalendar = KAZAKHSTAN) -> date:
    """Deadlines on or before this date, and not yet past, fall in their last working days."""
    return calendar.add_working_days(today, DUE_SOON_WORKING_DAYS - 1)


def deadline_state(deadline: date, today: date, calendar: WorkingCalendar = KAZAKHSTAN) -> DeadlineState:
    if deadline < today:
        return DeadlineState.OVERDUE
    if deadline <= due_soon_horizon(today, calendar):
        return DeadlineState.DUE_SOON
    return DeadlineState.ON_TIME
