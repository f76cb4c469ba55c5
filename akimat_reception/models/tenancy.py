"""Akimats (tenants), their departments (басқарма / управление) and letter categories."""

from datetime import date

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ._common import TranslatedName


class Akimat(TranslatedName, Model):
    """A local executive body (әкімдік / акимат); one tenant of the installation."""

    __tablename__ = "akimat"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    # Prefix of registration numbers: AST-2026-000123.
    number_prefix: Mapped[str] = mapped_column(String(8), unique=True)
    default_language: Mapped[str] = mapped_column(String(2), default="ru")
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Almaty")
    # Names in all languages, case-folded in Python: SQLite's lower() knows only ASCII letters.
    search_text: Mapped[str] = mapped_column(String(800), default="")

    departments: Mapped[list["Department"]] = relationship(back_populates="akimat", order_by="Department.id")
    categories: Mapped[list["Category"]] = relationship(back_populates="akimat", order_by="Category.id")


@event.listens_for(Akimat, "before_insert")
@event.listens_for(Akimat, "before_update")
def _fill_search_text(mapper, connection, akimat: Akimat) -> None:
    akimat.search_text = search_key(
        " ".join(filter(None, (akimat.slug, akimat.name_kk, akimat.name_ru, akimat.name_en)))
    )


def search_key(text: str) -> str:
    return " ".join(text.casefold().split())


class Department(TranslatedName, Model):
    __tablename__ = "department"
    id: Mapped[int] = mapped_column(primary_key=True)
    akimat_id: Mapped[int] = mapped_column(ForeignKey("akimat.id"), index=True)
    akimat: Mapped[Akimat] = relationship(back_populates="departments")


class Category(TranslatedName, Model):
    """A subject area of letters; its default department is the routing suggestion."""

    __tablename__ = "category"
    __table_args__ = (UniqueConstraint("akimat_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    akimat_id: Mapped[int] = mapped_column(ForeignKey("akimat.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    default_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))

    akimat: Mapped[Akimat] = relationship(back_populates="categories")
    default_department: Mapped[Department | None] = relationship()


class CalendarOverride(Model):
    """A day declared otherwise than the national calendar: a transferred working Saturday or an
    extra day off. Without an akimat it holds for the whole installation."""

    __tablename__ = "calendar_override"
    __table_args__ = (UniqueConstraint("akimat_id", "day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    akimat_id: Mapped[int | None] = mapped_column(ForeignKey("akimat.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    is_working_day: Mapped[bool]
    note: Mapped[str] = mapped_column(String(300), default="")
