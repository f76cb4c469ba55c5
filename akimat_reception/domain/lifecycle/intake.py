"""Letters the chancellery enters (APPK art. 63-64): brought on paper, posted, phoned in, emailed,
said in person or passed on from e-Otinish. They are registered like the web form's letters
(registration.py), by a registrar who is named on the receipt slip and in the journal, and the
sender's own outgoing number (or e-Otinish's) makes sure one letter is never registered twice."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import Akimat, Letter, LetterChannel, User
from ...models._common import utcnow
from ..calendar import calendar_for, local_day
from ..permissions import Action, can
from ._base import LifecycleError, NotAllowed
from .allowed import NOT_ALLOWED
from .registration import Submission, register


class DuplicateReference(LifecycleError):
    """The sender's number was already registered: `earlier` is that letter."""

    def __init__(self, earlier: Letter):
        super().__init__(
            _l(
                "This number is already registered: letter %(number)s of %(date)s, “%(subject)s”.",
                number=earlier.number,
                date=format_date(local_day(earlier.akimat, earlier.received_at), "medium"),
                subject=earlier.subject,
            )
        )
        self.earlier = earlier


def normalize_reference(reference: str | None) -> str | None:
    """The sender's number as compared: without a leading "№"/"No.", spaces collapsed, upper case
    (a clerk types "№ 12-3/45" one day and "12-3/45" the next)."""
    if not reference:
        return None
    text = re.sub(r"^(№\s*|(no\.?|n)\s*(?=\d))", "", reference.strip(), flags=re.IGNORECASE)
    text = re.sub(r"\s+", " ", text).strip().upper()
    return text or None


def find_by_reference(akimat: Akimat, channel: LetterChannel, reference: str | None) -> Letter | None:
    reference = normalize_reference(reference)
    if reference is None:
        return None
    return db.session.scalar(
        select(Letter).where(
            Letter.akimat_id == akimat.id, Letter.channel == channel, Letter.sender_reference == reference
        )
    )


def may_register(user: User | None, akimat: Akimat) -> bool:
    return can(user, Action.REGISTER_LETTER, akimat)


def register_received(
    akimat: Akimat, submission: Submission, now: datetime | None = None, files: Sequence = ()
) -> tuple[Letter, str]:
    """Registers a letter a registrar entered (`submission.registered_by`), committed with its files
    and the receipt notification. Refuses a second letter with the same sender's number and
    channel (DuplicateReference), by looking first and, for two clerks at the same moment, by the
    database's unique constraint. Returns the letter and its access code for the slip."""
    if not may_register(submission.registered_by, akimat):
        raise NotAllowed(NOT_ALLOWED)
    if submission.channel is LetterChannel.WEB:
        raise LifecycleError(_l("Letters from this site register themselves: choose how this one arrived."))
    submission.sender_reference = normalize_reference(submission.sender_reference)
    earlier = find_by_reference(akimat, submission.channel, submission.sender_reference)
    if earlier is not None:
        raise DuplicateReference(earlier)
    try:
        letter, code = register(akimat, submission, now or utcnow(), files=files)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        earlier = find_by_reference(akimat, submission.channel, submission.sender_reference)
        if earlier is None:
            raise
        raise DuplicateReference(earlier) from None
    return letter, code


@dataclass(frozen=True)
class LateArrival:
    """Why a letter counts from a later day than it arrived (APPK art. 64)."""

    arrived_on: date
    counts_from: date
    day_off: bool  # arrived on a day off; otherwise after the akimat's working hours


def late_arrival(letter: Letter) -> LateArrival | None:
    """None when the letter counts from the day it arrived."""
    arrived_on = local_day(letter.akimat, letter.received_at)
    counts = letter.counts_from or arrived_on
    if counts == arrived_on:
        return None
    day_off = not calendar_for(letter.akimat_id).is_working_day(arrived_on)
    return LateArrival(arrived_on, counts, day_off)
