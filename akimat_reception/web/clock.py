"""Today in an akimat's own time zone, and each letter's deadline state against it."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import g

from ..domain.calendar import calendar_for
from ..domain.deadlines import DeadlineState, deadline_state, due_soon_horizon
from ..models import Akimat, Letter, LetterStatus


def today_in(akimat: Akimat) -> date:
    return datetime.now(ZoneInfo(akimat.timezone)).date()


def today_and_calendar(akimat: Akimat):
    """Computed once per request: every row of a list shares them."""
    if "today" not in g:
        g.today, g.calendar = today_in(akimat), calendar_for(akimat.id)
        g.horizon = due_soon_horizon(g.today, g.calendar)
    return g.today, g.calendar


_today_and_calendar = today_and_calendar


def deadline_state_of(letter: Letter) -> DeadlineState | None:
    """None once the letter is answered: its deadline no longer runs."""
    if letter.status not in LetterStatus.unresolved():
        return None
    today, calendar = _today_and_calendar(letter.akimat)
    return deadline_state(letter.deadline, today, calendar, g.get("horizon"))


def forward_state_of(letter: Letter) -> DeadlineState | None:
    """The 3-working-day term to forward a letter outside the akimat's competence (APPK art. 76)
    runs while the letter waits for the registrar."""
    if letter.status is not LetterStatus.REGISTERED:
        return None
    today, calendar = _today_and_calendar(letter.akimat)
    return deadline_state(letter.forward_by, today, calendar, g.get("horizon"))
