"""The life of a letter. Every change of a letter goes through a verb here, which checks who may
and in which state, changes the row, and appends the journal event, in one transaction."""
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..extensions import db
from ..models import (Akimat, Answer, Category, Decision, Department, Letter, LetterCounter,
                      LetterKind, LetterStatus, User)
from ..models._common import utcnow
from . import journal
from .deadlines import deadline_for
from .permissions import MATRIX, Action, can

ACCESS_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L to misread
ACCESS_CODE_LENGTH = 16  # 16 symbols of 31: 79 bits


class LifecycleError(Exception):
    """A change the rules do not allow; `message` is shown to the user."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class NotAllowed(LifecycleError):
    pass


@dataclass
class Submission:
    """What a resident writes; validated by the form before it gets here."""

    kind: LetterKind
    category: Category
    language: str
    subject: str
    body: str
    surname: str
    given_name: str
    address: str
    submission_token: str
    patronymic: Optional[str] = None
    iin: Optional[str] = None
    email: Optional[str] = None
    phone: Optional[str] = None
    disputed_party: Optional[str] = None
    complaint_request: Optional[str] = None


def new_access_code() -> str:
    raw = "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _ in range(ACCESS_CODE_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, ACCESS_CODE_LENGTH, 4))


def normalize_access_code(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


def hash_access_code(number: str, code: str) -> str:
    return hashlib.sha256(f"{number}:{normalize_access_code(code)}".encode()).hexdigest()


def access_code_matches(letter: Letter, code: str) -> bool:
    return hmac.compare_digest(letter.access_code_hash, hash_access_code(letter.number, code))


def _next_sequence(akimat: Akimat, year: int) -> int:
    """Takes the next number of the akimat's year; the row lock keeps numbers gap-free."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(
        insert(LetterCounter).values(akimat_id=akimat.id, year=year, last_seq=0)
        .on_conflict_do_nothing()
    )
    return db.session.execute(
        update(LetterCounter)
        .where(LetterCounter.akimat_id == akimat.id, LetterCounter.year == year)
        .values(last_seq=LetterCounter.last_seq + 1)
        .returning(LetterCounter.last_seq)
    ).scalar_one()


def find_by_token(akimat: Akimat, token: str) -> Optional[Letter]:
    return db.session.scalar(
        select(Letter).where(Letter.akimat_id == akimat.id, Letter.submission_token == token)
    )


def submit(akimat: Akimat, submission: Submission, now: Optional[datetime] = None) -> tuple[Letter, str]:
    """Registers a resident's letter: number, access code and deadline, committed together.

    Returns the letter and its access code, which exists in clear nowhere else."""
    now = now or utcnow()
    local_day = now.astimezone(ZoneInfo(akimat.timezone)).date()
    seq = _next_sequence(akimat, local_day.year)
    number = f"{akimat.number_prefix}-{local_day.year}-{seq:06d}"
    code = new_access_code()
    fields = {k: v for k, v in vars(submission).items() if k not in ("category",)}
    letter = Letter(
        akimat_id=akimat.id, number=number, year=local_day.year, seq=seq,
        access_code_hash=hash_access_code(number, code), category_id=submission.category.id,
        status=LetterStatus.REGISTERED, received_at=now,
        deadline=deadline_for(submission.kind, local_day), **fields,
    )
    letter.category = submission.category
    db.session.add(letter)
    db.session.flush()
    journal.append(letter, "submitted", actor=None, actor_role="resident",
                   payload={"kind": letter.kind.value, "subject": letter.subject}, now=now)
    journal.append(letter, "registered", actor=None, actor_role="system",
                   payload={"number": number, "deadline": letter.deadline.isoformat()}, now=now)
    db.session.commit()
    return letter, code


def _require(user: User, action: Action, letter: Letter) -> None:
    if not can(user, action, letter.akimat, letter):
        raise NotAllowed(_l("You are not allowed to do this with this letter."))


def _role_of(user: User, letter: Letter, action: Action) -> str:
    """The role under which the user acts, for the journal."""
    for m in user.memberships_in(letter.akimat):
        if action in MATRIX[m.role]:
            return m.role.value
    return "unknown"


def assign(letter: Letter, department: Department, actor: User, reason: str = "",
           now: Optional[datetime] = None) -> None:
    """Routes the letter to a department (or re-routes it, with a reason)."""
    now = now or utcnow()
    _require(actor, Action.ASSIGN, letter)
    if department.akimat_id != letter.akimat_id:
        raise LifecycleError(_l("This department belongs to another akimat."))
    if letter.status not in LetterStatus.unresolved():
        raise LifecycleError(_l("An answered letter cannot be routed again."))
    if letter.department_id == department.id:
        raise LifecycleError(_l("The letter is already with this department."))
    rerouting = letter.department_id is not None
    if rerouting and not reason.strip():
        raise LifecycleError(_l("Give the reason for moving the letter to another department."))
    payload = {"department_id": department.id, "department": department.name_ru}
    if rerouting:
        payload |= {"from_department_id": letter.department_id, "reason": reason.strip()}
    letter.department_id = department.id
    letter.status = LetterStatus.ASSIGNED
    journal.append(letter, "transferred" if rerouting else "assigned", actor=actor,
                   actor_role=_role_of(actor, letter, Action.ASSIGN), payload=payload, now=now)
    db.session.commit()


def send_answer(letter: Letter, actor: User, decision: Decision, body: str, reasons: str = "",
                legal_basis: str = "", appeal_procedure: str = "",
                now: Optional[datetime] = None) -> Answer:
    """Sends the department's answer to the resident."""
    now = now or utcnow()
    _require(actor, Action.ANSWER, letter)
    if letter.status is not LetterStatus.ASSIGNED:
        raise LifecycleError(_l("Only a letter that is with a department can be answered."))
    if not body.strip():
        raise LifecycleError(_l("Write the answer."))
    if decision.needs_grounds and not (reasons.strip() and legal_basis.strip() and appeal_procedure.strip()):
        raise LifecycleError(_l("A refusal or leaving without consideration needs the reasons, "
                                "the legal basis and how to appeal."))
    answer = Answer(letter=letter, author_id=actor.id, decision=decision, body=body.strip(),
                    reasons=reasons.strip() or None, legal_basis=legal_basis.strip() or None,
                    appeal_procedure=appeal_procedure.strip() or None, created_at=now, sent_at=now)
    db.session.add(answer)
    letter.status = LetterStatus.ANSWERED
    letter.answered_at = now
    db.session.flush()
    journal.append(letter, "answer_sent", actor=actor, actor_role=_role_of(actor, letter, Action.ANSWER),
                   payload={"answer_id": answer.id, "decision": decision.value}, now=now)
    db.session.commit()
    return answer


def rate(letter: Letter, score: int, comment: str = "", now: Optional[datetime] = None) -> None:
    """The resident's rating of the answer, 1 (poor) to 5 (good); given once."""
    now = now or utcnow()
    if letter.status is not LetterStatus.ANSWERED:
        raise LifecycleError(_l("Only an answered letter can be rated."))
    if letter.rating is not None:
        raise LifecycleError(_l("This answer has already been rated."))
    if not 1 <= score <= 5:
        raise LifecycleError(_l("Choose a rating from 1 to 5."))
    letter.rating = score
    letter.rating_comment = comment.strip() or None
    journal.append(letter, "rated", actor=None, actor_role="resident",
                   payload={"rating": score, "comment": letter.rating_comment}, now=now)
    db.session.commit()
