"""Notifications waiting to be delivered, written in the same transaction as the change they report;
the worker's bookkeeping beside them: which daily job ran for which akimat and day, and who is alive."""

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ._common import UTCDateTime, enum_column, utcnow


class Channel(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a worker until `lease_until`; past it, the worker is presumed dead
    SENT = "sent"  # confirmed by the server or gateway: never sent again
    HELD = "held"  # not sent and not retried: no real channel is configured (the reason in last_error)
    FAILED = "failed"  # gave up after the last retry


class OutboxMessage(Model):
    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    # Empty for mail that belongs to no akimat (a platform administrator's password reset).
    akimat_id: Mapped[int | None] = mapped_column(ForeignKey("akimat.id"), index=True)
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
    # Fixed at the first claim and kept on every retry: the email's Message-ID, the SMS gateway's
    # idempotency key. A resend after an uncertain outcome is thus recognisable as the same message.
    message_id: Mapped[str | None] = mapped_column(String(255))
    # The claim (worker id and batch) that holds or last held the message, and until when.
    claimed_by: Mapped[str | None] = mapped_column(String(120), index=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Tries whose outcome is unknown (a timeout after DATA, a worker killed mid-send): the server may
    # have the message. Such a message may reach the resident twice, with the same Message-ID.
    uncertain: Mapped[int] = mapped_column(default=0)


class JobRun(Model):
    """One daily job for one akimat and local day. The row is inserted before the job runs: the
    unique constraint decides which worker of which host runs it."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "akimat_id", "day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    akimat_id: Mapped[int] = mapped_column(ForeignKey("akimat.id"))
    day: Mapped[date] = mapped_column(Date)  # the akimat's local working day the run is for
    status: Mapped[str] = mapped_column(String(20), default="running")  # running, done, failed
    worker: Mapped[str] = mapped_column(String(120))
    attempts: Mapped[int] = mapped_column(default=1)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[str | None] = mapped_column(Text)


class WorkerHeartbeat(Model):
    """Each running worker's last sign of life, for /healthz and `flask outbox status`."""

    __tablename__ = "worker_heartbeat"
    worker_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column()
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
