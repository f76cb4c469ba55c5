"""A lost access code replaced: by the chancellery, in person, once it checked the resident's ID
card, or sent to the contact on the letter ("I lost my code"). The old code stops opening the
letter at once, and with it every tracking session and one-click link of its generation
(domain/access_codes.py); the journal records who issued the new one and how."""

from datetime import datetime

from ...extensions import db
from ...models import Letter, User
from ...models._common import utcnow
from .. import access_codes, events, journal, notifications
from ..permissions import Action, can
from ._base import NotAllowed, lock
from .allowed import NOT_ALLOWED

VIA_CHANCELLERY = "chancellery"  # handed over in person, the ID card checked, by a registrar
VIA_CONTACT = "contact"  # sent to the email or phone on the letter
VIAS = (VIA_CHANCELLERY, VIA_CONTACT)


def may_reissue_in_person(user: User | None, letter: Letter) -> bool:
    """The one answer pages ask before they offer "ID card checked: issue a new code"."""
    return can(user, Action.REISSUE_CODE, letter.akimat, letter)


def reissue_code(
    letter: Letter, via: str, by: User | None = None, now: datetime | None = None, *, commit: bool = True
) -> str:
    """Issues the letter's next code and returns it in clear (it exists nowhere else).

    `via`: VIA_CHANCELLERY (then `by` is the registrar who checked the ID card, and must be allowed
    to) or VIA_CONTACT (`by` is None: the resident asked; the code is queued to the letter's email
    and phone in the same transaction).
    `commit=False` leaves the transaction open, so that a caller queueing the message with the
    code commits the two together."""
    if via not in VIAS:
        raise ValueError(f"unknown way of issuing a code: {via!r}")
    if via == VIA_CHANCELLERY and not may_reissue_in_person(by, letter):
        raise NotAllowed(NOT_ALLOWED)
    now = now or utcnow()
    lock(letter)
    code = access_codes.reissue(letter, via, by=by, now=now)
    reissued = events.CodeReissued(via=via, generation=letter.code_generation)
    role = "registrar" if via == VIA_CHANCELLERY else "resident"
    journal.append(letter, reissued, actor=by, actor_role=role, now=now)
    if via == VIA_CONTACT:
        notifications.queue_for_resident("code_reissued", letter, secret=code)
    if commit:
        db.session.commit()
    return code
