"""Submitted and registered (APPK art. 64): a letter gets its number, code and deadline at once."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ...extensions import db
from ...models import Akimat, Attachment, Category, Letter, LetterChannel, LetterKind, LetterStatus, User
from ...models._common import utcnow
from .. import deadlines, events, journal, notifications
from ..access_codes import hash_access_code, new_access_code
from ..calendar import calendar_for, local_day
from ..numbering import next_sequence, registration_number
from ..repeats import find_earlier_letter


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
    # How it arrived; a registrar enters all but the web form's (registered_by, and the sender's
    # own outgoing or e-Otinish number, which no second letter of the channel may repeat).
    channel: LetterChannel = LetterChannel.WEB
    sender_reference: str | None = None
    registered_by: User | None = None
    # Anonymous: no name, no address; surname, given_name and address are then empty.
    anonymous: bool = False
    organisation_name: str | None = None
    organisation_bin: str | None = None
    signatory_position: str | None = None
    cosignatories: list[dict] | None = None  # a collective letter's other signatories
    paper_answer: bool = False


def find_by_token(akimat: Akimat, token: str) -> Letter | None:
    """The letter a form already sent (a re-posted form registers nothing twice)."""
    return db.session.scalar(select(Letter).where(Letter.akimat_id == akimat.id, Letter.submission_token == token))


def submit(
    akimat: Akimat, submission: Submission, now: datetime | None = None, files: Sequence = ()
) -> tuple[Letter, str]:
    """Registers a resident's letter: number, access code, deadline, its files and the receipt
    notification, committed together. Returns the letter and its access code, which exists in
    clear nowhere else. `files` are already stored (domain.attachments.keep)."""
    letter, code = register(akimat, submission, now or utcnow(), files=files)
    db.session.commit()
    return letter, code


def register(
    akimat: Akimat,
    submission: Submission,
    now: datetime,
    transferred_from: Letter | None = None,
    files: Sequence = (),
) -> tuple[Letter, str]:
    """The letter's rows and first two events, in the caller's transaction (not committed)."""
    calendar = calendar_for(akimat.id)
    # Numbered in the year of the day it arrived; its terms run from the day it counts as received.
    arrived_on = local_day(akimat, now)
    received_on = deadlines.counts_from(akimat, now, calendar)
    deadline = deadlines.deadline_for(submission.kind, received_on, calendar)
    repeat_of = None if transferred_from or submission.anonymous else find_earlier_letter(akimat, submission, now)
    code = new_access_code()
    # What needs no number is done first: the counter's row lock, which numbers the akimat's
    # letters one at a time, is held only for the inserts and the commit.
    seq = next_sequence(akimat, arrived_on.year)
    number = registration_number(akimat, arrived_on.year, seq)
    fields = {k: v for k, v in vars(submission).items() if k not in ("category", "registered_by")}
    # Kept as the resident's contact is matched later ("My letters", repeated letters): lower-case.
    if fields.get("email"):
        fields["email"] = fields["email"].lower()
    # Decided once, as the contacts never change: the answer goes on paper too when the resident
    # asked, or when a signed letter gave only a postal address (an anonymous one gave none).
    fields["paper_answer"] = submission.paper_answer or not (
        submission.anonymous or submission.email or submission.phone
    )
    letter = Letter(
        akimat_id=akimat.id,
        number=number,
        year=arrived_on.year,
        seq=seq,
        counts_from=received_on,
        registered_by_id=submission.registered_by.id if submission.registered_by else None,
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
                original_sha256=f.original_sha256,
                storage_name=f.storage_name,
                created_at=now,
            )
        )
    # The files' hashes, as sent and as stored, are sealed in the journal with the letter.
    submitted = events.Submitted(
        kind=letter.kind.value,
        subject=letter.subject,
        repeat_of=letter.repeat_of.number if letter.repeat_of else None,
        files=[f.sha256 for f in files],
        original_files=[f.original_sha256 for f in files],
        channel=letter.channel.value,
        sender_reference=letter.sender_reference,
        anonymous=letter.anonymous,
    )
    # A letter entered by a registrar is sealed as theirs: the record says who typed it in.
    by = submission.registered_by
    journal.append(letter, submitted, actor=by, actor_role="registrar" if by else "resident", now=now)
    registered = events.Registered(number=number, deadline=deadline, forward_by=letter.forward_by)
    journal.append(letter, registered, actor=None, actor_role="system", now=now)
    notifications.queue_for_resident("receipt", letter, secret=code)
    return letter, code
