"""The append-only, hash-chained journal of everything that happens to a letter."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ._common import UTCDateTime, utcnow
from .people import User


class Event(Model):
    __tablename__ = "event"
    __table_args__ = (
        UniqueConstraint("letter_id", "seq"),
        # An akimat's events in the order written: "the events since the last check" is a range.
        Index("ix_event_akimat_id_id", "akimat_id", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    akimat_id: Mapped[int] = mapped_column(ForeignKey("akimat.id"))
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id"))
    seq: Mapped[int]  # 1, 2, 3 ... within the letter
    kind: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_role: Mapped[str] = mapped_column(String(20))  # "resident", "registrar", "system" ...
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    actor: Mapped[User | None] = relationship()


class PersonalDataAccess(Model):
    """A staff member saw a resident's name, IIN or contacts: who, which letter, when."""

    __tablename__ = "personal_data_access"
    id: Mapped[int] = mapped_column(primary_key=True)
    akimat_id: Mapped[int] = mapped_column(ForeignKey("akimat.id"))
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    accessed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    path: Mapped[str] = mapped_column(String(300))

    user: Mapped[User] = relationship()
    letter = relationship("Letter")

    __table_args__ = (Index("ix_personal_data_access_akimat_time", "akimat_id", "accessed_at"),)


class JournalCheck(Model):
    """A complete check of an akimat's journals: when, how much, what was found. Every event up to
    `through_event_id` existed when it started; letters changed later are checked again."""

    __tablename__ = "journal_check"
    __table_args__ = (Index("ix_journal_check_akimat_finished", "akimat_id", "finished_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    akimat_id: Mapped[int] = mapped_column(ForeignKey("akimat.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    through_event_id: Mapped[int]
    letters: Mapped[int]
    events: Mapped[int]
    breaks: Mapped[list] = mapped_column(JSON, default=list)  # [{"number", "seq", "problem"}]
    # The sealed record: the tree size verified (and checkpointed), and whether every entry was
    # re-checked (a full audit) or only those since the last check (incremental).
    verified_size: Mapped[int | None]
    full: Mapped[bool] = mapped_column(default=False, server_default=false())
    seconds: Mapped[float | None]


class AdminEvent(Model):
    """An administrative change — an akimat created, moved or renamed, a department retired, a
    person invited, given a role, deactivated, their second factor reset: who, what, before and
    after. Append-only like the letters' journal; `akimat_id` is empty for the platform's own."""

    __tablename__ = "admin_event"
    __table_args__ = (Index("ix_admin_event_akimat_id_id", "akimat_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    akimat_id: Mapped[int | None] = mapped_column(ForeignKey("akimat.id"))
    kind: Mapped[str] = mapped_column(String(40))
    # What changed: "akimat", "department", "category", "user", "membership", "invitation" and its id.
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int | None]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    before: Mapped[dict] = mapped_column(JSON, default=dict)
    after: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()
