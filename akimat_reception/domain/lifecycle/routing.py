"""Routed, moved, forwarded (APPK art. 76): the letter reaches the body that can answer it."""

from dataclasses import fields
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ...models import Akimat, Category, Department, Letter, LetterStatus, User
from ...models._common import utcnow
from .. import events, journal, notifications
from ..calendar import local_day
from ._base import LifecycleError, require_role, require_state
from .allowed import LetterAction
from .registration import Submission, register


def assign(letter: Letter, department: Department, actor: User, reason: str = "", now: datetime | None = None) -> None:
    """Routes the letter to a department (or moves it to another, with a reason)."""
    now = now or utcnow()
    role = require_role(actor, LetterAction.ASSIGN, letter)
    if department.akimat_id != letter.akimat_id:
        raise LifecycleError(_l("This department belongs to another akimat."))
    require_state(actor, LetterAction.ASSIGN, letter, now)
    if letter.department_id == department.id:
        raise LifecycleError(_l("The letter is already with this department."))
    previous = letter.department_id  # None: routed for the first time; otherwise a move
    if previous is not None and not reason.strip():
        raise LifecycleError(_l("Give the reason for moving the letter to another department."))
    event: events.Payload
    if previous is not None:
        event = events.Transferred(
            department_id=department.id,
            department=department.name_ru,
            from_department_id=previous,
            reason=reason.strip(),
        )
        letter.transfer_count += 1
    else:
        event = events.Assigned(department_id=department.id, department=department.name_ru)
    letter.department_id = department.id
    letter.status = LetterStatus.ASSIGNED
    letter.reminded = None
    journal.append(letter, event, actor=actor, actor_role=role, now=now)
    db.session.commit()


def forward(letter: Letter, competent_body: str, reason: str, actor: User, now: datetime | None = None) -> None:
    """Sends a letter outside the akimat's competence on to the competent body (APPK art. 76),
    and tells the resident at the same time."""
    now = now or utcnow()
    role = require_role(actor, LetterAction.FORWARD, letter)
    require_state(actor, LetterAction.FORWARD, letter, now)
    if not competent_body.strip() or not reason.strip():
        raise LifecycleError(_l("Name the competent body and the reason."))
    letter.status = LetterStatus.FORWARDED
    letter.forwarded_to = competent_body.strip()
    forwarded = events.Forwarded(
        to=letter.forwarded_to, reason=reason.strip(), on_time=local_day(letter.akimat, now) <= letter.forward_by
    )
    journal.append(letter, forwarded, actor=actor, actor_role=role, now=now)
    notifications.queue_for_resident("forwarded", letter, reason=reason.strip())
    db.session.commit()


# What the resident wrote, carried to the akimat a letter is transferred to.
_CARRIED = [f.name for f in fields(Submission) if f.name not in ("category", "submission_token")]


def transfer_to_akimat(letter: Letter, target: Akimat, reason: str, actor: User, now: datetime | None = None) -> Letter:
    """Moves a letter outside this akimat's competence to another akimat of the installation: the
    letter is registered there anew (its own number, code and term, from today) and both journals
    record the transfer; the resident gets the new receipt."""
    now = now or utcnow()
    role = require_role(actor, LetterAction.FORWARD, letter)
    require_state(actor, LetterAction.FORWARD, letter, now)
    if target.id == letter.akimat_id:
        raise LifecycleError(_l("Choose another akimat."))
    if not reason.strip():
        raise LifecycleError(_l("Name the competent body and the reason."))
    category = db.session.scalar(
        select(Category).where(Category.akimat_id == target.id, Category.code == letter.category.code)
    ) or db.session.scalar(select(Category).where(Category.akimat_id == target.id).order_by(Category.id).limit(1))
    if category is None:
        raise LifecycleError(_l("That akimat has no topics of letters yet: it cannot receive a letter."))
    copied = {name: getattr(letter, name) for name in _CARRIED}
    received, _code = register(
        target,
        Submission(category=category, submission_token=f"transfer-{letter.number}", **copied),
        now,
        transferred_from=letter,
    )
    letter.status = LetterStatus.FORWARDED
    letter.forwarded_to = target.name_ru
    letter.transferred_to_id = received.id
    sent = events.TransferredOut(
        to_akimat=target.slug,
        to_number=received.number,
        reason=reason.strip(),
        on_time=local_day(letter.akimat, now) <= letter.forward_by,
    )
    journal.append(letter, sent, actor=actor, actor_role=role, now=now)
    came = events.TransferredIn(from_akimat=letter.akimat.slug, from_number=letter.number, reason=reason.strip())
    journal.append(received, came, actor=actor, actor_role=role, now=now)
    notifications.queue_for_resident("forwarded", letter, reason=reason.strip())
    db.session.commit()
    return received


def instruct(letter: Letter, text: str, actor: User, now: datetime | None = None) -> None:
    """The akim's instruction (резолюция) on an open letter: the department sees it on the letter."""
    now = now or utcnow()
    role = require_role(actor, LetterAction.INSTRUCT, letter)
    require_state(actor, LetterAction.INSTRUCT, letter, now)
    if not text.strip():
        raise LifecycleError(_l("Write the instruction."))
    journal.append(letter, events.Instruction(text=text.strip()), actor=actor, actor_role=role, now=now)
    db.session.commit()
