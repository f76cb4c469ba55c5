"""Working days of Kazakhstan: weekends and public holidays from the `holidays` package (KZ),
plus days an installation declares otherwise (a transferred working Saturday, an extra day off)."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays


@lru_cache(maxsize=32)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("KZ", years=year).keys())


class WorkingCalendar:
    def __init__(self, extra_working_days: Iterable[date] = (), extra_days_off: Iterable[date] = ()):
        self.extra_working_days = frozenset(extra_working_days)
        self.extra_days_off = frozenset(extra_days_off)

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_working_days:
            return True
        if day in self.extra_days_off:
            return False
        return day.weekday() < 5 and day not in _public_holidays(day.year)

    def add_working_days(self, start: date, count: int) -> date:
        """The `count`-th working day after `start` (the day of receipt itself does not count)."""
        if count < 0:
            raise ValueError("count must not be negative")
        day = start
        while count:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count -= 1
        return day


KAZAKHSTAN = WorkingCalendar()


def calendar_for(akimat_id: int | None) -> WorkingCalendar:
    """The national calendar with the installation's overrides and then the akimat's own."""
    from sqlalchemy import or_, select

    from ..extensions import db
    from ..models import CalendarOverride

    rows = db.session.execute(
        select(CalendarOverride.akimat_id, CalendarOverride.day, CalendarOverride.is_working_day)
        .where(or_(CalendarOverride.akimat_id.is_(None), CalendarOverride.akimat_id == akimat_id))
        .order_by(CalendarOverride.akimat_id.is_not(None))  # the akimat's own come last and win
    ).all()
    if not rows:
        return KAZAKHSTAN
    decided: dict = {}
    for _akimat, day, working in rows:
        decided[day] = working
    return WorkingCalendar(
        extra_working_days=[d for d, w in decided.items() if w], extra_days_off=[d for d, w in decided.items() if not w]
    )


def local_day(akimat, moment: datetime) -> date:
    """The akimat's calendar day at a moment (times are UTC in the database)."""
    return moment.astimezone(ZoneInfo(akimat.timezone)).date()


def declare_day(akimat_id: int | None, day: date, working: bool, note: str = "", by=None):
    """Declares `day` a working day or a day off, for one akimat or (akimat_id None) the whole
    installation; a day declared before is redeclared. Recorded (`by`: the administrator; None
    for the command line). Commits; returns the CalendarOverride."""
    from sqlalchemy import select

    from ..extensions import db
    from ..models import CalendarOverride
    from .administration.record import record_change

    row = db.session.scalar(
        select(CalendarOverride).where(
            CalendarOverride.akimat_id.is_(None) if akimat_id is None else CalendarOverride.akimat_id == akimat_id,
            CalendarOverride.day == day,
        )
    )
    before = None if row is None else {"working": row.is_working_day, "note": row.note}
    if row is None:
        row = CalendarOverride(akimat_id=akimat_id, day=day, is_working_day=working)
        db.session.add(row)
    row.is_working_day, row.note = working, note or ""
    db.session.flush()
    after = {"day": day.isoformat(), "working": working, "note": row.note}
    record_change("calendar_day_declared", "calendar_day", row.id, by, akimat_id, before or {}, after)
    db.session.commit()
    return row


def remove_day(row, by) -> None:
    """The akimat's declared day goes: the national calendar holds for it again. Recorded. Commits."""
    from ..extensions import db
    from .administration.record import record_change

    before = {"day": row.day.isoformat(), "working": row.is_working_day, "note": row.note}
    record_change("calendar_day_removed", "calendar_day", row.id, by, row.akimat_id, before, {})
    db.session.delete(row)
    db.session.commit()
