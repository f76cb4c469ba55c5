"""The life of a letter. Every change of a letter goes through a verb here, which checks who may
and in which state, changes the row, appends the journal event and queues the notifications,
in one transaction."""

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..extensions import db
from ..models import (
    Akimat,
    Answer,
    AnswerStatus,
    Attachment,
    Category,
    Decision,
    Department,
    ExtensionRequest,
    ExtensionStatus,
    Letter,
    LetterCounter,
    LetterKind,
    LetterStatus,
    Membership,
    Role,
    User,
)
from ..models._common import utcnow
from . import deadlines, journal, notifications, quality, ratings
from .calendar import calendar_for
from .deadlines import DeadlineState, deadline_state
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
    patronymic: str | None = None
    iin: str | None = None
    email: str | None = None
    phone: str | None = None
    disputed_party: str | None = None
    complaint_request: str | None = None


def new_access_code() -> str:
    raw = "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _ in range(ACCESS_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, ACCESS_CODE_LENGTH, 4))


def normalize_access_code(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


def hash_access_code(number: str, code: str) -> str:
    return hashlib.sha256(f"{number}:{normalize_access_code(code)}".encode()).hexdigest()


def access_code_matches(letter: Letter, code: str) -> bool:
    return hmac.compare_digest(letter.access_code_hash, hash_access_code(letter.number, code))


def local_day(akimat: Akimat, moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(akimat.timezone)).date()


def _next_sequence(akimat: Akimat, year: int) -> int:
    """Takes the next number of the akimat's year; the row lock keeps numbers gap-free."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(
        insert(LetterCounter).values(akimat_id=akimat.id, year=year, last_seq=0).on_conflict_do_nothing()
    )
    return db.session.execute(
        update(LetterCounter)
        .where(LetterCounter.akimat_id == akimat.id, LetterCounter.year == year)
        .values(last_seq=LetterCounter.last_seq + 1)
        .returning(LetterCounter.last_seq)
    ).scalar_one()


def find_by_token(akimat: Akimat, token: str) -> Letter | None:
    return db.session.scalar(select(Letter).where(Letter.akimat_id == akimat.id, Letter.submission_token == token))


def submit(
    akimat: Akimat, submission: Submission, now: datetime | None = None, files: Sequence = ()
) -> tuple[Letter, str]:
    """Registers a resident's letter: number, access code, deadline, its files and the receipt
    notification, committed together. Returns the letter and its access code, which exists in
    clear nowhere else. `files` are already stored (domain.attachments.keep)."""
    letter, code = _register(akimat, submission, now or utcnow(), files=files)
    db.session.commit()
    return letter, code


def _register(
    akimat: Akimat,
    submission: Submission,
    now: datetime,
    transferred_from: Letter | None = None,
    files: Sequence = (),
) -> tuple[Letter, str]:
    received_on = local_day(akimat, now)
    calendar = calendar_for(akimat.id)
    deadline = deadlines.deadline_for(submission.kind, received_on, calendar)
    repeat_of = None if transferred_from else find_earlier_letter(akimat, submission, now)
    code = new_access_code()
    # What needs no number is done first: the counter's row lock, which numbers the akimat's
    # letters one at a time, is held only for the inserts and the commit.
    seq = _next_sequence(akimat, received_on.year)
    number = f"{akimat.number_prefix}-{received_on.year}-{seq:06d}"
    fields = {k: v for k, v in vars(submission).items() if k != "category"}
    letter = Letter(
        akimat_id=akimat.id,
        number=number,
        year=received_on.year,
        seq=seq,
        access_code_hash=hash_access_code(number, code),
        category_id=submission.category.id,
        status=LetterStatus.REGISTERED,
        received_at=now,
        deadline=deadline,
        original_deadline=deadline,
        forward_by=deadlines.forward_by(received_on, calendar),
        transfer_count=0,
        transferred_from_id=transferred_from.id if transferred_from else None,
        **fields,
    )
    letter.akimat = akimat
    letter.category = submission.category
    letter.repeat_of = repeat_of
    db.session.add(letter)
    db.session.flush()
    for f in files:
        db.session.add(
            Attachment(
                akimat_id=akimat.id,
                letter_id=letter.id,
                original_name=f.original_name,
                content_type=f.content_type,
                size=f.size,
                sha256=f.sha256,
                storage_name=f.storage_name,
                created_at=now,
            )
        )
    # The files' hashes are sealed in the journal with the letter.
    journal.append(
        letter,
        "submitted",
        actor=None,
        actor_role="resident",
        payload={
            "kind": letter.kind.value,
            "subject": letter.subject,
            "repeat_of": letter.repeat_of.number if letter.repeat_of else None,
            "files": [f.sha256 for f in files],
        },
        now=now,
    )
    journal.append(
        letter,
        "registered",
        actor=None,
        actor_role="system",
        payload={"number": number, "deadline": deadline.isoformat(), "forward_by": letter.forward_by.isoformat()},
        now=now,
    )
    notifications.queue_for_resident("receipt", letter, secret=code)
    return letter, code


REPEAT_WINDOW_DAYS = 90
SIMILAR = 0.2


def _stems(text: str) -> set[str]:
    """Word beginnings: enough to match "отопление" with "отопления" in either language."""
    return {w[:5] for w in re.findall(r"\w+", text.casefold()) if len(w) >= 4}


def similarity(a: str, b: str) -> float:
    first, second = _stems(a), _stems(b)
    return len(first & second) / len(first | second) if first and second else 0.0


def find_earlier_letter(akimat: Akimat, submission: Submission, now: datetime) -> Letter | None:
    """The same person's letter on a similar subject within 90 days, by IIN, email or phone."""
    same_person = [
        c
        for c in (
            Letter.iin == submission.iin if submission.iin else None,
            Letter.email == submission.email if submission.email else None,
            Letter.phone == submission.phone if submission.phone else None,
        )
        if c is not None
    ]
    if not same_person:
        return None
    candidates = db.session.scalars(
        select(Letter)
        .where(
            Letter.akimat_id == akimat.id,
            or_(*same_person),
            Letter.received_at >= now - timedelta(days=REPEAT_WINDOW_DAYS),
        )
        .order_by(Letter.received_at.desc())
        .limit(20)
    ).all()
    text = f"{submission.subject} {submission.body}"
    scored = [
        (similarity(text, f"{c.subject} {c.body}") + (0.1 if c.category_id == submission.category.id else 0), c)
        for c in candidates
    ]
    best = max(scored, key=lambda pair: pair[0], default=(0, None))
    return best[1] if best[0] >= SIMILAR else None


def _lock(letter: Letter) -> None:
    """Re-reads the letter under a row lock (PostgreSQL), so two people acting at once are ordered."""
    db.session.refresh(letter, with_for_update=True)


def _require(user: User, action: Action, letter: Letter) -> str:
    """Checks the permission and returns the role the user acts in, for the journal."""
    if not can(user, action, letter.akimat, letter):
        raise NotAllowed(_l("You are not allowed to do this with this letter."))
    for m in user.memberships_in(letter.akimat):
        if action in MATRIX[m.role]:
            return m.role.value
    raise NotAllowed(_l("You are not allowed to do this with this letter."))


def _require_open(letter: Letter) -> None:
    if letter.status not in LetterStatus.unresolved():
        raise LifecycleError(_l("This letter is no longer open."))


def assign(letter: Letter, department: Department, actor: User, reason: str = "", now: datetime | None = None) -> None:
    """Routes the letter to a department (or moves it to another, with a reason)."""
    now = now or utcnow()
    role = _require(actor, Action.ASSIGN, letter)
    _lock(letter)
    if department.akimat_id != letter.akimat_id:
        raise LifecycleError(_l("This department belongs to another akimat."))
    _require_open(letter)
    if letter.department_id == department.id:
        raise LifecycleError(_l("The letter is already with this department."))
    moving = letter.department_id is not None
    if moving and not reason.strip():
        raise LifecycleError(_l("Give the reason for moving the letter to another department."))
    payload = {"department_id": department.id, "department": department.name_ru}
    if moving:
        payload |= {"from_department_id": letter.department_id, "reason": reason.strip()}
        letter.transfer_count += 1
    letter.department_id = department.id
    letter.status = LetterStatus.ASSIGNED
    letter.reminded = None
    journal.append(
        letter, "transferred" if moving else "assigned", actor=actor, actor_role=role, payload=payload, now=now
    )
    db.session.commit()


def forward(letter: Letter, competent_body: str, reason: str, actor: User, now: datetime | None = None) -> None:
    """Sends a letter outside the akimat's competence on to the competent body (APPK art. 76),
    and tells the resident at the same time."""
    now = now or utcnow()
    role = _require(actor, Action.FORWARD, letter)
    _lock(letter)
    _require_open(letter)
    if not competent_body.strip() or not reason.strip():
        raise LifecycleError(_l("Name the competent body and the reason."))
    letter.status = LetterStatus.FORWARDED
    letter.forwarded_to = competent_body.strip()
    journal.append(
        letter,
        "forwarded",
        actor=actor,
        actor_role=role,
        payload={
            "to": letter.forwarded_to,
            "reason": reason.strip(),
            "on_time": local_day(letter.akimat, now) <= letter.forward_by,
        },
        now=now,
    )
    notifications.queue_for_resident("forwarded", letter, reason=reason.strip())
    db.session.commit()


def transfer_to_akimat(letter: Letter, target: Akimat, reason: str, actor: User, now: datetime | None = None) -> Letter:
    """Moves a letter outside this akimat's competence to another akimat of the installation: the
    letter is registered there anew (its own number, code and term, from today) and both journals
    record the transfer; the resident gets the new receipt."""
    now = now or utcnow()
    role = _require(actor, Action.FORWARD, letter)
    _lock(letter)
    _require_open(letter)
    if target.id == letter.akimat_id:
        raise LifecycleError(_l("Choose another akimat."))
    if not reason.strip():
        raise LifecycleError(_l("Name the competent body and the reason."))
    category = db.session.scalar(
        select(Category).where(Category.akimat_id == target.id, Category.code == letter.category.code)
    ) or db.session.scalar(select(Category).where(Category.akimat_id == target.id).order_by(Category.id).limit(1))
    copied = {
        name: getattr(letter, name)
        for name in (
            "kind",
            "language",
            "subject",
            "body",
            "surname",
            "given_name",
            "address",
            "patronymic",
            "iin",
            "email",
            "phone",
            "disputed_party",
            "complaint_request",
        )
    }
    received, _code = _register(
        target,
        Submission(category=category, submission_token=f"transfer-{letter.number}", **copied),
        now,
        transferred_from=letter,
    )
    letter.status = LetterStatus.FORWARDED
    letter.forwarded_to = target.name_ru
    letter.transferred_to_id = received.id
    journal.append(
        letter,
        "transferred_out",
        actor=actor,
        actor_role=role,
        payload={
            "to_akimat": target.slug,
            "to_number": received.number,
            "reason": reason.strip(),
            "on_time": local_day(letter.akimat, now) <= letter.forward_by,
        },
        now=now,
    )
    journal.append(
        received,
        "transferred_in",
        actor=actor,
        actor_role=role,
        payload={"from_akimat": letter.akimat.slug, "from_number": letter.number, "reason": reason.strip()},
        now=now,
    )
    notifications.queue_for_resident("forwarded", letter, reason=reason.strip())
    db.session.commit()
    return received


def pending_extension(letter: Letter) -> ExtensionRequest | None:
    return db.session.scalar(
        select(ExtensionRequest).where(
            ExtensionRequest.letter_id == letter.id, ExtensionRequest.status == ExtensionStatus.PENDING
        )
    )


def request_extension(
    letter: Letter, new_deadline: date, reason: str, actor: User, now: datetime | None = None
) -> ExtensionRequest:
    """The department asks the akim for more time, saying why."""
    now = now or utcnow()
    role = _require(actor, Action.REQUEST_EXTENSION, letter)
    _lock(letter)
    if letter.status not in (LetterStatus.ASSIGNED, LetterStatus.IN_CONTROL):
        raise LifecycleError(_l("Only a letter that is with a department can be extended."))
    if pending_extension(letter) is not None:
        raise LifecycleError(_l("A request for more time is already waiting for the akim."))
    _check_new_deadline(letter, new_deadline)
    if not reason.strip():
        raise LifecycleError(_l("Say why more time is needed."))
    request = ExtensionRequest(
        letter_id=letter.id,
        requested_by_id=actor.id,
        requested_deadline=new_deadline,
        reason=reason.strip(),
        requested_at=now,
    )
    db.session.add(request)
    journal.append(
        letter,
        "extension_requested",
        actor=actor,
        actor_role=role,
        payload={"deadline": new_deadline.isoformat(), "reason": reason.strip()},
        now=now,
    )
    for akim in _members(letter.akimat, Role.AKIM):
        notifications.queue_for_staff(
            "extension_requested",
            akim,
            letter.akimat,
            letter=letter,
            build=lambda: notifications.extension_request_message(letter, new_deadline, reason),
        )
    db.session.commit()
    return request


def _check_new_deadline(letter: Letter, new_deadline: date) -> None:
    latest = deadlines.latest_extension(letter.original_deadline)
    if new_deadline <= letter.deadline:
        raise LifecycleError(_l("The new date must be after the current deadline."))
    if new_deadline > latest:
        raise LifecycleError(
            _l(
                "The law allows an extension by at most two months: the latest date is %(date)s.",
                date=format_date(latest, "long"),
            )
        )
    if not calendar_for(letter.akimat_id).is_working_day(new_deadline):
        raise LifecycleError(_l("Choose a working day."))


def decide_extension(
    request: ExtensionRequest, approve: bool, reason: str, actor: User, now: datetime | None = None
) -> None:
    """The akim or a deputy grants or refuses more time by a reasoned decision; if granted, the
    resident is told the new date and the reason at once (the law allows 3 working days)."""
    now = now or utcnow()
    letter = request.letter
    role = _require(actor, Action.DECIDE_EXTENSION, letter)
    _lock(letter)
    if request.status is not ExtensionStatus.PENDING:
        raise LifecycleError(_l("This request has already been decided."))
    if not reason.strip():
        raise LifecycleError(_l("A decision on the term must give its reasons."))
    request.decided_by_id, request.decided_at, request.decision_reason = actor.id, now, reason.strip()
    if not approve:
        request.status = ExtensionStatus.REJECTED
        journal.append(
            letter, "extension_refused", actor=actor, actor_role=role, payload={"reason": reason.strip()}, now=now
        )
        db.session.commit()
        return
    _require_open(letter)
    _check_new_deadline(letter, request.requested_deadline)
    request.status = ExtensionStatus.APPROVED
    previous = letter.deadline
    letter.deadline = request.requested_deadline
    letter.reminded = None
    journal.append(
        letter,
        "extended",
        actor=actor,
        actor_role=role,
        payload={
            "deadline": letter.deadline.isoformat(),
            "previous_deadline": previous.isoformat(),
            "reason": reason.strip(),
        },
        now=now,
    )
    notifications.queue_for_resident("extended", letter, reason=reason.strip())
    db.session.commit()


def notify_preliminary_refusal(letter: Letter, grounds: str, actor: User, now: datetime | None = None) -> None:
    """The right to be heard (APPK art. 73): the resident learns of the intended refusal and its
    grounds, and may state a position before the refusal can be sent."""
    now = now or utcnow()
    role = _require(actor, Action.ANSWER, letter)
    _lock(letter)
    if letter.status is not LetterStatus.ASSIGNED:
        raise LifecycleError(_l("Only a letter that is with a department can be answered."))
    if letter.hearing_notified_on is not None:
        raise LifecycleError(_l("The resident has already been told of the preliminary decision."))
    if not grounds.strip():
        raise LifecycleError(_l("Give the grounds of the intended refusal."))
    today = local_day(letter.akimat, now)
    letter.hearing_notified_on = today
    letter.hearing_until = deadlines.refusal_possible_from(today, calendar_for(letter.akimat_id))
    journal.append(
        letter,
        "hearing_notice",
        actor=actor,
        actor_role=role,
        payload={"grounds": grounds.strip(), "until": letter.hearing_until.isoformat()},
        now=now,
    )
    notifications.queue_for_resident("hearing_notice", letter, grounds=grounds.strip())
    db.session.commit()


def state_position(letter: Letter, text: str, now: datetime | None = None) -> None:
    """The resident's reply to a preliminary refusal, attached to the letter for control."""
    now = now or utcnow()
    _lock(letter)
    if letter.hearing_notified_on is None or letter.status is not LetterStatus.ASSIGNED:
        raise LifecycleError(_l("There is no preliminary decision to reply to."))
    if not text.strip():
        raise LifecycleError(_l("Write your position."))
    journal.append(
        letter, "position_stated", actor=None, actor_role="resident", payload={"text": text.strip()}, now=now
    )
    db.session.commit()


def submit_draft(
    letter: Letter,
    actor: User,
    decision: Decision,
    body: str,
    reasons: str = "",
    legal_basis: str = "",
    appeal_procedure: str = "",
    now: datetime | None = None,
) -> Answer:
    """The department's draft answer goes to control."""
    now = now or utcnow()
    role = _require(actor, Action.ANSWER, letter)
    _lock(letter)
    if letter.status is not LetterStatus.ASSIGNED:
        raise LifecycleError(_l("Only a letter that is with a department can be answered."))
    if not body.strip():
        raise LifecycleError(_l("Write the answer."))
    if decision.needs_grounds and not (reasons.strip() and legal_basis.strip() and appeal_procedure.strip()):
        raise LifecycleError(
            _l("A refusal or leaving without consideration needs the reasons, the legal basis and how to appeal.")
        )
    _check_hearing(letter, decision, now)
    answer = Answer(
        letter=letter,
        author_id=actor.id,
        department_id=letter.department_id,
        decision=decision,
        body=body.strip(),
        reasons=reasons.strip() or None,
        legal_basis=legal_basis.strip() or None,
        appeal_procedure=appeal_procedure.strip() or None,
        created_at=now,
        status=AnswerStatus.SUBMITTED,
        language=letter.language,
        body_fingerprint=quality.fingerprint(body),
    )
    db.session.add(answer)
    letter.status = LetterStatus.IN_CONTROL
    db.session.flush()
    journal.append(
        letter,
        "draft_submitted",
        actor=actor,
        actor_role=role,
        payload={"answer_id": answer.id, "decision": decision.value},
        now=now,
    )
    db.session.commit()
    return answer


def _check_hearing(letter: Letter, decision: Decision, now: datetime) -> None:
    """A refusal waits until the resident could be heard (APPK art. 73)."""
    if decision is not Decision.REFUSED:
        return
    if letter.hearing_until is None:
        raise LifecycleError(
            _l("Before a refusal, tell the resident of the preliminary decision: they have the right to be heard.")
        )
    if local_day(letter.akimat, now) < letter.hearing_until:
        raise LifecycleError(
            _l(
                "The resident may state a position until %(date)s; the refusal can be sent from that day.",
                date=format_date(letter.hearing_until, "long"),
            )
        )


def return_draft(letter: Letter, comment: str, actor: User, now: datetime | None = None) -> None:
    """Control sends a poor draft (or a disputed answer) back to the department for rework."""
    now = now or utcnow()
    role = _require(actor, Action.CONTROL, letter)
    _lock(letter)
    if letter.status not in (LetterStatus.IN_CONTROL, LetterStatus.DISPUTED):
        raise LifecycleError(_l("There is no draft or disputed answer to return."))
    if not comment.strip():
        raise LifecycleError(_l("Say what must be reworked."))
    draft = letter.draft
    if draft is not None:
        draft.status, draft.control_comment, draft.controlled_by_id = AnswerStatus.RETURNED, comment.strip(), actor.id
        ratings.record(draft.department_id, returned=1)
    letter.status = LetterStatus.ASSIGNED
    journal.append(
        letter,
        "returned",
        actor=actor,
        actor_role=role,
        payload={
            "answer_id": draft.id if draft else None,
            "comment": comment.strip(),
            "department_id": letter.department_id,
        },
        now=now,
    )
    for executor in _members(letter.akimat, Role.EXECUTOR, letter.department_id):
        notifications.queue_for_staff(
            "returned",
            executor,
            letter.akimat,
            letter=letter,
            build=lambda: notifications.returned_message(letter, comment.strip()),
        )
    db.session.commit()


def approve_draft(letter: Letter, actor: User, now: datetime | None = None) -> Answer:
    """Control approves the draft: it is sent to the resident at once."""
    now = now or utcnow()
    role = _require(actor, Action.CONTROL, letter)
    _lock(letter)
    draft = letter.draft
    if letter.status is not LetterStatus.IN_CONTROL or draft is None:
        raise LifecycleError(_l("There is no draft waiting for control."))
    problems = quality.problems_with(draft, letter, now)
    if problems:
        raise QualityProblems(problems)
    _check_hearing(letter, draft.decision, now)
    draft.status, draft.sent_at, draft.controlled_by_id = AnswerStatus.SENT, now, actor.id
    ratings.record(draft.department_id, sent=1)
    letter.status = LetterStatus.ANSWERED
    letter.answered_at = now
    letter.rating = letter.rating_comment = None  # a new answer waits for its own rating
    journal.append(
        letter,
        "answer_sent",
        actor=actor,
        actor_role=role,
        payload={"answer_id": draft.id, "decision": draft.decision.value},
        now=now,
    )
    notifications.queue_for_resident("answer_sent", letter)
    db.session.commit()
    return draft


class QualityProblems(LifecycleError):
    def __init__(self, problems):
        super().__init__(problems[0])
        self.problems = problems


def uphold_answer(letter: Letter, comment: str, actor: User, now: datetime | None = None) -> None:
    """Control finds a disputed answer right, and tells the resident why."""
    now = now or utcnow()
    role = _require(actor, Action.CONTROL, letter)
    _lock(letter)
    if letter.status is not LetterStatus.DISPUTED:
        raise LifecycleError(_l("Only a disputed answer can be upheld."))
    if not comment.strip():
        raise LifecycleError(_l("Tell the resident why the answer stands."))
    letter.status = LetterStatus.ANSWERED
    journal.append(letter, "upheld", actor=actor, actor_role=role, payload={"comment": comment.strip()}, now=now)
    notifications.queue_for_resident("upheld", letter, comment=comment.strip())
    db.session.commit()


def instruct(letter: Letter, text: str, actor: User, now: datetime | None = None) -> None:
    """The akim's instruction (резолюция): the department sees it on the letter."""
    now = now or utcnow()
    role = _require(actor, Action.INSTRUCT, letter)
    _lock(letter)
    if not text.strip():
        raise LifecycleError(_l("Write the instruction."))
    journal.append(letter, "instruction", actor=actor, actor_role=role, payload={"text": text.strip()}, now=now)
    db.session.commit()


DISPUTING_RATING = 2  # a rating of 1 or 2 reopens the letter to control


def rate(letter: Letter, score: int, comment: str = "", now: datetime | None = None) -> None:
    """The resident's rating of the answer, 1 (poor) to 5 (good), once per answer; 1 or 2 is a
    dispute and reopens the letter to control with the resident's words."""
    now = now or utcnow()
    _lock(letter)
    answer = letter.sent_answer
    if letter.status is not LetterStatus.ANSWERED or answer is None:
        raise LifecycleError(_l("Only an answered letter can be rated."))
    if answer.rating is not None:
        raise LifecycleError(_l("This answer has already been rated."))
    if not 1 <= score <= 5:
        raise LifecycleError(_l("Choose a rating from 1 to 5."))
    answer.rating, answer.rating_comment = score, comment.strip() or None
    ratings.record(answer.department_id, rated=1, rating_sum=score)
    letter.rating, letter.rating_comment = score, comment.strip() or None
    journal.append(
        letter,
        "rated",
        actor=None,
        actor_role="resident",
        payload={"rating": score, "comment": letter.rating_comment},
        now=now,
    )
    if score <= DISPUTING_RATING:
        _reopen(letter, answer, comment.strip(), now)
    db.session.commit()


def dispute(letter: Letter, text: str, now: datetime | None = None) -> None:
    """The resident disputes the answer in their own words: the letter goes back to control."""
    now = now or utcnow()
    _lock(letter)
    answer = letter.sent_answer
    if letter.status is not LetterStatus.ANSWERED or answer is None:
        raise LifecycleError(_l("Only an answered letter can be disputed."))
    if answer.disputed:
        raise LifecycleError(_l("This answer is already disputed."))
    if not text.strip():
        raise LifecycleError(_l("Say what is wrong with the answer."))
    _reopen(letter, answer, text.strip(), now)
    db.session.commit()


def _reopen(letter: Letter, answer: Answer, words: str, now: datetime) -> None:
    if not answer.disputed:  # an answer counts as disputed once, however often it is reopened
        ratings.record(answer.department_id, disputed=1)
    answer.disputed = True
    letter.status = LetterStatus.DISPUTED
    journal.append(
        letter, "disputed", actor=None, actor_role="resident", payload={"answer_id": answer.id, "text": words}, now=now
    )


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
        if calendar.add_working_days(local_day(akimat, letter.answered_at), days) > today:
            continue
        _lock(letter)
        letter.status = LetterStatus.CLOSED
        journal.append(
            letter, "closed", actor=None, actor_role="system", payload={"rated": letter.rating is not None}, now=now
        )
        db.session.commit()
        closed += 1
    return closed


def _members(akimat: Akimat, role: Role, department_id: int | None = None) -> list[User]:
    stmt = (
        select(User)
        .join(Membership)
        .where(Membership.akimat_id == akimat.id, Membership.role == role, User.active.is_(True))
    )
    if department_id is not None:
        stmt = stmt.where(Membership.department_id == department_id)
    return list(db.session.scalars(stmt.distinct()))


def remind_deadlines(akimat: Akimat, now: datetime | None = None) -> int:
    """Queues one reminder per letter when it becomes due soon and one when it becomes overdue,
    to the department's executors (or the registrars while unrouted). Returns how many letters."""
    now = now or utcnow()
    today = local_day(akimat, now)
    calendar = calendar_for(akimat.id)
    horizon = deadlines.due_soon_horizon(today, calendar)
    letters = db.session.scalars(
        select(Letter)
        .where(Letter.akimat_id == akimat.id, Letter.status.in_(LetterStatus.unresolved()), Letter.deadline <= horizon)
        .order_by(Letter.id)
    ).all()
    reminded = 0
    for letter in letters:
        state = deadline_state(letter.deadline, today, calendar)
        if state is DeadlineState.ON_TIME or letter.reminded == state.value:
            continue
        _lock(letter)
        letter.reminded = state.value
        journal.append(
            letter,
            f"reminder_{state.value}",
            actor=None,
            actor_role="system",
            payload={"deadline": letter.deadline.isoformat()},
            now=now,
        )
        recipients = (
            _members(akimat, Role.EXECUTOR, letter.department_id)
            if letter.department_id
            else _members(akimat, Role.REGISTRAR)
        )
        for user in recipients:
            notifications.queue_for_staff(
                f"reminder_{state.value}",
                user,
                akimat,
                letter=letter,
                build=lambda letter=letter, state=state: notifications.reminder_message(letter, state.value),
            )
        db.session.commit()
        reminded += 1
    return reminded
