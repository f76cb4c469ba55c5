"""Letters (обращение / өтініш) from residents, and the answers to them."""

import enum
from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, Date, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ._common import UTCDateTime, enum_column, utcnow
from .people import User
from .tenancy import Akimat, Category, Department


class LetterKind(enum.StrEnum):
    APPLICATION = "application"
    COMPLAINT = "complaint"
    PROPOSAL = "proposal"
    REQUEST = "request"
    RESPONSE = "response"
    MESSAGE = "message"  # сообщение / хабарлама: informs of a problem, asks for nothing (APPK art. 4)


class LetterChannel(enum.StrEnum):
    """How the letter reached the akimat. All but WEB are entered by a registrar (APPK art. 64)."""

    WEB = "web"  # the resident's own form on this site
    PAPER = "paper"  # brought to the chancellery
    POST = "post"
    PHONE = "phone"  # an oral appeal by telephone, written down by the registrar
    EMAIL = "email"
    IN_PERSON = "in_person"  # an oral appeal in person, written into a protocol (APPK art. 63)
    E_OTINISH = "e_otinish"  # passed on from the e-Otinish portal, with its number

    @property
    def is_oral(self) -> bool:
        return self in (LetterChannel.PHONE, LetterChannel.IN_PERSON)


class LetterStatus(enum.StrEnum):
    REGISTERED = "registered"  # received and numbered, waiting for the registrar
    ASSIGNED = "assigned"  # routed to a department, being answered
    IN_CONTROL = "in_control"  # a draft answer waits for the controller
    ANSWERED = "answered"  # the answer has been sent to the resident
    DISPUTED = "disputed"  # the resident disputed the answer: back with control
    FORWARDED = "forwarded"  # outside the akimat's competence: sent on to the competent body
    # An anonymous letter reporting no crime and no threat to public safety: registered and seen
    # by the akim, not considered (see domain/anonymous.py for the rule and its basis).
    NOT_CONSIDERED = "not_considered"
    CLOSED = "closed"  # answered, and the time to rate or dispute it has passed

    @classmethod
    def unresolved(cls) -> tuple["LetterStatus", ...]:
        """What the akim sees until it is answered: nothing a staff member does hides it."""
        return (cls.REGISTERED, cls.ASSIGNED, cls.IN_CONTROL, cls.DISPUTED)


class Decision(enum.StrEnum):
    SATISFIED = "satisfied"
    PARTLY_SATISFIED = "partly_satisfied"
    EXPLAINED = "explained"
    REFUSED = "refused"
    WITHOUT_CONSIDERATION = "without_consideration"

    @property
    def needs_grounds(self) -> bool:
        """A negative decision must say why, under which law, and how to appeal."""
        return self in (Decision.REFUSED, Decision.WITHOUT_CONSIDERATION)


class Letter(Model):
    __tablename__ = "letter"
    __table_args__ = (
        UniqueConstraint("akimat_id", "number"),
        UniqueConstraint("akimat_id", "year", "seq"),
        UniqueConstraint("akimat_id", "submission_token"),
        # The sender's own outgoing number (or e-Otinish's): one letter is never registered twice.
        UniqueConstraint("akimat_id", "channel", "sender_reference"),
        # The akim's dashboard and the inboxes: each status's letters by deadline (a list of several
        # statuses merges one index range per status), and the dashboard's counts from the index alone.
        Index(
            "ix_letter_akimat_status_deadline_cover",
            "akimat_id",
            "status",
            "deadline",
            "id",
            "department_id",
            "transfer_count",
        ),
        Index("ix_letter_akimat_department_status_deadline", "akimat_id", "department_id", "status", "deadline", "id"),
        # "All letters", the nearest deadline first.
        Index("ix_letter_akimat_deadline", "akimat_id", "deadline", "id"),
        # The same person's earlier letters (by IIN, email or phone, within 90 days) and the day's new ones.
        Index("ix_letter_akimat_received", "akimat_id", "received_at"),
        Index("ix_letter_akimat_email", "akimat_id", "email", "received_at"),
        Index("ix_letter_akimat_phone", "akimat_id", "phone", "received_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    akimat_id: Mapped[int] = mapped_column(ForeignKey("akimat.id"))
    number: Mapped[str] = mapped_column(String(24))
    year: Mapped[int]
    seq: Mapped[int]
    submission_token: Mapped[str] = mapped_column(String(64))
    access_code_hash: Mapped[str] = mapped_column(String(64))

    kind: Mapped[LetterKind] = mapped_column(enum_column(LetterKind))
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"))
    language: Mapped[str] = mapped_column(String(2))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    disputed_party: Mapped[str | None] = mapped_column(String(300))
    complaint_request: Mapped[str | None] = mapped_column(Text)

    surname: Mapped[str] = mapped_column(String(100))
    given_name: Mapped[str] = mapped_column(String(100))
    patronymic: Mapped[str | None] = mapped_column(String(100))
    iin: Mapped[str | None] = mapped_column(String(12), index=True)
    address: Mapped[str] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164

    channel: Mapped[LetterChannel] = mapped_column(
        enum_column(LetterChannel, length=20), default=LetterChannel.WEB, server_default="web"
    )
    sender_reference: Mapped[str | None] = mapped_column(String(60))
    # The registrar who accepted a letter that did not come through the web form (its receipt slip
    # names them); empty for the resident's own form.
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The day the letter counts as received (APPK art. 64): the next working day for one that
    # arrived after the akimat's hours or on a day off. Empty for letters older than the rule.
    counts_from: Mapped[date | None] = mapped_column(Date)
    anonymous: Mapped[bool] = mapped_column(default=False, server_default=false())
    # A letter from an organisation: its name and BIN; the person above signed it, in this position.
    organisation_name: Mapped[str | None] = mapped_column(String(300))
    organisation_bin: Mapped[str | None] = mapped_column(String(12))
    signatory_position: Mapped[str | None] = mapped_column(String(200))
    # A collective letter: the other signatories, [{"name": ..., "address": ...}]; the person above is the contact.
    cosignatories: Mapped[list | None] = mapped_column(JSON)
    # The answer goes out on paper as well (only a postal address, or the resident asked).
    paper_answer: Mapped[bool] = mapped_column(default=False, server_default=false())
    # 0: the code issued at registration (access_code_hash); n: the n-th reissued one (AccessCode).
    code_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    status: Mapped[LetterStatus] = mapped_column(enum_column(LetterStatus))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    # The named executor within the department who answers it; empty: the department holds it.
    executor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline: Mapped[date] = mapped_column(Date)
    # The term the law gave at registration; extensions may not go beyond it plus two months.
    original_deadline: Mapped[date] = mapped_column(Date)
    # While unrouted: the last day to forward a letter outside the akimat's competence.
    forward_by: Mapped[date] = mapped_column(Date)
    transfer_count: Mapped[int] = mapped_column(default=0)
    # Hash of the newest journal event: cutting events off the end of the chain shows here.
    journal_head: Mapped[str] = mapped_column(String(64), default="")
    # The last deadline reminder queued: "due_soon" or "overdue", so each is sent once.
    reminded: Mapped[str | None] = mapped_column(String(10))
    # The right to be heard before a refusal: the resident was told on this day, and the refusal
    # may be taken from `hearing_until` on.
    hearing_notified_on: Mapped[date | None] = mapped_column(Date)
    hearing_until: Mapped[date | None] = mapped_column(Date)
    forwarded_to: Mapped[str | None] = mapped_column(String(300))
    # The earlier letter of the same person on a similar subject (within 90 days), if any.
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("letter.id"), index=True)
    # The letter of another akimat this one was transferred to, or from.
    transferred_to_id: Mapped[int | None] = mapped_column(ForeignKey("letter.id"))
    transferred_from_id: Mapped[int | None] = mapped_column(ForeignKey("letter.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rating: Mapped[int | None]
    rating_comment: Mapped[str | None] = mapped_column(Text)

    akimat: Mapped[Akimat] = relationship()
    category: Mapped[Category] = relationship()
    department: Mapped[Department | None] = relationship()
    executor: Mapped[User | None] = relationship(foreign_keys=[executor_id])
    registered_by: Mapped[User | None] = relationship(foreign_keys=[registered_by_id])
    answers: Mapped[list["Answer"]] = relationship(back_populates="letter", order_by="Answer.id")
    attachments: Mapped[list["Attachment"]] = relationship(order_by="Attachment.id")
    repeat_of: Mapped[Optional["Letter"]] = relationship(remote_side=[id], foreign_keys=[repeat_of_id])
    transferred_to: Mapped[Optional["Letter"]] = relationship(remote_side=[id], foreign_keys=[transferred_to_id])
    transferred_from: Mapped[Optional["Letter"]] = relationship(remote_side=[id], foreign_keys=[transferred_from_id])

    @property
    def resident_name(self) -> str:
        return " ".join(p for p in (self.surname, self.given_name, self.patronymic) if p)

    @property
    def is_collective(self) -> bool:
        return bool(self.cosignatories)

    @property
    def from_organisation(self) -> bool:
        return bool(self.organisation_name)

    @property
    def sent_answer(self) -> Optional["Answer"]:
        sent = [a for a in self.answers if a.sent_at is not None]
        return sent[-1] if sent else None

    @property
    def draft(self) -> Optional["Answer"]:
        """The answer waiting for control, if any."""
        return next((a for a in reversed(self.answers) if a.status is AnswerStatus.SUBMITTED), None)

    @property
    def returned_drafts(self) -> list["Answer"]:
        return [a for a in self.answers if a.status is AnswerStatus.RETURNED]


class AnswerStatus(enum.StrEnum):
    SUBMITTED = "submitted"  # the executor's draft, with control
    RETURNED = "returned"  # control sent it back for rework, with a comment
    SENT = "sent"  # approved by control and sent to the resident


class Answer(Model):
    """The akimat's reply, written in the letter's language: a draft until control approves it."""

    __tablename__ = "answer"
    __table_args__ = (
        Index("ix_answer_department_sent", "department_id", "sent_at"),
        Index("ix_answer_fingerprint_created", "body_fingerprint", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # The department that wrote it: ratings and returns are counted against it.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    status: Mapped[AnswerStatus] = mapped_column(enum_column(AnswerStatus), default=AnswerStatus.SUBMITTED)
    language: Mapped[str] = mapped_column(String(2), default="ru")
    body_fingerprint: Mapped[str] = mapped_column(String(64), default="")
    control_comment: Mapped[str | None] = mapped_column(Text)
    controlled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    rating: Mapped[int | None]
    rating_comment: Mapped[str | None] = mapped_column(Text)
    disputed: Mapped[bool] = mapped_column(default=False)
    decision: Mapped[Decision] = mapped_column(enum_column(Decision))
    body: Mapped[str] = mapped_column(Text)
    reasons: Mapped[str | None] = mapped_column(Text)
    legal_basis: Mapped[str | None] = mapped_column(Text)
    appeal_procedure: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The answer as an official letter on paper: its outgoing number and signer, and when and how
    # it left (AnswerDispatch: "post" or "handed").
    outgoing_number: Mapped[str | None] = mapped_column(String(40))
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dispatch: Mapped[str | None] = mapped_column(String(20))

    letter: Mapped[Letter] = relationship(back_populates="answers")
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    controlled_by: Mapped[User | None] = relationship(foreign_keys=[controlled_by_id])
    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id])


class ExtensionStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class ExtensionRequest(Model):
    """An executor asks for more time; the akim or a deputy decides, giving reasons."""

    __tablename__ = "extension_request"
    __table_args__ = (Index("ix_extension_request_status_time", "status", "requested_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    requested_deadline: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[ExtensionStatus] = mapped_column(enum_column(ExtensionStatus), default=ExtensionStatus.PENDING)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    letter: Mapped[Letter] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class AnswerTemplate(Model):
    """A department's canned paragraph in one language, inserted into answers and then edited."""

    __tablename__ = "answer_template"
    __table_args__ = (Index("ix_answer_template_department_language", "department_id", "language"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    akimat_id: Mapped[int] = mapped_column(ForeignKey("akimat.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    language: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    akimat: Mapped[Akimat] = relationship()
    department: Mapped[Department] = relationship()


class RoutingModel(Model):
    """The akimat's department classifier, trained on its own past routing decisions."""

    __tablename__ = "routing_model"
    id: Mapped[int] = mapped_column(primary_key=True)
    akimat_id: Mapped[int] = mapped_column(ForeignKey("akimat.id"), index=True)
    trained_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    samples: Mapped[int]
    holdout_accuracy: Mapped[float | None]
    blob: Mapped[bytes] = mapped_column(LargeBinary)


class LetterCounter(Model):
    """The last registration number issued per akimat and year: numbers stay gap-free."""

    __tablename__ = "letter_counter"
    akimat_id: Mapped[int] = mapped_column(ForeignKey("akimat.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)


class Attachment(Model):
    """A file a resident sent with a letter: kept outside static/ under a random name; its type was
    read from the content, not the name. `sha256` is the stored file's hash; `original_sha256` the
    hash of the bytes the resident sent, which differ for photos (re-encoded without their
    metadata) and are the same for PDF and DOCX. Null only if unknown."""

    __tablename__ = "attachment"
    id: Mapped[int] = mapped_column(primary_key=True)
    akimat_id: Mapped[int] = mapped_column(ForeignKey("akimat.id"))
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id"), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    original_sha256: Mapped[str | None] = mapped_column(String(64))
    storage_name: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
