"""The rules of a letter the chancellery enters: the day it counts from (APPK art. 64), which
year numbers it, and the sender's number that no second letter of the channel may repeat."""

import uuid
from datetime import UTC, date, datetime, time
from types import SimpleNamespace

import pytest
from sqlalchemy.exc import IntegrityError

from akimat_reception.domain import lifecycle
from akimat_reception.domain.calendar import KAZAKHSTAN
from akimat_reception.domain.deadlines import counts_from, deadline_for
from akimat_reception.domain.lifecycle.intake import (
    DuplicateReference,
    late_arrival,
    normalize_reference,
    register_received,
)
from akimat_reception.extensions import db
from akimat_reception.models import LetterChannel, LetterKind, Role
from tests import factories

# An akimat open until 18:30 in Astana's time (UTC+5): the rule reads only these two.
ASTANA = SimpleNamespace(timezone="Asia/Almaty", closes_at=time(18, 30))


def _local(y, m, d, hh, mm):
    """A moment given in Astana's local time, as the database holds it (UTC)."""
    return datetime(y, m, d, hh - 5, mm, tzinfo=UTC) if hh >= 5 else datetime(y, m, d - 1, hh + 19, mm, tzinfo=UTC)


def test_a_letter_within_working_hours_counts_from_that_day():
    assert counts_from(ASTANA, _local(2026, 11, 3, 18, 29)) == date(2026, 11, 3)


def test_a_letter_before_opening_time_counts_from_that_day():
    assert counts_from(ASTANA, _local(2026, 11, 3, 7, 0)) == date(2026, 11, 3)


def test_a_letter_in_the_evening_after_closing_counts_from_the_next_working_day():
    assert counts_from(ASTANA, _local(2026, 11, 3, 18, 30)) == date(2026, 11, 4)


def test_a_letter_of_friday_evening_counts_from_monday():
    assert counts_from(ASTANA, _local(2026, 11, 6, 20, 0)) == date(2026, 11, 9)


def test_a_letter_of_saturday_counts_from_monday():
    assert counts_from(ASTANA, _local(2026, 11, 7, 11, 0)) == date(2026, 11, 9)


def test_a_letter_of_a_public_holiday_counts_from_the_next_working_day():
    # Wednesday 16 December, Independence Day.
    assert not KAZAKHSTAN.is_working_day(date(2026, 12, 16))
    assert counts_from(ASTANA, _local(2026, 12, 16, 10, 0)) == date(2026, 12, 17)


@pytest.fixture
def _context(app_context):
    from flask_babel import force_locale

    with force_locale("en"):
        yield


def _submission(**fields):
    astana = factories.akimat()
    data = dict(
        kind=LetterKind.APPLICATION,
        category=astana.categories[0],
        language="ru",
        subject="Письмо из канцелярии",
        body="Прошу отремонтировать подъезд дома 3.",
        surname="Ким",
        given_name="Елена",
        address="Астана, Абая 3",
        submission_token=uuid.uuid4().hex,
        channel=LetterChannel.POST,
        registered_by=factories.staff(Role.REGISTRAR),
    )
    data.update(fields)
    return lifecycle.Submission(**data)


def test_a_letter_of_31_december_evening_has_that_years_number_and_counts_from_january(_context):
    # Thursday 31 Dec 2026, 19:00 in Astana: after hours. 1-2 Jan are the New Year, 3 Jan a
    # Sunday, and the calendar moves Saturday 2 Jan's holiday to Monday 4 Jan: Tuesday 5 Jan.
    assert [KAZAKHSTAN.is_working_day(date(2027, 1, d)) for d in range(1, 6)] == [False] * 4 + [True]
    letter, _ = register_received(factories.akimat(), _submission(), now=_local(2026, 12, 31, 19, 0))
    assert letter.number.startswith("AST-2026-")
    assert letter.counts_from == date(2027, 1, 5)
    assert letter.deadline == deadline_for(LetterKind.APPLICATION, date(2027, 1, 5))
    late = late_arrival(letter)
    assert (late.arrived_on, late.counts_from, late.day_off) == (date(2026, 12, 31), date(2027, 1, 5), False)


def test_late_arrival_says_a_day_off_for_a_sunday_letter(_context):
    letter, _ = register_received(factories.akimat(), _submission(), now=_local(2026, 11, 8, 12, 0))
    assert late_arrival(letter).day_off
    on_time, _ = register_received(factories.akimat(), _submission(), now=_local(2026, 11, 9, 12, 0))
    assert late_arrival(on_time) is None


@pytest.mark.parametrize(
    "typed, kept",
    [("№ 15/3", "15/3"), ("№15/3", "15/3"), ("No. 15/3", "15/3"), ("  жт-12  345 ", "ЖТ-12 345"), ("", None)],
)
def test_the_senders_number_is_compared_as_a_clerk_means_it(typed, kept):
    assert normalize_reference(typed) == kept


def test_a_second_letter_with_the_same_number_and_channel_is_refused_and_names_the_first(_context):
    reference = f"E-{uuid.uuid4().hex[:8]}"
    first, _ = register_received(
        factories.akimat(), _submission(channel=LetterChannel.E_OTINISH, sender_reference=reference)
    )
    with pytest.raises(DuplicateReference) as refused:
        register_received(
            factories.akimat(), _submission(channel=LetterChannel.E_OTINISH, sender_reference=f"№ {reference}")
        )
    assert refused.value.earlier.id == first.id
    assert first.number in str(refused.value.message)
    # Another channel's numbering is another sender's: the same number is a different letter.
    register_received(factories.akimat(), _submission(channel=LetterChannel.POST, sender_reference=reference))


def test_the_database_itself_refuses_the_same_number_twice(_context):
    """The constraint behind the check, for two clerks entering the same letter at one moment."""
    reference = f"P-{uuid.uuid4().hex[:8]}"
    lifecycle.submit(factories.akimat(), _submission(sender_reference=reference))
    with pytest.raises(IntegrityError):
        lifecycle.submit(factories.akimat(), _submission(sender_reference=reference))
    db.session.rollback()


@pytest.mark.parametrize("role", [Role.EXECUTOR, Role.CONTROLLER, Role.AKIM, Role.ADMIN])
def test_only_a_registrar_registers_a_letter(_context, role):
    with pytest.raises(lifecycle.NotAllowed):
        register_received(factories.akimat(), _submission(registered_by=factories.staff(role)))


def test_a_web_letter_is_not_entered_by_the_chancellery(_context):
    with pytest.raises(lifecycle.LifecycleError):
        register_received(factories.akimat(), _submission(channel=LetterChannel.WEB))
