"""The legal terms for considering a letter, each cited to the law that sets it.

Source: the Administrative Procedural and Process Code of the Republic of Kazakhstan
(АППК / ӘРПК, Code No. 350-VI of 29 June 2020, in force since 1 July 2021), as we read it:
- art. 76: an appeal is considered within 15 working days of its receipt, unless a law sets
  another term; the term may be extended by a reasoned decision of the head of the body or a
  deputy for a reasonable time, but by no more than two months, and the applicant is told within
  3 working days; an appeal outside the body's competence is forwarded to the competent body
  within 3 working days of receipt, and the applicant is told at the same time.
- art. 64: an appeal is registered on the day it arrives; one that arrives after the body's
  working hours or on a day off counts as received on the next working day (`counts_from`). It
  is numbered at once, in the year of the day it arrived: a letter of 31 December evening gets a
  number of that year and counts from the first working day of January, so its number and its
  receipt slip agree with the moment the resident handed it in.
- art. 73: before an unfavourable decision (a refusal) the participant is told of the preliminary
  decision no later than 3 working days before it is taken and may state a position.
The numbers are data (LegalTerms), overridable through the LEGAL_TERMS setting, so that a change
of the law is a change of configuration, not a hunt through the code.
"""

import enum
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

from ..models import LetterKind
from .calendar import KAZAKHSTAN, WorkingCalendar


@dataclass(frozen=True)
class LegalTerms:
    consideration_working_days: int = 15  # APPK art. 76
    extension_max_months: int = 2  # APPK art. 76
    extension_notice_working_days: int = 3  # APPK art. 76
    forwarding_working_days: int = 3  # APPK art. 76
    hearing_notice_working_days: int = 3  # APPK art. 73
    due_soon_working_days: int = 3  # our service level, not the law
    rating_working_days: int = 10  # ours: time to rate or dispute an answer before it closes


# Each term, its citation and what it means, as admins see them.
APPK_76, APPK_73 = _l("APPK art. 76"), _l("APPK art. 73")
TERM_DESCRIPTIONS = {
    "consideration_working_days": (APPK_76, _l("Working days to consider a letter, from the day after its receipt.")),
    "extension_max_months": (
        APPK_76,
        _l("Months by which the akim or a deputy may extend the term, by a reasoned decision."),
    ),
    "extension_notice_working_days": (APPK_76, _l("Working days within which the resident is told of an extension.")),
    "forwarding_working_days": (
        APPK_76,
        _l("Working days to forward a letter outside the akimat's competence to the competent body."),
    ),
    "hearing_notice_working_days": (
        APPK_73,
        _l("Working days before a refusal by which the resident is told of it and may state a position."),
    ),
    "due_soon_working_days": ("—", _l("The last working days of a term in which a letter is shown as due soon.")),
    "rating_working_days": (
        "—",
        _l("Working days a resident has to rate or dispute an answer before the letter closes."),
    ),
}

DEFAULT_TERMS = LegalTerms()


def current_terms() -> LegalTerms:
    overrides = current_app.config.get("LEGAL_TERMS") if has_app_context() else None
    if not overrides:
        return DEFAULT_TERMS
    known = {f.name for f in fields(LegalTerms)}
    return replace(DEFAULT_TERMS, **{k: int(v) for k, v in overrides.items() if k in known})


class DeadlineState(enum.StrEnum):
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


def counts_from(akimat, moment: datetime, calendar: WorkingCalendar = KAZAKHSTAN) -> date:
    """The day a letter arriving at `moment` counts as received (APPK art. 64): that day, if it is a
    working day and the akimat's hours (`closes_at`, its local time) have not ended; otherwise the
    next working day. A letter before opening time counts the same day: its hours are still ahead."""
    local = moment.astimezone(ZoneInfo(akimat.timezone))
    day = local.date()
    if calendar.is_working_day(day) and local.time() < akimat.closes_at:
        return day
    day += timedelta(days=1)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def deadline_for(kind: LetterKind, received_on: date, calendar: WorkingCalendar = KAZAKHSTAN) -> date:
    """Every kind of letter has the general term today; a law that sets another adds a case here."""
    return calendar.add_working_days(received_on, current_terms().consideration_working_days)


def forward_by(received_on: date, calendar: WorkingCalendar = KAZAKHSTAN) -> date:
    return calendar.add_working_days(received_on, current_terms().forwarding_working_days)


def latest_extension(original_deadline: date) -> date:
    return original_deadline + relativedelta(months=current_terms().extension_max_months)


def extension_notice_by(decided_on: date, calendar: WorkingCalendar = KAZAKHSTAN) -> date:
    return calendar.add_working_days(decided_on, current_terms().extension_notice_working_days)


def refusal_possible_from(notified_on: date, calendar: WorkingCalendar = KAZAKHSTAN) -> date:
    return calendar.add_working_days(notified_on, current_terms().hearing_notice_working_days)


def due_soon_horizon(today: date, calendar: WorkingCalendar = KAZAKHSTAN) -> date:
    """Deadlines on or before this date, and not yet past, fall in their last working days."""
    return calendar.add_working_days(today, current_terms().due_soon_working_days - 1)


def deadline_state(
    deadline: date, today: date, calendar: WorkingCalendar = KAZAKHSTAN, horizon: date | None = None
) -> DeadlineState:
    """`horizon`: today's due_soon_horizon, when the caller has it (a list computes it once)."""
    if deadline < today:
        return DeadlineState.OVERDUE
    if deadline <= (horizon or due_soon_horizon(today, calendar)):
        return DeadlineState.DUE_SOON
    return DeadlineState.ON_TIME
