"""The append-only, hash-chained journal of everything that happens to a letter."""
from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._common import UTCDateTime, utcnow
from .people import User


class Event(db.Model):
    __tablename__ = "event"
    __table_args__ = (UniqueConstraint("letter_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    akimat_id: Mapped[int] = mapped_column(ForeignKey("akimat.id"), index=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id"))
    seq: Mapped[int]  # 1, 2, 3 ... within the letter
    kind: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    actor_role: Mapped[str] = mapped_column(String(20))  # "resident", "registrar", "system" ...
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    actor: Mapped[Optional[User]] = relationship()


class PersonalDataAccess(db.Model):
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
