"""The phone directory's freshness policy and opening hours, alone: dates in, status out."""

from datetime import date, datetime, time, timedelta

import pytest

from akimat_reception.domain.calendar import KAZAKHSTAN, WorkingCalendar
from akimat_reception.domain.phones import (
    DEFAULT_POLICY,
    FreshnessPolicy,
    Hours,
    LineStatus,
    is_due,
    is_open,
    next_opening,
    stale_from,
    status_on,
)
from akimat_reception.models import CheckResult, LineDays

ANSWERED_ON = date(2026, 3, 1)
ANSWERED = CheckResult.ANSWERED


def test_default_policy_is_thirty_days_and_three_reports():
    assert (DEFAULT_POLICY.window_days, DEFAULT_POLICY.report_threshold) == (30, 3)


def test_answered_line_is_verified_on_the_day_of_the_call():
    assert status_on(ANSWERED_ON, ANSWERED_ON, ANSWERED, 0) is LineStatus.VERIFIED


def test_line_is_still_verified_on_the_thirtieth_day_after_the_call():
    assert status_on(date(2026, 3, 31), ANSWERED_ON, ANSWERED, 0) is LineStatus.VERIFIED


def test_line_goes_stale_on_the_thirty_first_day_after_the_call():
    assert stale_from(ANSWERED_ON) == date(2026, 4, 1)
    assert status_on(date(2026, 4, 1), ANSWERED_ON, ANSWERED, 0) is LineStatus.STALE


@pytest.mark.parametrize(
    "window, last_verified, first_stale",
    [
        (7, date(2026, 3, 8), date(2026, 3, 9)),
        (30, date(2026, 3, 31), date(2026, 4, 1)),
        (90, date(2026, 5, 30), date(2026, 5, 31)),
    ],
)
def test_the_window_is_configurable(window, last_verified, first_stale):
    policy = FreshnessPolicy(window_days=window)
    assert status_on(last_verified, ANSWERED_ON, ANSWERED, 0, policy) is LineStatus.VERIFIED
    assert status_on(first_stale, ANSWERED_ON, ANSWERED, 0, policy) is LineStatus.STALE


def test_freshness_window_crosses_a_leap_day():
    # Answered 15 Feb 2028: 30 days later is 16 March (2028 has 29 February).
    assert status_on(date(2028, 3, 16), date(2028, 2, 15), ANSWERED, 0) is LineStatus.VERIFIED
    assert status_on(date(2028, 3, 17), date(2028, 2, 15), ANSWERED, 0) is LineStatus.STALE


def test_never_checked_line_is_stale():
    assert status_on(ANSWERED_ON, None, None, 0) is LineStatus.STALE


@pytest.mark.parametrize("result", [r for r in CheckResult if r is not CheckResult.ANSWERED])
def test_line_whose_last_check_failed_is_failing_even_within_the_window(result):
    assert status_on(date(2026, 3, 2), ANSWERED_ON, result, 0) is LineStatus.FAILING


def test_failed_first_check_makes_a_new_line_failing():
    assert status_on(ANSWERED_ON, None, CheckResult.NO_ANSWER, 0) is LineStatus.FAILING


@pytest.mark.parametrize(
    "reports, status",
    [(0, LineStatus.VERIFIED), (2, LineStatus.VERIFIED), (3, LineStatus.FAILING), (7, LineStatus.FAILING)],
)
def test_three_residents_reporting_a_verified_line_make_it_failing(reports, status):
    assert status_on(date(2026, 3, 10), ANSWERED_ON, ANSWERED, reports) is status


def test_reports_make_a_stale_line_failing_too():
    assert status_on(date(2026, 5, 1), ANSWERED_ON, ANSWERED, 3) is LineStatus.FAILING


def test_report_threshold_is_configurable():
    policy = FreshnessPolicy(report_threshold=1)
    assert status_on(date(2026, 3, 10), ANSWERED_ON, ANSWERED, 1, policy) is LineStatus.FAILING


def test_verified_line_without_reports_is_not_due_until_three_days_before_it_goes_stale():
    assert not is_due(date(2026, 3, 28), LineStatus.VERIFIED, ANSWERED_ON, 0)
    assert is_due(date(2026, 3, 29), LineStatus.VERIFIED, ANSWERED_ON, 0)


def test_reported_line_is_due_even_below_the_threshold():
    assert is_due(date(2026, 3, 2), LineStatus.VERIFIED, ANSWERED_ON, 1)


@pytest.mark.parametrize("status", [LineStatus.STALE, LineStatus.FAILING])
def test_stale_and_failing_lines_are_due(status):
    assert is_due(date(2026, 3, 2), status, ANSWERED_ON, 0)


# --- opening hours ------------------------------------------------------------------------------

OFFICE = Hours(LineDays.WORKING, time(9), time(18))
MONDAY = date(2026, 11, 23)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute))


@pytest.mark.parametrize(
    "moment, expected",
    [
        (at(MONDAY, 8, 59), False),
        (at(MONDAY, 9), True),
        (at(MONDAY, 17, 59), True),
        (at(MONDAY, 18), False),
    ],
)
def test_office_line_is_open_in_its_hours_on_a_working_day(moment, expected):
    assert is_open(OFFICE, moment, KAZAKHSTAN) is expected


def test_office_line_is_closed_on_saturday_and_on_a_public_holiday():
    assert not is_open(OFFICE, at(date(2026, 11, 21), 11), KAZAKHSTAN)
    assert not is_open(OFFICE, at(date(2026, 12, 16), 11), KAZAKHSTAN)  # Independence Day


def test_office_line_follows_the_akimats_transferred_working_saturday():
    calendar = WorkingCalendar(extra_working_days=[date(2026, 11, 21)])
    assert is_open(OFFICE, at(date(2026, 11, 21), 11), calendar)


def test_daily_line_is_open_on_a_holiday():
    assert is_open(Hours(LineDays.DAILY, time(8), time(20)), at(date(2026, 12, 16), 11), KAZAKHSTAN)


def test_round_the_clock_line_is_always_open():
    hours = Hours(LineDays.DAILY)
    assert all(is_open(hours, at(date(2026, 1, 1), h), KAZAKHSTAN) for h in range(24))


@pytest.mark.parametrize(
    "moment, expected",
    [
        (at(MONDAY, 19, 59), False),
        (at(MONDAY, 20), True),
        (at(MONDAY, 23, 30), True),
        (at(MONDAY + timedelta(days=1), 7, 59), True),
        (at(MONDAY + timedelta(days=1), 8), False),
    ],
)
def test_night_line_open_past_midnight(moment, expected):
    assert is_open(Hours(LineDays.DAILY, time(20), time(8)), moment, KAZAKHSTAN) is expected


def test_night_shift_of_a_working_friday_ends_on_saturday_morning():
    night = Hours(LineDays.WORKING, time(20), time(8))
    friday, saturday, sunday = date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22)
    assert is_open(night, at(saturday, 7), KAZAKHSTAN)  # Friday's shift
    assert not is_open(night, at(saturday, 21), KAZAKHSTAN)
    assert not is_open(night, at(sunday, 7), KAZAKHSTAN)
    assert is_open(night, at(friday, 21), KAZAKHSTAN)


@pytest.mark.parametrize(
    "moment, opens",
    [
        (at(MONDAY, 7, 30), at(MONDAY, 9)),  # before the day's hours: today
        (at(MONDAY, 18), at(MONDAY + timedelta(days=1), 9)),  # after them: tomorrow
        (at(date(2026, 11, 20), 19), at(date(2026, 11, 23), 9)),  # Friday evening: Monday
        (at(date(2026, 12, 15), 19), at(date(2026, 12, 17), 9)),  # Independence Day (16th) skipped
    ],
)
def test_a_closed_office_line_says_when_it_next_opens(moment, opens):
    assert not is_open(OFFICE, moment, KAZAKHSTAN)
    assert next_opening(OFFICE, moment, KAZAKHSTAN) == opens


def test_a_closed_night_line_opens_the_same_evening():
    assert next_opening(Hours(LineDays.DAILY, time(20), time(8)), at(MONDAY, 12), KAZAKHSTAN) == at(MONDAY, 20)


def test_line_closing_at_midnight_is_open_until_midnight():
    hours = Hours(LineDays.DAILY, time(6), time(0))
    assert is_open(hours, at(MONDAY, 23, 59), KAZAKHSTAN)
    assert not is_open(hours, at(MONDAY, 0, 30), KAZAKHSTAN)
