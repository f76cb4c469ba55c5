"""A higher akimat's figures of the akimats under it: letters received in a period, unresolved,
overdue, answered on time, the mean rating. Counts only — never a resident's name, words or
contacts, which stay with the akimat that holds the letter (PRODUCT.md, "Tenants and the
hierarchy"). A few grouped queries for all the subordinates at once, not one per akimat.
Anonymous letters are counted apart (`anonymous`) and left out of every other figure
(domain/anonymous.py)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Date, and_, case, cast, func, or_, select

from ...extensions import db
from ...models import Akimat, Letter, LetterStatus, Membership, Role, User
from ..anonymous import counted
from .hierarchy import Window, subordinates_during

# The installation's akimats keep Kazakhstan's single time (UTC+5 since March 2024): a period's
# days and an answer's day are counted in it.
ZONE = "Asia/Almaty"
OFFSET = "+5 hours"  # the same, for SQLite, which knows no time zones


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both days included, in the akimats' local time."""

    start: date
    end: date

    @classmethod
    def last_days(cls, days: int, today: date) -> "Period":
        return cls(today - timedelta(days=days - 1), today)

    @property
    def after(self) -> date:
        """The first day after the period."""
        return self.end + timedelta(days=1)

    def bounds(self) -> tuple[datetime, datetime]:
        zone = ZoneInfo(ZONE)
        start = datetime.combine(self.start, time(), zone).astimezone(UTC)
        return start, datetime.combine(self.end + timedelta(days=1), time(), zone).astimezone(UTC)


@dataclass(frozen=True)
class AkimatFigures:
    akimat: Akimat
    received: int = 0  # in the period
    unresolved: int = 0  # now
    overdue: int = 0  # now: unresolved past the deadline
    answered: int = 0  # answers sent in the period
    answered_on_time: int = 0  # ... by the deadline
    rated: int = 0  # ... and rated by the resident
    rating_sum: int = 0
    anonymous: int = 0  # received in the period without name and address: in no figure above

    @property
    def mean_rating(self) -> float | None:
        return self.rating_sum / self.rated if self.rated else None

    @property
    def on_time_share(self) -> float | None:
        return self.answered_on_time / self.answered if self.answered else None


def _local_day(column):
    """The local calendar day of a UTC moment, in SQL."""
    if db.engine.dialect.name == "postgresql":
        return cast(func.timezone(ZONE, column), Date)
    return func.date(column, OFFSET)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), ZoneInfo(ZONE)).astimezone(UTC)


def _within(column, windows: dict[int, list[Window]], period: Period):
    """`column` (a UTC moment of a letter) falls in the days its akimat stood under the higher one
    within the period: one IN for the akimats there the whole period, a range for each other."""
    start, end = period.bounds()
    whole = [i for i, ws in windows.items() if ws == [(period.start, None)] or ws == [(period.start, period.after)]]
    conditions = [and_(Letter.akimat_id.in_(whole), column >= start, column < end)] if whole else []
    for akimat_id, ws in windows.items():
        if akimat_id in whole:
            continue
        for day_from, day_to in ws:
            upper = _local_midnight(day_to) if day_to is not None else end
            conditions.append(and_(Letter.akimat_id == akimat_id, column >= _local_midnight(day_from), column < upper))
    return or_(*conditions)


def figures_of(windows: dict[int, list[Window]], period: Period, today: date) -> list[AkimatFigures]:
    """The figures of each akimat in `windows`, by name.

    windows: the akimats to count, each with the days (within the period) it counts for the
    higher akimat — letters received and answers sent on other days belong to another; period:
    the days counted; today: the local day the overdue letters are counted against. Unresolved and
    overdue letters are counted now, for the akimats that stand under the higher one today."""
    if not windows:
        return []
    akimat_ids = list(windows)
    counts: dict[int, dict[str, int]] = {i: {} for i in akimat_ids}
    received = db.session.execute(
        select(Letter.akimat_id, func.count(), func.sum(case((Letter.anonymous, 1), else_=0)))
        .where(_within(Letter.received_at, windows, period))
        .group_by(Letter.akimat_id)
    )
    for akimat_id, n, anonymous in received:
        counts[akimat_id].update(received=n - int(anonymous or 0), anonymous=int(anonymous or 0))
    still_under = [i for i, ws in windows.items() if any(day_to is None or day_to >= period.after for _, day_to in ws)]
    open_now = db.session.execute(
        select(Letter.akimat_id, func.count(), func.sum(case((Letter.deadline < today, 1), else_=0)))
        .where(
            Letter.akimat_id.in_(still_under),
            Letter.status.in_(LetterStatus.unresolved()),
            counted(Letter.anonymous),
        )
        .group_by(Letter.akimat_id)
    )
    for akimat_id, n, overdue in open_now:
        counts[akimat_id].update(unresolved=n, overdue=int(overdue or 0))
    on_time = case((_local_day(Letter.answered_at) <= Letter.deadline, 1), else_=0)
    answered = db.session.execute(
        select(
            Letter.akimat_id,
            func.count(),
            func.sum(on_time),
            func.count(Letter.rating),
            func.coalesce(func.sum(Letter.rating), 0),
        )
        .where(_within(Letter.answered_at, windows, period), counted(Letter.anonymous))
        .group_by(Letter.akimat_id)
    )
    for akimat_id, n, in_time, rated, rating_sum in answered:
        counts[akimat_id].update(
            answered=n, answered_on_time=int(in_time or 0), rated=rated, rating_sum=int(rating_sum or 0)
        )
    akimats = db.session.scalars(select(Akimat).where(Akimat.id.in_(akimat_ids)).order_by(Akimat.name_ru, Akimat.id))
    return [AkimatFigures(akimat, **counts[akimat.id]) for akimat in akimats]


def subordinate_figures(akimat: Akimat, period: Period, today: date) -> list[AkimatFigures]:
    """The figures of every akimat under `akimat` during the period, at any depth, each counted for
    the days it stood there (a district moved to another region keeps its earlier figures with the
    first); nothing of any other akimat."""
    return figures_of(subordinates_during(akimat.id, period.start, period.after), period, today)


def admins_of(akimat_ids: list[int]) -> dict[int, list[User]]:
    """Each akimat's active administrators (whom a higher akimat's admin contacts): one query."""
    found: dict[int, list[User]] = {i: [] for i in akimat_ids}
    if not akimat_ids:
        return found
    rows = db.session.execute(
        select(Membership.akimat_id, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.akimat_id.in_(akimat_ids), Membership.role == Role.ADMIN, User.active.is_(True))
        .order_by(User.full_name, User.id)
    )
    for akimat_id, user in rows:
        found[akimat_id].append(user)
    return found
