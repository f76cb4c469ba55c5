"""Akimats (tenants) and their place in the state's hierarchy, their departments
(басқарма / управление) and letter categories."""

import enum
import secrets
from datetime import date, datetime, time

from sqlalchemy import Date, ForeignKey, Index, String, Text, Time, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ._common import TranslatedName, UTCDateTime, enum_column, utcnow


class AkimatKind(enum.StrEnum):
    """The administrative-territorial units that have an akim (Law "On local state administration
    and self-government", art. 31; the Law "On the administrative-territorial structure")."""

    REGION = "region"  # облыс / область
    REPUBLICAN_CITY = "republican_city"  # city of republican significance, or the capital
    REGIONAL_CITY = "regional_city"  # city of regional significance
    DISTRICT = "district"  # аудан / район
    CITY_DISTRICT = "city_district"  # a district within a city
    DISTRICT_CITY = "district_city"  # city of district significance
    RURAL_DISTRICT = "rural_district"  # ауылдық округ / сельский округ
    VILLAGE = "village"  # кент, ауыл / посёлок, село


class Akimat(TranslatedName, Model):
    """A local executive body (әкімдік / акимат); one tenant of the installation."""

    __tablename__ = "akimat"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    # Prefix of registration numbers: AST-2026-000123.
    number_prefix: Mapped[str] = mapped_column(String(8), unique=True)
    default_language: Mapped[str] = mapped_column(String(2), default="ru")
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Almaty")
    kind: Mapped[AkimatKind] = mapped_column(
        enum_column(AkimatKind, length=20), default=AkimatKind.REPUBLICAN_CITY, server_default="republican_city"
    )
    # The higher akimat (a region over its districts); its history is in AkimatPlacement.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("akimat.id"), index=True)
    # Former names and other spellings, one per line (Нур-Султан, Ақмола, Öskemen): found by search.
    aliases: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Reception hours of the chancellery, in the akimat's time zone.
    opens_at: Mapped[time] = mapped_column(Time, default=time(9, 0), server_default="09:00:00")
    closes_at: Mapped[time] = mapped_column(Time, default=time(18, 30), server_default="18:30:00")
    # Closed to new letters (merged, abolished); never deleted once it has letters.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Where an anonymous letter reporting a crime or a threat is forwarded the same working day;
    # empty: the installation's ANONYMOUS_FORWARD_TO.
    anonymous_forward_to: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    # Names and aliases in all languages, case-folded in Python: SQLite's lower() knows only ASCII.
    search_text: Mapped[str] = mapped_column(String(2000), default="")

    parent: Mapped["Akimat | None"] = relationship(remote_side="Akimat.id", foreign_keys=[parent_id])
    departments: Mapped[list["Department"]] = relationship(back_populates="akimat", order_by="Department.id")
    categories: Mapped[list["Category"]] = relationship(back_populates="akimat", order_by="Category.id")


@event.listens_for(Akimat, "before_insert")
@event.listens_for(Akimat, "before_update")
def _fill_search_text(mapper, connection, akimat: Akimat) -> None:
    akimat.search_text = search_key(
        " ".join(filter(None, (akimat.slug, akimat.name_kk, akimat.name_ru, akimat.name_en, akimat.aliases)))
    )


def generated_department_code() -> str:
    return f"DEP-{secrets.token_hex(3).upper()}"


def search_key(text: str) -> str:
    return " ".join(text.casefold().split())


class AkimatSlug(Model):
    """A slug an akimat had before: printed slips and emails carry its URLs, so it redirects
    permanently to the current one and is never given to another akimat."""

    __tablename__ = "akimat_slug"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    akimat_id: Mapped[int] = mapped_column(ForeignKey("akimat.id"), index=True)
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AkimatPlacement(Model):
    """Where an akimat stood in the hierarchy, from one day to the next (regions are split and
    created): a higher akimat's figures for a period count the akimats under it in that period."""

    __tablename__ = "akimat_placement"
    __table_args__ = (Index("ix_akimat_placement_parent_period", "parent_id", "valid_from", "valid_to"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    akimat_id: Mapped[int] = mapped_column(ForeignKey("akimat.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("akimat.id"))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)  # the first day it no longer held; None: now
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Department(TranslatedName, Model):
    __tablename__ = "department"
    __table_args__ = (UniqueConstraint("akimat_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    akimat_id: Mapped[int] = mapped_column(ForeignKey("akimat.id"), index=True)
    # A short code that an import file names the department by; unique within the akimat. One made
    # without a code (by the bulk generator, or before codes existed) gets a generated one, so that
    # every department can be exported and imported back.
    code: Mapped[str] = mapped_column(String(40), default=generated_department_code)
    # The head receives the letters of a departing executor for reassignment.
    head_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # A department that has letters is retired, never deleted: new letters cannot go to it.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    akimat: Mapped[Akimat] = relationship(back_populates="departments")


class Category(TranslatedName, Model):
    """A subject area of letters; its default department is the routing suggestion."""

    __tablename__ = "category"
    __table_args__ = (UniqueConstraint("akimat_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    akimat_id: Mapped[int] = mapped_column(ForeignKey("akimat.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    default_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    # Retired: no longer offered on the letter form; the letters that have it keep it.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

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
