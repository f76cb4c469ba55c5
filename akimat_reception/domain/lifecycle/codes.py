"""A lost access code replaced (the resident is never locked out of their letter): a new code,
sent to the letter's email or phone ("contact"), or handed over at the chancellery after the ID
card was checked ("chancellery", by a registrar). The old code, its tracking sessions and its
one-click links stop working at once (domain/access_codes.py: code generations)."""

from datetime import datetime

from ...extensions import db
from ...models import Letter, User
from ...models._common import utcnow
from .. import access_codes, events, journal, notifications
from ._base import lock

VIA_CONTACT = "contact"
VIA_CHANCELLERY = "chancellery"


def reissue_code(letter: Letter, via: str, by: User | None = None, now: datetime | None = None) -> str:
    """The letter's next code, its event, and (via the contact) its message, committed together.
    Returns the code, which exists in clear nowhere else (the outbox erases it once delivered)."""
    now = now or utcnow()
    lock(letter)
    code = access_codes.reissue(letter, via, by=by, now=now)
    reissued = events.CodeReissued(via=via, generation=letter.code_generation)
    journal.append(letter, reissued, actor=by, actor_role="registrar" if by else "resident", now=now)
    if via == VIA_CONTACT:
        notifications.queue_for_resident("code_reissued", letter, secret=code)
    db.session.commit()
    return code
