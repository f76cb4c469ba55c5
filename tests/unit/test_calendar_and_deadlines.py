"""Working days of Kazakhstan and the legal term of 15 working days (APPK art. 76)."""

from datetime import date

import pytest

from akimat_reception.domain.calendar import KAZAKHSTAN, WorkingCalendar
from akimat_reception.domain.deadlines import DeadlineState, deadline_for, deadline_state
from akimat_reception.models import LetterKind


@pytest.mark.parametrize("day", [date(2026, 11, 21), date(2026, 11, 22)])
def test_weekend_is_not_a_working_day(day):
    assert not KAZAKHSTAN.is_working_day(day)


@pytest.mark.parametrize(
    "day, name",
    [
        (date(2026, 1, 1), "New Year"),
        (date(2026, 1, 2), "New Year, second day"),
        (date(2026, 3, 23), "Nauryz"),
        (date(2026, 3, 24), "Nauryz, observed"),
        (date(2026, 12, 16), "Independence Day"),
    ],
)
def test_public_holidays_are_days_off(day, name):
    assert not KAZAKHSTAN.is_working_day(day), name


def test_ordinary_monday_is_a_working_day():
    assert KAZAKHSTAN.is_working_day(date(2026, 11, 23))


def test_fifteen_working_days_skip_weekends():
    # Received Monday 2 Nov 2026: three whole weeks later, Monday 23 Nov.
    assert deadline_for(LetterKind.APPLICATION, date(2026, 11, 2)) == date(2026, 11, 23)


def test_letter_received_on_friday_counts_from_monday():
    # Friday 6 Nov: the first working day counted is Monday 9 Nov; the 15th is Friday 27 Nov.
    assert deadline_for(LetterKind.COMPLAINT, date(2026, 11, 6)) == date(2026, 11, 27)


def test_deadline_runs_over_nauryz():
    # Received Friday 13 Mar 2026. 16-20 Mar: 5 days; 23-25 Mar is Nauryz; 26-27: 7;
    # 30 Mar-3 Apr: 12; 6-8 Apr: 15.
    assert deadline_for(LetterKind.APPLICATION, date(2026, 3, 13)) == date(2026, 4, 8)


def test_deadline_runs_over_new_year():
    # Received Wed 24 Dec 2025: 25, 26, 29, 30, 31 Dec = 5; 1-2 Jan are off; 5, 6 = 7;
    # 7 Jan (Orthodox Christmas) off; 8, 9 = 9; 12-16 = 14; 19 Jan = 15.
    assert deadline_for(LetterKind.APPLICATION, date(2025, 12, 24)) == date(2026, 1, 19)


def test_transferred_working_saturday_counts():
    saturday = date(2026, 11, 28)
    calendar = WorkingCalendar(extra_working_days=[saturday])
    assert calendar.is_working_day(saturday)
    assert calendar.add_working_days(date(2026, 11, 27), 1) == saturday


def test_extra_day_off_moves_the_deadline():
    calendar = WorkingCalendar(extra_days_off=[date(2026, 11, 24)])
    assert calendar.add_working_days(date(2026, 11, 23), 1) == date(2026, 11, 25)


@pytest.mark.parametrize(
    "deadline, state",
    [
        (date(2026, 11, 20), DeadlineState.OVERDUE),  # before today
        (date(2026, 11, 23), DeadlineState.DUE_SOON),  # today is the last day
        (date(2026, 11, 25), DeadlineState.DUE_SOON),  # the third working day counting today
        (date(2026, 11, 26), DeadlineState.ON_TIME),
    ],
)
def test_deadline_state_on_a_monday(deadline, state):
    assert deadline_state(deadline, today=date(2026, 11, 23)) is state


def test_due_soon_counts_working_days_across_a_weekend():
    # Friday 27 Nov: the last three working days are Fri, Mon 30 Nov, Tue 1 Dec.
    assert deadline_state(date(2026, 12, 1), today=date(2026, 11, 27)) is DeadlineState.DUE_SOON
    assert deadline_state(date(2026, 12, 2), today=date(2026, 11, 27)) is DeadlineState.ON_TIME


def test_extension_may_reach_two_calendar_months_after_the_legal_deadline():
    from akimat_reception.domain.deadlines import latest_extension

    assert latest_extension(date(2026, 12, 14)) == date(2027, 2, 14)
    assert latest_extension(date(2026, 12, 31)) == date(2027, 2, 28)  # no 31 February


def test_refusal_possible_three_working_days_after_the_notice():
    from akimat_reception.domain.deadlines import refusal_possible_from

    # Told on Friday 13 Mar 2026: Mon 16, Tue 17, Wed 18 -> from Wednesday.
    assert refusal_possible_from(date(2026, 3, 13)) == date(2026, 3, 18)
    # Told on Friday 20 Mar 2026, before Nauryz (23-25 Mar): 26, 27, 30 Mar.
    assert refusal_possible_from(date(2026, 3, 20)) == date(2026, 3, 30)


def test_forwarding_term_is_three_working_days():
    from akimat_reception.domain.deadlines import forward_by

    assert forward_by(date(2026, 12, 11)) == date(2026, 12, 17)  # Fri -> Mon 14, Tue 15, (16 off) Thu 17


def test_terms_are_configuration(app):
    from akimat_reception.domain.deadlines import current_terms, deadline_for

    with app.app_context():
        app.config["LEGAL_TERMS"] = {"consideration_working_days": 10}
        try:
            assert current_terms().consideration_working_days == 10
            assert deadline_for(LetterKind.APPLICATION, date(2026, 11, 2)) == date(2026, 11, 16)
        finally:
            app.config["LEGAL_TERMS"] = {}
