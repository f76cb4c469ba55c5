"""The letter's lifecycle: registration, routing, answering, rating, and the journal."""
import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import select, update

from akimat_reception.domain import journal, lifecycle
from akimat_reception.extensions import db
from akimat_reception.models import Decision, Event, Letter, LetterStatus, Role
from tests import factories


@pytest.fixture(autouse=True)
def _context(app_context):
    yield


def test_registration_number_has_prefix_year_and_six_digits():
    letter, _ = factories.letter()
    assert re.fullmatch(r"AST-\d{4}-\d{6}", letter.number)


def test_numbers_are_consecutive_per_akimat_and_separate_between_akimats():
    first, _ = factories.letter("astana")
    other, _ = factories.letter("almaty")
    second, _ = factories.letter("astana")
    assert second.seq == first.seq + 1
    assert other.number.startswith("ALA-")


def test_year_of_the_number_is_the_year_in_almaty():
    # 31 Dec 2026 20:00 UTC is already 1 Jan 2027 in Almaty (UTC+5).
    letter, _ = factories.letter(received_at=datetime(2026, 12, 31, 20, 0, tzinfo=timezone.utc))
    assert letter.number.startswith("AST-2027-")


def test_access_code_opens_the_letter_and_is_not_stored_in_clear():
    letter, code = factories.letter()
    assert re.fullmatch(r"([2-9A-Z]{4}-){3}[2-9A-Z]{4}", code)
    assert code not in letter.access_code_hash
    assert lifecycle.access_code_matches(letter, code)
    assert lifecycle.access_code_matches(letter, code.lower().replace("-", " "))
    assert not lifecycle.access_code_matches(letter, "AAAA-BBBB-CCCC-DDDD")


def test_deadline_is_fifteen_working_days_after_receipt():
    letter, _ = factories.letter(received_at=datetime(2026, 11, 2, 6, 0, tzinfo=timezone.utc))
    assert letter.deadline.isoformat() == "2026-11-23"


def test_submission_writes_submitted_and_registered_events():
    letter, _ = factories.letter()
    assert [e.kind for e in journal.events_of(letter)] == ["submitted", "registered"]


def test_registrar_routes_a_letter_and_the_journal_says_who():
    letter, _ = factories.letter()
    registrar = factories.staff(Role.REGISTRAR)
    department = factories.akimat().departments[2]
    lifecycle.assign(letter, department, registrar)
    assert letter.status is LetterStatus.ASSIGNED
    event = journal.events_of(letter)[-1]
    assert (event.kind, event.actor_id, event.actor_role) == ("assigned", registrar.id, "registrar")


def test_moving_to_another_department_needs_a_reason():
    letter, _ = factories.routed_letter()
    registrar = factories.staff(Role.REGISTRAR)
    other = factories.akimat().departments[3]
    with pytest.raises(lifecycle.LifecycleError):
        lifecycle.assign(letter, other, registrar, reason="  ")
    lifecycle.assign(letter, other, registrar, reason="Вопрос о поликлинике")
    assert journal.events_of(letter)[-1].payload["reason"] == "Вопрос о поликлинике"


def test_executor_cannot_route_letters():
    letter, _ = factories.letter()
    with pytest.raises(lifecycle.NotAllowed):
        lifecycle.assign(letter, factories.akimat().departments[0], factories.staff(Role.EXECUTOR))


def test_refusal_without_grounds_is_not_sent():
    letter, _ = factories.routed_letter()
    executor = factories.staff(Role.EXECUTOR)
    with pytest.raises(lifecycle.LifecycleError):
        lifecycle.send_answer(letter, executor, Decision.REFUSED, "Отказано.", reasons="Нет оснований")
    db.session.rollback()
    assert db.session.get(Letter, letter.id).status is LetterStatus.ASSIGNED


def test_refusal_with_reasons_basis_and_appeal_is_sent():
    letter, _ = factories.routed_letter()
    lifecycle.send_answer(letter, factories.staff(Role.EXECUTOR), Decision.REFUSED, "Отказано.",
                          reasons="Участок не принадлежит заявителю", legal_basis="Земельный кодекс РК, ст. 43",
                          appeal_procedure="В суд или вышестоящему органу в течение 3 месяцев")
    assert letter.status is LetterStatus.ANSWERED
    assert letter.sent_answer.decision is Decision.REFUSED


def test_executor_of_another_department_cannot_answer():
    letter, _ = factories.letter()
    lifecycle.assign(letter, factories.akimat().departments[4], factories.staff(Role.REGISTRAR))
    with pytest.raises(lifecycle.NotAllowed):
        lifecycle.send_answer(letter, factories.staff(Role.EXECUTOR), Decision.EXPLAINED, "Разъяснено.")


def test_staff_of_another_akimat_cannot_touch_the_letter():
    letter, _ = factories.letter("astana")
    with pytest.raises(lifecycle.NotAllowed):
        lifecycle.assign(letter, factories.akimat("astana").departments[0], factories.staff(Role.REGISTRAR, "almaty"))


def test_unanswered_letter_cannot_be_rated_and_answered_one_is_rated_once():
    letter, _ = factories.routed_letter()
    with pytest.raises(lifecycle.LifecycleError):
        lifecycle.rate(letter, 5)
    lifecycle.send_answer(letter, factories.staff(Role.EXECUTOR), Decision.SATISFIED, "Отопление восстановлено.")
    lifecycle.rate(letter, 4, "Спасибо")
    with pytest.raises(lifecycle.LifecycleError):
        lifecycle.rate(letter, 1)
    assert letter.rating == 4


def test_journal_of_a_full_life_verifies():
    letter, _ = factories.routed_letter()
    lifecycle.send_answer(letter, factories.staff(Role.EXECUTOR), Decision.SATISFIED, "Готово.")
    lifecycle.rate(letter, 5)
    events = journal.events_of(letter)
    assert [e.kind for e in events] == ["submitted", "registered", "assigned", "answer_sent", "rated"]
    assert journal.verify_events(events) == []


def test_edited_event_is_detected():
    letter, _ = factories.routed_letter()
    db.session.execute(update(Event).where(Event.letter_id == letter.id, Event.seq == 3)
                       .values(payload={"department_id": 999}))
    db.session.commit()
    db.session.expire_all()
    breaks = journal.verify_events(journal.events_of(letter))
    assert [(b.seq, b.problem) for b in breaks] == [(3, "content altered")]


def test_deleted_event_is_detected():
    letter, _ = factories.routed_letter()
    db.session.execute(Event.__table__.delete().where(Event.letter_id == letter.id, Event.seq == 2))
    db.session.commit()
    breaks = journal.verify_events(journal.events_of(letter))
    assert {b.problem for b in breaks} == {"missing event", "chain broken"}
