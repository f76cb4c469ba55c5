"""Routed, moved, forwarded (APPK art. 76): the letter reaches the body that can answer it."""

from dataclasses import fields
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ...models import Akimat, Category, Department, Letter, LetterStatus, Role, User
from ...models._common import utcnow
from ...models.tenancy import search_key
from .. import events, journal, notifications
from ..calendar import local_day
from ._base import LifecycleError, lock, members, require_role, require_state
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
        raise LifecycleError(_l("Give the reason for moving the letter to another department."), about="reason")
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
    letter.executor_id = None  # a named executor belongs to the department the letter leaves
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
    send_on(letter, competent_body, reason, actor, role, now)


def send_on(letter: Letter, competent_body: str, reason: str, actor: User, role: str, now: datetime) -> None:
    """The forwarding itself, for a caller that has checked who may and holds the row lock
    (`forward`; `assess_anonymous`, which forwards a letter it has just assessed)."""
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
    if target.closed_at is not None:
        raise LifecycleError(_l("That akimat is closed to new letters: choose another."))
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


MAX_QUERY = 100  # no akimat's name is longer


def competent_akimats(query: str, letter: Letter, limit: int = 20) -> list[Akimat]:
    """The akimats a letter may be transferred to whose name, former name, other spelling or slug
    contains `query` (case-folded, as Akimat.search_text): any open akimat but the letter's own —
    competence is not only up or down the tree.

    query: what the registrar typed; letter: the letter to transfer; limit: at most this many."""
    key = search_key("".join(ch for ch in query[:MAX_QUERY] if ch.isprintable()))  # no NUL reaches PostgreSQL
    if not key:
        return []
    escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return list(
        db.session.scalars(
            select(Akimat)
            .where(
                Akimat.search_text.like(f"%{escaped}%", escape="\\"),
                Akimat.closed_at.is_(None),
                Akimat.id != letter.akimat_id,
            )
            .order_by(Akimat.name_ru, Akimat.id)
            .limit(limit)
        )
    )


def competent_akimat(akimat_id: int | None, letter: Letter) -> Akimat | None:
    """The akimat chosen among the matches, if the letter may still go there (open, not its own)."""
    target = db.session.get(Akimat, akimat_id) if akimat_id else None
    if target is None or target.closed_at is not None or target.id == letter.akimat_id:
        return None
    return target


def executors_of(letter: Letter) -> list[User]:
    """The active executors of the letter's department, by name: whom it may be given to."""
    if letter.department_id is None:
        return []
    return sorted(members(letter.akimat, Role.EXECUTOR, letter.department_id), key=lambda u: (u.full_name, u.id))


def assign_executor(letter: Letter, executor: User, by: User, now: datetime | None = None) -> None:
    """Gives the department's letter to a named executor of that department, who answers it.

    letter: an open letter that is with a department; executor: an active executor of that
    department (an executor membership with its department_id); by: the registrar, or the head of
    the department (Department.head_id); now: the moment, for the journal (default: now)."""
    now = now or utcnow()
    role = require_role(by, LetterAction.ASSIGN_EXECUTOR, letter)
    require_state(by, LetterAction.ASSIGN_EXECUTOR, letter, now)
    if not executor.active or executor.id not in {u.id for u in executors_of(letter)}:
        raise LifecycleError(_l("Choose an active executor of the letter's department."))
    if letter.executor_id == executor.id:
        raise LifecycleError(_l("The letter is already with this executor."))
    _name_executor(letter, executor, "", by, role, now)
    notifications.queue_for_staff(
        "executor_assigned", executor, letter.akimat, letter=letter, build=lambda: _given_message(letter)
    )
    db.session.commit()


def _name_executor(letter: Letter, executor: User | None, reason: str, by: User | None, role: str, now) -> None:
    letter.executor_id = executor.id if executor is not None else None
    event = events.ExecutorAssigned(
        executor_id=letter.executor_id, executor=executor.full_name if executor else "", reason=reason
    )
    journal.append(letter, event, actor=by, actor_role=role, now=now)


DEACTIVATED = "executor deactivated"  # the reason the journal keeps, in the journal's language


def release_letters_of(user: User, by: User | None, now: datetime | None = None) -> list[Letter]:
    """A deactivated executor's unresolved letters go back: to the department's head (when there is
    an active head other than `user`), or to the department as a whole; each with its event. Their
    drafts stay on the letter for whoever takes it. The registrars and the heads are told by email,
    with the list; the letters wait in the inbox's "awaiting an executor".

    user: the executor being deactivated; by: who deactivates them (an administrator); now: the
    moment, for the journal. Returns the letters released."""
    now = now or utcnow()
    released = list(
        db.session.scalars(
            select(Letter)
            .where(Letter.executor_id == user.id, Letter.status.in_(LetterStatus.unresolved()))
            .order_by(Letter.akimat_id, Letter.deadline, Letter.id)
        )
    )
    told: dict[tuple[int, int], tuple[User, Akimat, list[Letter]]] = {}
    for letter in released:
        lock(letter)
        head_id = letter.department.head_id if letter.department is not None else None
        head = db.session.get(User, head_id) if head_id is not None else None
        if head is not None and (head.id == user.id or not head.active):
            head = None
        roles = sorted(by.roles_in(letter.akimat)) if by is not None else []
        _name_executor(letter, head, DEACTIVATED, by, roles[0].value if roles else "system", now)
        for recipient in [*members(letter.akimat, Role.REGISTRAR), *([head] if head else [])]:
            told.setdefault((recipient.id, letter.akimat_id), (recipient, letter.akimat, []))[2].append(letter)
    for recipient, akimat, letters in told.values():
        notifications.queue_for_staff(
            "letters_released", recipient, akimat, build=lambda u=user, ls=letters: _released_message(u, ls)
        )
    db.session.commit()
    return released


def _given_message(letter: Letter) -> notifications.Message:
    return notifications.Message(
        subject=_("Letter %(number)s is given to you", number=letter.number),
        paragraphs=[
            _("You are named the executor of letter %(number)s: answer it.", number=letter.number),
            letter.subject,
        ],
        sms="",
        link=notifications.office_url(letter),
        link_text=_("Open the letter"),
    )


def _released_message(user: User, letters: list[Letter]) -> notifications.Message:
    return notifications.Message(
        subject=_("Letters to reassign: %(name)s was deactivated", name=user.full_name),
        paragraphs=[
            _(
                "The account of %(name)s was deactivated. Their open letters came back to the department: "
                "name an executor for each.",
                name=user.full_name,
            )
        ],
        lines=[f"{letter.number} — {letter.subject} ({notifications.office_url(letter)})" for letter in letters],
        sms="",
        link=notifications.public_url(f"/{letters[0].akimat.slug}/office/?assigned=awaiting"),
        link_text=_("Letters awaiting an executor"),
    )
