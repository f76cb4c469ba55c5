"""The directory as residents and the akim see it: each line's state now, alternatives, search,
and the summary on the akim's dashboard."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ...extensions import db
from ...models import Akimat, Department, PhoneLine, PhoneReport
from ...models._common import utcnow
from ..calendar import WorkingCalendar
from .policy import (
    FreshnessPolicy,
    Hours,
    LineState,
    LineStatus,
    current_policy,
    is_due,
    is_open,
    next_opening,
    stale_from,
    status_on,
)


def local_date(akimat: Akimat, moment: datetime | None) -> date | None:
    return moment.astimezone(ZoneInfo(akimat.timezone)).date() if moment else None


def open_report_counts(akimat_id: int, line_ids: Iterable[int] | None = None) -> dict[int, tuple[int, int, datetime]]:
    """line id -> (distinct clients, reports, newest report) of the reports no answered check resolved:
    one aggregate query for any number of lines."""
    stmt = (
        select(
            PhoneReport.line_id,
            func.count(func.distinct(PhoneReport.client_hash)),
            func.count(),
            func.max(PhoneReport.reported_at),
        )
        .where(PhoneReport.akimat_id == akimat_id, PhoneReport.resolved_by_check_id.is_(None))
        .group_by(PhoneReport.line_id)
    )
    if line_ids is not None:
        stmt = stmt.where(PhoneReport.line_id.in_(list(line_ids)))
    return {line_id: (clients, total, newest) for line_id, clients, total, newest in db.session.execute(stmt)}


def state_of(
    line: PhoneLine,
    today: date,
    moment: datetime,
    calendar: WorkingCalendar,
    reports: tuple[int, int, datetime | None] = (0, 0, None),
    policy: FreshnessPolicy | None = None,
) -> LineState:
    policy = policy or current_policy()
    akimat = line.akimat
    answered_on = local_date(akimat, line.last_answered_at)
    clients, total, newest = reports
    status = status_on(today, answered_on, line.last_result, clients, policy)
    hours = Hours(line.days, line.opens_at, line.closes_at)
    open_now = is_open(hours, moment, calendar)
    return LineState(
        status=status,
        answered_on=answered_on,
        checked_on=local_date(akimat, line.last_checked_at),
        last_result=line.last_result,
        open_reports=clients,
        reports=total,
        last_report_on=local_date(akimat, newest),
        days_since_answer=(today - answered_on).days if answered_on else None,
        due=is_due(today, status, answered_on, clients, policy),
        open_now=open_now,
        verified_until=stale_from(answered_on, policy) - timedelta(days=1) if answered_on else None,
        opens_next=None if open_now else next_opening(hours, moment, calendar),
    )


def lines_in_service(akimat: Akimat):
    return (
        select(PhoneLine)
        .where(PhoneLine.akimat_id == akimat.id, PhoneLine.retired_at.is_(None))
        .options(joinedload(PhoneLine.department))
    )


def directory(
    akimat: Akimat, calendar: WorkingCalendar, now: datetime | None = None
) -> list[tuple[PhoneLine, LineState]]:
    """Every line in service with its state: two queries, whatever the number of lines."""
    now = now or utcnow()
    moment = now.astimezone(ZoneInfo(akimat.timezone))
    lines = db.session.scalars(lines_in_service(akimat).order_by(PhoneLine.department_id, PhoneLine.id)).all()
    counts = open_report_counts(akimat.id)
    policy = current_policy()
    return [
        (line, state_of(line, moment.date(), moment, calendar, counts.get(line.id, (0, 0, None)), policy))
        for line in lines
    ]


def state_now(line: PhoneLine, calendar: WorkingCalendar, now: datetime | None = None) -> LineState:
    moment = (now or utcnow()).astimezone(ZoneInfo(line.akimat.timezone))
    counts = open_report_counts(line.akimat_id, [line.id])
    return state_of(line, moment.date(), moment, calendar, counts.get(line.id, (0, 0, None)))


def alternative_for(line: PhoneLine, entries: list[tuple[PhoneLine, LineState]]) -> PhoneLine | None:
    """A verified line of the same department to call instead, one sharing a language first."""
    candidates = [
        other
        for other, state in entries
        if other.department_id == line.department_id and other.id != line.id and state.status is LineStatus.VERIFIED
    ]
    shared = [other for other in candidates if set(other.language_codes) & set(line.language_codes)]
    return next(iter(shared or candidates), None)


def waiting_since(entry: tuple[PhoneLine, LineState]) -> tuple:
    """The check queue's order: never checked first, then the longest since the last check call."""
    line, _state = entry
    return (line.last_checked_at is not None, line.last_checked_at or line.created_at, line.id)


def due_for_check(entries: list[tuple[PhoneLine, LineState]]) -> list[tuple[PhoneLine, LineState]]:
    """The lines due for a check call, in the queue's order (the office queue, `flask phones due`)."""
    return sorted((entry for entry in entries if entry[1].due), key=waiting_since)


STATUS_ORDER = {LineStatus.VERIFIED: 0, LineStatus.STALE: 1, LineStatus.FAILING: 2}


def search_key(text: str) -> str:
    return " ".join(text.casefold().split())


def matches(line: PhoneLine, query: str) -> bool:
    """Department or purpose in any language, or the digits of the number. Python's casefold
    knows Cyrillic; SQLite's lower() knows only ASCII, and an akimat has tens of lines, not millions."""
    key = search_key(query)
    if not key:
        return True
    department = line.department
    haystack = search_key(
        " ".join(
            (
                department.name_kk,
                department.name_ru,
                department.name_en,
                line.purpose_kk,
                line.purpose_ru,
                line.purpose_en,
            )
        )
    )
    digits = "".join(c for c in key if c.isdigit())
    return key in haystack or (len(digits) >= 3 and digits in line.e164)


@dataclass(frozen=True)
class DepartmentLines:
    department: Department
    total: int
    verified: int

    @property
    def share(self) -> float:
        return self.verified / self.total if self.total else 0.0


@dataclass(frozen=True)
class DirectorySummary:
    departments: list[DepartmentLines]
    failing: list[tuple[PhoneLine, LineState]]  # the longest without an answered check first
    stale: list[tuple[PhoneLine, LineState]]
    total: int
    verified: int


def _longest_unanswered(entry) -> tuple:
    line, state = entry
    return (state.days_since_answer is not None, -(state.days_since_answer or 0), line.id)


def summarize(entries: list[tuple[PhoneLine, LineState]]) -> DirectorySummary:
    by_department: dict[int, tuple[Department, list[LineState]]] = {}
    for line, state in entries:
        by_department.setdefault(line.department_id, (line.department, []))[1].append(state)
    departments = [
        DepartmentLines(department, len(states), sum(s.status is LineStatus.VERIFIED for s in states))
        for department, states in by_department.values()
    ]
    departments.sort(key=lambda d: (d.share, d.department.id))
    failing = sorted((e for e in entries if e[1].status is LineStatus.FAILING), key=_longest_unanswered)
    stale = sorted((e for e in entries if e[1].status is LineStatus.STALE), key=_longest_unanswered)
    return DirectorySummary(
        departments, failing, stale, len(entries), sum(s.status is LineStatus.VERIFIED for _, s in entries)
    )


def dashboard_summary(akimat: Akimat, now: datetime | None = None) -> DirectorySummary:
    """The akim's view of the directory: three queries (calendar, lines, report counts), whatever
    the number of lines and departments."""
    from .calendar import calendar_for

    return summarize(directory(akimat, calendar_for(akimat.id), now))
