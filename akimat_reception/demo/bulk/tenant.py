"""What the generator needs of an akimat, read once, and its calendar's days and instants, cached."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ...domain import deadlines
from ...domain.calendar import WorkingCalendar, calendar_for
from ...extensions import db
from ...models import Akimat, Membership, Role, User
from .akimats import _member

CRON_HOUR = 8  # the daily jobs (reminders, closing) run at 08:00 in the akimat's time
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_NAIVE = datetime(1970, 1, 1)
HOUR = 3_600_000_000
DAY = 24 * HOUR
NEVER = 1 << 62


@dataclass
class Tenant:
    """What the generator needs of an akimat, read once."""

    id: int
    slug: str
    prefix: str
    name_ru: str
    departments: list[tuple[int, str]]  # (id, name in Russian)
    categories: dict[str, tuple[int, int | None]]  # code -> (id, default department id)
    registrar: int
    controller: int
    akim: int
    executors: dict[int, int]  # department id -> user id
    calendar: WorkingCalendar
    weight: float
    tz: ZoneInfo

    def department_name(self, department_id: int) -> str:
        """The department's name as the lifecycle seals it in the journal (its Russian name)."""
        for d, name in self.departments:
            if d == department_id:
                return name
        raise KeyError(department_id)

    @classmethod
    def of(cls, akimat: Akimat, weight: float) -> Tenant:
        departments = [(d.id, d.name_ru) for d in akimat.departments]
        executors = {}
        for department_id, _name in departments:
            user = db.session.scalars(
                select(User)
                .join(Membership)
                .where(
                    Membership.akimat_id == akimat.id,
                    Membership.role == Role.EXECUTOR,
                    Membership.department_id == department_id,
                )
                .order_by(User.id)
                .limit(1)
            ).first()
            if user is not None:
                executors[department_id] = user.id
        fallback = next(iter(executors.values()), None) or _member(akimat, Role.EXECUTOR).id
        return cls(
            id=akimat.id,
            slug=akimat.slug,
            prefix=akimat.number_prefix,
            name_ru=akimat.name_ru,
            departments=departments,
            categories={c.code: (c.id, c.default_department_id) for c in akimat.categories},
            registrar=_member(akimat, Role.REGISTRAR).id,
            controller=_member(akimat, Role.CONTROLLER).id,
            akim=_member(akimat, Role.AKIM).id,
            executors={d: executors.get(d, fallback) for d, _ in departments},
            calendar=calendar_for(akimat.id),
            weight=weight,
            tz=ZoneInfo(akimat.timezone),
        )


class Clock:
    """Days and instants of one akimat's calendar, cached: a million letters share a thousand days."""

    def __init__(self, tenant: Tenant):
        self.tenant = tenant
        self.calendar = tenant.calendar
        terms = deadlines.current_terms()
        self._soon = terms.due_soon_working_days - 1
        self._rating_days = terms.rating_working_days

    def day(self, us: int) -> date:
        return self._day(us // HOUR)

    @cache  # noqa: B019 - a Clock lives for one bulk run, its caches with it
    def _day(self, hour: int) -> date:  # Kazakhstan's offsets are whole hours
        return (EPOCH + timedelta(microseconds=hour * HOUR)).astimezone(self.tenant.tz).date()

    @cache  # noqa: B019 - a Clock lives for one bulk run, its caches with it
    def at(self, day: date, hour: int) -> int:
        """The instant of a local hour on a day, in microseconds since the epoch."""
        local = datetime.combine(day, time(hour), tzinfo=self.tenant.tz)
        return (local - EPOCH) // timedelta(microseconds=1)

    @cache  # noqa: B019 - a Clock lives for one bulk run, its caches with it
    def plus_working_days(self, day: date, count: int) -> date:
        return self.calendar.add_working_days(day, count)

    @cache  # noqa: B019 - a Clock lives for one bulk run, its caches with it
    def deadline(self, kind, received_on: date) -> date:
        return deadlines.deadline_for(kind, received_on, self.calendar)

    @cache  # noqa: B019 - a Clock lives for one bulk run, its caches with it
    def forward_by(self, received_on: date) -> date:
        return deadlines.forward_by(received_on, self.calendar)

    @cache  # noqa: B019 - a Clock lives for one bulk run, its caches with it
    def hearing_until(self, notified_on: date) -> date:
        return deadlines.refusal_possible_from(notified_on, self.calendar)

    @cache  # noqa: B019 - a Clock lives for one bulk run, its caches with it
    def due_soon_from(self, deadline: date) -> date:
        """The first day on which a letter with this deadline shows as due soon."""
        day = deadline
        while self.calendar.add_working_days(day - timedelta(days=1), self._soon) >= deadline:
            day -= timedelta(days=1)
        return day

    def cron_after(self, us: int) -> int:
        """The first run of the daily jobs at or after an instant."""
        day = self.day(us)
        run = self.at(day, CRON_HOUR)
        return run if run >= us else self.at(day + timedelta(days=1), CRON_HOUR)

    def closes_at(self, answered_us: int) -> int:
        """When `flask letters close` closes an answered letter: the run on the day its time to rate
        or dispute has passed."""
        return self.at(self.plus_working_days(self.day(answered_us), self._rating_days), CRON_HOUR)

    def office_time(self, day: date, rng: random.Random) -> int:
        return self.at(day, rng.randrange(9, 18)) + rng.randrange(HOUR)
