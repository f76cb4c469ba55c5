"""The contact directory: the departments' phone lines, the check calls staff make to them and
the residents' reports that nobody answers.

A line row holds the outcome of its newest checks, for fast lists; the checks are the history
(append-only, like the journal), and an answered check resolves the open reports."""

import enum
from datetime import datetime, time

from sqlalchemy import Enum, ForeignKey, Index, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ._common import UTCDateTime, current_language, utcnow
from .people import User
from .tenancy import Akimat, Department


def _enum(cls):
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class CheckResult(enum.StrEnum):
    """What happened when staff called the line. Only an answered call verifies it."""

    ANSWERED = "answered"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    WRONG_NUMBER = "wrong_number"  # a wrong or disconnected number
    VOICEMAIL = "voicemail"

    @property
    def failed(self) -> bool:
        return self is not CheckResult.ANSWERED


class LineDays(enum.StrEnum):
    """On which days the hours hold."""

    WORKING = "working"  # the akimat's working days (weekends and holidays off)
    DAILY = "daily"  # every day, holidays included


PHONE_LANGUAGES = ("kk", "ru", "en")


class PhoneLine(Model):
    """A number residents may call (телефон / телефон желісі), of one department."""

    __tablename__ = "phone_line"
    __table_args__ = (
        # The public directory and the queue: the akimat's lines in service.
        Index("ix_phone_line_akimat_retired", "akimat_id", "retired_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    akimat_id: Mapped[int] = mapped_column(ForeignKey("akimat.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    e164: Mapped[str] = mapped_column(String(20))
    purpose_kk: Mapped[str] = mapped_column(String(300))
    purpose_ru: Mapped[str] = mapped_column(String(300))
    purpose_en: Mapped[str] = mapped_column(String(300))
    languages: Mapped[str] = mapped_column(String(20), default="kk,ru")  # codes, comma-separated
    days: Mapped[LineDays] = mapped_column(_enum(LineDays), default=LineDays.WORKING)
    opens_at: Mapped[time | None] = mapped_column(Time)  # both empty: round the clock
    closes_at: Mapped[time | None] = mapped_column(Time)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The newest check and the newest answered one, written with the check (PhoneCheck is the history).
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_result: Mapped[CheckResult | None] = mapped_column(_enum(CheckResult))
    last_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    akimat: Mapped[Akimat] = relationship()
    department: Mapped[Department] = relationship()

    def purpose_in(self, language: str) -> str:
        return getattr(self, f"purpose_{language}", None) or self.purpose_ru or self.purpose_kk

    @property
    def purpose(self) -> str:
        return self.purpose_in(current_language())

    @property
    def language_codes(self) -> list[str]:
        return [code for code in PHONE_LANGUAGES if code in (self.languages or "").split(",")]

    @property
    def round_the_clock(self) -> bool:
        return self.opens_at is None or self.closes_at is None


class PhoneCheck(Model):
    """A check call: who called the line, when, and what happened. Never changed or deleted."""

    __tablename__ = "phone_check"
    __table_args__ = (Index("ix_phone_check_line_time", "line_id", "checked_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    akimat_id: Mapped[int] = mapped_column(ForeignKey("akimat.id"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("phone_line.id"))
    checked_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    result: Mapped[CheckResult] = mapped_column(_enum(CheckResult))
    note: Mapped[str] = mapped_column(Text, default="")

    line: Mapped[PhoneLine] = relationship()
    checked_by: Mapped[User] = relationship()


class PhoneReport(Model):
    """A resident said nobody answers. The client is kept only as a keyed hash of its address."""

    __tablename__ = "phone_report"
    __table_args__ = (Index("ix_phone_report_line_open", "line_id", "resolved_by_check_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    akimat_id: Mapped[int] = mapped_column(ForeignKey("akimat.id"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("phone_line.id"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    client_hash: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(String(500), default="")
    resolved_by_check_id: Mapped[int | None] = mapped_column(ForeignKey("phone_check.id"))

    line: Mapped[PhoneLine] = relationship()
