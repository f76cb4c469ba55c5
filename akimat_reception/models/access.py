"""How a resident gets back to a letter without an account: reissued access codes, the one-click
link in every email and SMS, and the one-time codes of "My letters"."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ._common import UTCDateTime, utcnow
from .letters import Letter


class AccessCode(Model):
    """A code issued again after the first was lost: generation n of the letter's code (the first,
    generation 0, is the letter's own access_code_hash). Only the letter's current generation opens it."""

    __tablename__ = "access_code"
    __table_args__ = (UniqueConstraint("letter_id", "generation"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id"))
    generation: Mapped[int]
    code_hash: Mapped[str] = mapped_column(String(64))
    # "contact": sent to the email or phone on the letter; "chancellery": handed over in person
    # after the ID card was checked, by `issued_by`.
    issued_via: Mapped[str] = mapped_column(String(20))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    letter: Mapped[Letter] = relationship()


class LetterLink(Model):
    """The one-click link of a letter's messages: a short token, kept only as its hash, that opens
    the letter for its whole life while the code of its generation is current."""

    __tablename__ = "letter_link"
    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id"), index=True)
    generation: Mapped[int]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    letter: Mapped[Letter] = relationship()


class ContactCode(Model):
    """A one-time code sent to an email or phone for "My letters"; the row stays as the record of
    the access (when it was used and how many letters it showed). `contact` is normalised
    (lower-case email, E.164 phone); `client` a hash of the requesting address."""

    __tablename__ = "contact_code"
    __table_args__ = (
        Index("ix_contact_code_contact_created", "contact", "created_at"),
        Index("ix_contact_code_client_created", "client", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    contact: Mapped[str] = mapped_column(String(254))
    client: Mapped[str] = mapped_column(String(64))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    letters_shown: Mapped[int | None]
