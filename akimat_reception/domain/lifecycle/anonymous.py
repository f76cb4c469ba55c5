"""Assessed (domain/anonymous.py): the registrar's finding on an anonymous letter decides its fate —
not considered, or forwarded the same working day to the body the configuration names."""

from datetime import datetime

from ...extensions import db
from ...models import Letter, LetterStatus, User
from ...models._common import utcnow
from .. import anonymous, events, journal
from ..calendar import local_day
from ._base import require_role, require_state
from .allowed import LetterAction
from .routing import send_on

# The forwarding's reason, in the journal's language (as the other verbs' fixed reasons).
FORWARD_REASON = "Анонимное обращение содержит сведения о преступлении или угрозе общественной безопасности"
MAX_NOTE = 2000


def assess_anonymous(
    letter: Letter, user: User, reports_crime: bool, note: str = "", now: datetime | None = None
) -> None:
    """Records whether an anonymous letter reports a crime or a threat to public safety.

    letter: an anonymous letter, registered and not yet assessed (anonymous.needs_assessment);
    user: a registrar of its akimat; reports_crime: the finding; note: what the registrar saw in it
    (kept in the journal, and given as the forwarding's reason); now: the moment (default: now).
    Not a crime: the letter is not considered (NOT_CONSIDERED) and leaves the unresolved list. A
    crime or a threat: it is forwarded at once to anonymous.forward_to(akimat), and its term to
    forward is today — the same working day. Committed in one transaction."""
    now = now or utcnow()
    role = require_role(user, LetterAction.ASSESS_ANONYMOUS, letter)
    require_state(user, LetterAction.ASSESS_ANONYMOUS, letter, now)
    note = note.strip()[:MAX_NOTE]
    assessed = events.AnonymousAssessed(reports_crime=reports_crime, note=note)
    journal.append(letter, assessed, actor=user, actor_role=role, now=now)
    if not reports_crime:
        letter.status = LetterStatus.NOT_CONSIDERED
        db.session.commit()
        return
    letter.forward_by = local_day(letter.akimat, now)
    reason = f"{FORWARD_REASON}: {note}" if note else FORWARD_REASON
    send_on(letter, anonymous.forward_to(letter.akimat), reason, user, role, now)
