"""Working days of Kazakhstan: weekends and public holidays from the `holidays` package (KZ),
plus days an installation declares otherwise (a transferred working Saturday, an extra day off)."""
from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

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
