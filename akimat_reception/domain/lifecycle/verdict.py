"""Rated and disputed by the resident; closed when the time to do so has passed."""

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ...models import Akimat, Answer, Letter, LetterStatus
from ...models._common import utcnow
from .. import deadlines, events, journal, ratings
from ..calendar import calendar_for, local_day
from ._base import LifecycleError, lock, require_state
from .allowed import LetterAction

DISPUTING_RATING = 2  # a rating of 1 or 2 reopens the letter to control


def rate(letter: Letter, score: int, comment: str = "", now: datetime | None = None) -> None:
    """The resident's rating of the answer, 1 (poor) to 5 (good), once per answer; 1 or 2 is a
    dispute and reopens the letter to control with the resident's words."""
    now = now or utcnow()
    lock(letter)
    require_state(None, LetterAction.RATE, letter, now)
    if not 1 <= score <= 5:
        raise LifecycleError(_l("Choose a rating from 1 to 5."))
    answer = letter.sent_answer
    assert answer is not None  # the rule of RATE
    answer.rating, answer.rating_comment = score, comment.strip() or None
    ratings.record(answer.department_id, of=letter, rated=1, rating_sum=score)
    letter.rating, letter.rating_comment = score, comment.strip() or None
    rated = events.Rated(rating=score, comment=letter.rating_comment)
    journal.append(letter, rated, actor=None, actor_role="resident", now=now)
    if score <= DISPUTING_RATING:
        _reopen(letter, answer, comment.strip(), now)
    db.session.commit()


def dispute(letter: Letter, text: str, now: datetime | None = None) -> None:
    """The resident disputes the answer in their own words: the letter goes back to control."""
    now = now or utcnow()
    lock(letter)
    require_state(None, LetterAction.DISPUTE, letter, now)
    if not text.strip():
        raise LifecycleError(_l("Say what is wrong with the answer."))
    answer = letter.sent_answer
    assert answer is not None  # the rule of DISPUTE
    _reopen(letter, answer, text.strip(), now)
    db.session.commit()


def _reopen(letter: Letter, answer: Answer, words: str, now: datetime) -> None:
    if not answer.disputed:  # an answer counts as disputed once, however often it is reopened
        ratings.record(answer.department_id, of=letter, disputed=1)
    answer.disputed = True
    letter.status = LetterStatus.DISPUTED
    disputed = events.Disputed(answer_id=answer.id, text=words)
    journal.append(letter, disputed, actor=None, actor_role="resident", now=now)


def close_answered(akimat: Akimat, now: datetime | None = None) -> int:
    """Closes answered letters whose time to rate or dispute has passed (10 working days)."""
    now = now or utcnow()
    today = local_day(akimat, now)
    calendar = calendar_for(akimat.id)
    days = deadlines.current_terms().rating_working_days
    closed = 0
    # N working days are at least N calendar days: only older answers can qualify.
    candidates = db.session.scalars(
        select(Letter)
        .where(
            Letter.akimat_id == akimat.id,
            Letter.status == LetterStatus.ANSWERED,
            Letter.answered_at <= now - timedelta(days=days),
        )
        .order_by(Letter.id)
    ).all()
    for letter in candidates:
        assert letter.answered_at is not None  # the query's condition
        if calendar.add_working_days(local_day(akimat, letter.answered_at), days) > today:
            continue
        lock(letter)
        letter.status = LetterStatus.CLOSED
        journal.append(letter, events.Closed(rated=letter.rating is not None), actor=None, actor_role="system", now=now)
        db.session.commit()
        closed += 1
    return closed
