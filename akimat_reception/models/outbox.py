"""Notifications waiting to be delivered, written in the same transaction as the change they report."""

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ._common import UTCDateTime, enum_column, utcnow


class Channel(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a sender; left so only if it died mid-send (never resent blindly)
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry


class OutboxMessage(Model):
    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    akimat_id: Mapped[int] = mapped_column(ForeignKey("akimat.id"), index=True)
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("letter.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, length=20))
    recipient: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(2))
    subject: Mapped[str] = mapped_column(String(300), default="")
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # A secret (the access code) kept apart from the body and erased once delivered.
    secret: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_column(DeliveryStatus, length=20), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    meta: Mapped[dict] = mapped_column(JSON, default=dict)
