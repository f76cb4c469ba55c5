"""Staff accounts and their roles in akimats."""

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import Model
from ._common import UTCDateTime, enum_column, utcnow
from .tenancy import Akimat, Department


class Role(enum.StrEnum):
    REGISTRAR = "registrar"
    EXECUTOR = "executor"
    CONTROLLER = "controller"
    AKIM = "akim"
    ADMIN = "admin"


class User(UserMixin, Model):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    # What a receipt slip and an answer say of the official: position and a work phone (E.164).
    position: Mapped[str | None] = mapped_column(String(200))
    work_phone: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    language: Mapped[str | None] = mapped_column(String(2))
    active: Mapped[bool] = mapped_column(default=True)
    # The second factor (TOTP, RFC 6238): the shared secret, and the last time step used, so that
    # a code cannot be replayed.
    totp_secret: Mapped[str | None] = mapped_column(String(32))
    totp_last_step: Mapped[int | None]
    # Sessions that end (security.py): each session carries the generation it was signed in under;
    # raising it ends every session of this user at once, on every worker and host.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    # The installation's operator: creates akimats, places them in the hierarchy, appoints their
    # first administrators. Holds no role inside an akimat by this alone.
    is_platform_admin: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list["Membership"]] = relationship(back_populates="user", order_by="Membership.id")

    @property
    def is_active(self) -> bool:
        return self.active

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def memberships_in(self, akimat: Akimat) -> list["Membership"]:
        return [m for m in self.memberships if m.akimat_id == akimat.id]

    @property
    def must_use_second_factor(self) -> bool:
        """Administrators hold the keys of an akimat (the platform's of all): they may not work
        without a second factor."""
        return self.is_platform_admin or any(m.role is Role.ADMIN for m in self.memberships)

    def roles_in(self, akimat: Akimat) -> set[Role]:
        return {m.role for m in self.memberships_in(akimat)}

    def departments_in(self, akimat: Akimat) -> set[int]:
        return {
            m.department_id
            for m in self.memberships_in(akimat)
            if m.role is Role.EXECUTOR and m.department_id is not None
        }


class Membership(Model):
    """A user's role in one akimat; an executor's belongs to one department."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "akimat_id", "role", "department_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    akimat_id: Mapped[int] = mapped_column(ForeignKey("akimat.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, length=20))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))

    user: Mapped[User] = relationship(back_populates="memberships")
    akimat: Mapped[Akimat] = relationship()
    department: Mapped[Department | None] = relationship()
