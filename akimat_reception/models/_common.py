"""Pieces shared by the models: UTC timestamps and names kept in kk/ru/en."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum, String
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as UTC; SQLite forgets the zone, so it is put back on load."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; the database keeps UTC only")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def current_language() -> str:
    try:
        from flask_babel import get_locale

        locale = get_locale()
        return locale.language if locale else "ru"
    except RuntimeError:  # outside a request (CLI): Russian is the akimats' working default
        return "ru"


class TranslatedName:
    """A `name` in the reader's language, falling back to Russian, then Kazakh."""

    name_kk: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))

    def name_in(self, language: str) -> str:
        return getattr(self, f"name_{language}", None) or self.name_ru or self.name_kk

    @property
    def name(self) -> str:
        return self.name_in(current_language())


def enum_column(enum_class, length: int = 30) -> Enum:
    """An enum stored as its values in a VARCHAR: a new value needs no ALTER TYPE on PostgreSQL."""
    return Enum(enum_class, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])
