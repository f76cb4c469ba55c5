"""Today in an akimat's own time zone, and each letter's deadline state against it."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import g

from ..domain.deadlines import DeadlineState, deadline_state
from ..models import Akimat, Letter, LetterStatus


def today_in(akimat: Akimat) -> date:
    return datetime.now(ZoneInfo(akimat.timezone)).date()


def deadline_state_of(letter: Letter) -> DeadlineState | None:
    """None once the letter is answered: its deadline no longer runs."""
    if letter.status not in LetterStatus.unresolved():
        return None
    if "today" not in g:
        g.today = today_in(letter.akimat)
    return deadline_state(letter.deadline, g.today)
