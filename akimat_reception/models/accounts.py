"""The ways into an account other than its password: an invitation to join an akimat, a
password reset, and the one-time recovery codes of the second factor. Each token is kept only as
its SHA-256 hash: a copy of the database opens no account."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, and_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ._common import UTCDateTime, utcnow
from .people import User
from .tenancy import Akimat


class Invitation(Model):
    """An administrator invites a person by email to hold roles in an akimat. The link is used
    once and expires; accepting it creates the account (or adds the roles to an existing one)."""

    __tablename__ = "invitation"
    __table_args__ = (Index("ix_invitation_akimat_created", "akimat_id", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    akimat_id: Mapped[int] = mapped_column(ForeignKey("akimat.id"))
    email: Mapped[str] = mapped_column(String(254), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    # [{"role": "executor", "department_id": 3}, ...]
    roles: Mapped[list] = mapped_column(JSON, default=list)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set when the administrator confirms sending (an import prepares invitations unsent).
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    @classmethod
    def open_at(cls, now: datetime):
        """The one rule of a link that still works — not accepted, not revoked, not expired — as
        a SQL condition."""
        return and_(cls.accepted_at.is_(None), cls.revoked_at.is_(None), cls.expires_at > now)

    akimat: Mapped[Akimat] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])


class PasswordReset(Model):
    """ "Forgot password": a token sent to the account's address, used once, expiring soon."""

    __tablename__ = "password_reset"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class RecoveryCode(Model):
    """One of the codes printed when the second factor is set up: each opens one sign-in without
    the authenticator, once."""

    __tablename__ = "recovery_code"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
