"""When a phone line counts as verified, stale or failing, and when it is open (see the package's
docstring for the rules); pure functions of dates and counts."""

import enum
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time, timedelta

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

from ...models import CheckResult, LineDays
from ..calendar import WorkingCalendar


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
    opens, closes = hours.opens, hours.closes
    if opens is None or closes is None:  # round the clock
        return on_duty(today)
    if opens < closes:
        return on_duty(today) and opens <= now < closes
    if now >= opens:  # the evening part of an overnight shift
        return on_duty(today)
    return now < closes and on_duty(today - timedelta(days=1))


def next_opening(hours: Hours, moment: datetime, calendar: WorkingCalendar, horizon_days: int = 31) -> datetime | None:
    """When a line closed at `moment` next takes calls (a naive time in the akimat's zone), so that
    a resident is told "open from ..." instead of being offered a report on a line nobody staffs
    at that hour. None when it opens on none of the next `horizon_days` days."""
    now = moment.replace(tzinfo=None)
    opens = hours.opens or time(0, 0)
    for offset in range(horizon_days + 1):
        day = now.date() + timedelta(days=offset)
        if hours.days is LineDays.DAILY or calendar.is_working_day(day):
            start = datetime.combine(day, opens)
            if start > now:
                return start
    return None


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
    opens_next: datetime | None = None  # while closed: when it next takes calls (akimat's time)
