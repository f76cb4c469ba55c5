"""The phone directory: when a line counts as verified, stale or failing, when it is open, and the
verbs that change lines, checks and reports.

A line is
- **verified** while its last answered check call is at most `window_days` days old (in the
  akimat's days: answered on 1 March with a 30-day window, it is verified up to and including
  31 March and stale from 1 April);
- **failing** when the last check call failed (no answer, busy, wrong or disconnected number,
  voicemail), or when at least `report_threshold` residents reported "nobody answers" since the
  last answered check (reports are counted per client, so one person cannot fail a line alone);
- **stale** otherwise: never checked, or the answered check is older than the window.
Failing wins over the rest: a resident is better warned than misled.

A line is **due for a check** when it is not verified, when residents reported it, or when its
verification runs out within `due_soon_days` days. The numbers are data (FreshnessPolicy),
overridable with the PHONE_POLICY setting, like the legal terms in deadlines.py.

The pure functions take dates and counts; the verbs below them write one transaction each.
"""

import enum
import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Akimat, CheckResult, Department, LineDays, PhoneCheck, PhoneLine, PhoneReport, User
from ..models._common import utcnow
from ..models.phones import PHONE_LANGUAGES
from .calendar import WorkingCalendar
from .permissions import Action, can


@dataclass(frozen=True)
class FreshnessPolicy:
    window_days: int = 30  # an answered check verifies the line for this many days
    report_threshold: int = 3  # residents' reports since the last answered check that fail a line
    due_soon_days: int = 3  # a verified line joins the queue this many days before it goes stale


POLICY_DESCRIPTIONS = {
    "window_days": _l("Days an answered check call keeps a line verified."),
    "report_threshold": _l(
        "Residents reporting that nobody answers, since the last answered check, that make a line failing."
    ),
    "due_soon_days": _l("Days before a line goes stale that it joins the queue for a check."),
}

DEFAULT_POLICY = FreshnessPolicy()


def current_policy() -> FreshnessPolicy:
    overrides = current_app.config.get("PHONE_POLICY") if has_app_context() else None
    if not overrides:
        return DEFAULT_POLICY
    known = {f.name for f in fields(FreshnessPolicy)}
    return replace(DEFAULT_POLICY, **{k: int(v) for k, v in overrides.items() if k in known})


class LineStatus(enum.StrEnum):
    VERIFIED = "verified"
    STALE = "stale"
    FAILING = "failing"

    @property
    def label(self) -> str:
        return str(LINE_STATUS_LABELS[self])


LINE_STATUS_LABELS = {
    LineStatus.VERIFIED: _l("Verified"),
    LineStatus.STALE: _l("Not checked recently"),
    LineStatus.FAILING: _l("Not answering"),
}

# --- the policy, pure -----------------------------------------------------------------------------


def stale_from(answered_on: date, policy: FreshnessPolicy = DEFAULT_POLICY) -> date:
    """The first day on which a line answered on `answered_on` is no longer verified."""
    return answered_on + timedelta(days=policy.window_days + 1)


def status_on(
    today: date,
    answered_on: date | None,
    last_result: CheckResult | None,
    open_reports: int,
    policy: FreshnessPolicy = DEFAULT_POLICY,
) -> LineStatus:
    """The line's status on `today` (the akimat's date).

    answered_on: the day of the last answered check, None if never answered.
    last_result: the result of the newest check, None if never checked.
    open_reports: residents (distinct clients) who reported it since the last answered check."""
    if last_result is not None and last_result.failed:
        return LineStatus.FAILING
    if open_reports >= policy.report_threshold:
        return LineStatus.FAILING
    if answered_on is None or today >= stale_from(answered_on, policy):
        return LineStatus.STALE
    return LineStatus.VERIFIED


def is_due(
    today: date,
    status: LineStatus,
    answered_on: date | None,
    open_reports: int,
    policy: FreshnessPolicy = DEFAULT_POLICY,
) -> bool:
    if status is not LineStatus.VERIFIED or open_reports > 0 or answered_on is None:
        return True
    return today >= stale_from(answered_on, policy) - timedelta(days=policy.due_soon_days)


@dataclass(frozen=True)
class Hours:
    days: LineDays
    opens: time | None = None  # both None: round the clock
    closes: time | None = None

    @property
    def round_the_clock(self) -> bool:
        return self.opens is None or self.closes is None


def is_open(hours: Hours, moment: datetime, calendar: WorkingCalendar) -> bool:
    """Whether the line takes calls at `moment`, a time in the akimat's own zone. Hours that end
    past midnight (20:00–08:00) belong to the day they start on."""

    def on_duty(day: date) -> bool:
        return hours.days is LineDays.DAILY or calendar.is_working_day(day)

    today, now = moment.date(), moment.time().replace(tzinfo=None)
    if hours.round_the_clock:
        return on_duty(today)
    if hours.opens < hours.closes:
        return on_duty(today) and hours.opens <= now < hours.closes
    if now >= hours.opens:  # the evening part of an overnight shift
        return on_duty(today)
    return now < hours.closes and on_duty(today - timedelta(days=1))


# --- the state of lines, as lists show them ----------------------------------------------------------


@dataclass(frozen=True)
class LineState:
    status: LineStatus
    answered_on: date | None
    checked_on: date | None
    last_result: CheckResult | None
    open_reports: int  # distinct residents since the last answered check
    reports: int  # every report since the last answered check
    last_report_on: date | None
    days_since_answer: int | None
    due: bool
    open_now: bool
    verified_until: date | None


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
        open_now=is_open(Hours(line.days, line.opens_at, line.closes_at), moment, calendar),
        verified_until=stale_from(answered_on, policy) - timedelta(days=1) if answered_on else None,
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
    return (shared or candidates or [None])[0]


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


# --- the verbs ---------------------------------------------------------------------------------------


class PhoneError(Exception):
    """A change the rules do not allow; `message` is shown to the user."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _require(user: User, action: Action, akimat: Akimat) -> None:
    if not can(user, action, akimat):
        raise PhoneError(_l("You are not allowed to do this."))


def client_hash(address: str) -> str:
    """A keyed hash of the client's address: reports can be told apart without keeping addresses."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, (address or "").encode(), hashlib.sha256).hexdigest()


@dataclass
class LineData:
    """What an administrator enters for a line; validated by the form before it gets here."""

    department: Department
    e164: str
    purpose_kk: str
    purpose_ru: str
    purpose_en: str
    languages: list[str]
    days: LineDays = LineDays.WORKING
    opens_at: time | None = None
    closes_at: time | None = None


def _apply(line: PhoneLine, data: LineData) -> None:
    if data.department.akimat_id != line.akimat_id:
        raise PhoneError(_l("Choose a department of this akimat."))
    line.department = data.department
    line.e164 = data.e164
    line.purpose_kk, line.purpose_ru, line.purpose_en = data.purpose_kk, data.purpose_ru, data.purpose_en
    line.languages = ",".join(code for code in PHONE_LANGUAGES if code in data.languages)
    line.days, line.opens_at, line.closes_at = data.days, data.opens_at, data.closes_at


def _require_unique(akimat: Akimat, e164: str, line_id: int | None = None) -> None:
    other = db.session.scalar(
        select(PhoneLine.id)
        .where(
            PhoneLine.akimat_id == akimat.id,
            PhoneLine.retired_at.is_(None),
            PhoneLine.e164 == e164,
            PhoneLine.id != (line_id or 0),
        )
        .limit(1)
    )
    if other is not None:
        raise PhoneError(_l("This number is already in the directory."))


def add_line(akimat: Akimat, data: LineData, actor: User | None, now: datetime | None = None) -> PhoneLine:
    """A new line, stale until someone calls it. actor None: the installation (the demo)."""
    if actor is not None:
        _require(actor, Action.MANAGE_PHONES, akimat)
    _require_unique(akimat, data.e164)
    line = PhoneLine(akimat_id=akimat.id, created_at=now or utcnow())
    line.akimat = akimat
    _apply(line, data)
    db.session.add(line)
    db.session.commit()
    return line


def update_line(line: PhoneLine, data: LineData, actor: User) -> None:
    """Corrects a line. Its checks and reports stay: a new number is a new line (retire the old one)."""
    _require(actor, Action.MANAGE_PHONES, line.akimat)
    if line.retired_at is not None:
        raise PhoneError(_l("This line is retired."))
    if data.e164 != line.e164:  # its checks were calls to the old number
        raise PhoneError(
            _l("The number of a line cannot change: retire this line and add the new number as a new line.")
        )
    _apply(line, data)
    db.session.commit()


def retire_line(line: PhoneLine, actor: User, now: datetime | None = None) -> None:
    """Takes the line off the public directory; its checks and reports are kept."""
    _require(actor, Action.MANAGE_PHONES, line.akimat)
    if line.retired_at is not None:
        raise PhoneError(_l("This line is retired."))
    line.retired_at = now or utcnow()
    db.session.commit()


def record_check(
    line: PhoneLine, actor: User, result: CheckResult, note: str = "", now: datetime | None = None
) -> PhoneCheck:
    """Staff called the line. An answered call verifies it and resolves every open report."""
    now = now or utcnow()
    _require(actor, Action.VERIFY_PHONES, line.akimat)
    db.session.refresh(line, with_for_update=True)  # two checks at once are ordered (PostgreSQL)
    if line.retired_at is not None:
        raise PhoneError(_l("This line is retired."))
    check = PhoneCheck(
        akimat_id=line.akimat_id,
        line_id=line.id,
        checked_by_id=actor.id,
        checked_at=now,
        result=result,
        note=note or "",
    )
    db.session.add(check)
    db.session.flush()
    if line.last_checked_at is None or now >= line.last_checked_at:
        line.last_checked_at, line.last_result = now, result
    if result is CheckResult.ANSWERED:
        if line.last_answered_at is None or now > line.last_answered_at:
            line.last_answered_at = now
        db.session.execute(
            update(PhoneReport)
            .where(
                PhoneReport.line_id == line.id,
                PhoneReport.resolved_by_check_id.is_(None),
                PhoneReport.reported_at <= now,
            )
            .values(resolved_by_check_id=check.id)
        )
    db.session.commit()
    return check


def report_dead(line: PhoneLine, client: str, comment: str = "", now: datetime | None = None) -> PhoneReport:
    """A resident says nobody answers. `client` is the client's address; only its keyed hash is kept."""
    if line.retired_at is not None:
        raise PhoneError(_l("This line is retired."))
    report = PhoneReport(
        akimat_id=line.akimat_id,
        line_id=line.id,
        reported_at=now or utcnow(),
        client_hash=client_hash(client),
        comment=(comment or "")[:500],
    )
    db.session.add(report)
    db.session.commit()
    return report


def checks_of(line: PhoneLine, limit: int = 20) -> list[PhoneCheck]:
    return db.session.scalars(
        select(PhoneCheck)
        .where(PhoneCheck.line_id == line.id)
        .order_by(PhoneCheck.checked_at.desc(), PhoneCheck.id.desc())
        .limit(limit)
        .options(joinedload(PhoneCheck.checked_by))
    ).all()


def open_reports_of(line: PhoneLine, limit: int = 50) -> list[PhoneReport]:
    return db.session.scalars(
        select(PhoneReport)
        .where(PhoneReport.line_id == line.id, PhoneReport.resolved_by_check_id.is_(None))
        .order_by(PhoneReport.reported_at.desc())
        .limit(limit)
    ).all()
