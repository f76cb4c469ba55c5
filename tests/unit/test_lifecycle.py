"""The letter's lifecycle: registration, routing, answering, rating, and the journal."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, text, update

from akimat_reception.domain import journal, lifecycle
from akimat_reception.domain.access_codes import access_code_matches
from akimat_reception.extensions import db
from akimat_reception.models import Decision, Event, Letter, LetterStatus, Role
from akimat_reception.models.guards import HistoryRewriteRefused
from tests import factories
from tests.conftest import server_transaction


@pytest.fixture(autouse=True)
def _context(app_context):
    from flask_babel import force_locale

    with force_locale("en"):  # messages are matched in English; outside a request they follow the default
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
    letter, _ = factories.letter(received_at=datetime(2026, 12, 31, 20, 0, tzinfo=UTC))
    assert letter.number.startswith("AST-2027-")


def test_access_code_opens_the_letter_and_is_not_stored_in_clear():
    letter, code = factories.letter()
    assert re.fullmatch(r"([2-9A-Z]{4}-){3}[2-9A-Z]{4}", code)
    assert code not in letter.access_code_hash
    assert access_code_matches(letter, code)
    assert access_code_matches(letter, code.lower().replace("-", " "))
    assert not access_code_matches(letter, "AAAA-BBBB-CCCC-DDDD")


def test_deadline_is_fifteen_working_days_after_receipt():
    letter, _ = factories.letter(received_at=datetime(2026, 11, 2, 6, 0, tzinfo=UTC))
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
        lifecycle.submit_draft(letter, executor, Decision.REFUSED, "Отказано.", reasons="Нет оснований")
    db.session.rollback()
    assert db.session.get(Letter, letter.id).status is LetterStatus.ASSIGNED


def test_refusal_with_reasons_basis_and_appeal_is_sent_after_the_hearing():
    monday = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    letter, _ = factories.routed_letter(received_at=monday - timedelta(days=7))
    executor = factories.staff(Role.EXECUTOR)
    lifecycle.notify_preliminary_refusal(letter, "Участок не принадлежит заявителю", executor, now=monday)
    factories.answer(
        letter,
        Decision.REFUSED,
        "В удовлетворении заявления отказано: земельный участок, о котором идёт речь, принадлежит "
        "другому лицу по договору купли-продажи.",
        reasons="Участок не принадлежит заявителю",
        legal_basis="Земельный кодекс РК, ст. 43",
        appeal_procedure="В суд или вышестоящему органу в течение 3 месяцев",
        now=monday + timedelta(days=3),
    )  # Thursday: three working days later
    assert letter.status is LetterStatus.ANSWERED
    assert letter.sent_answer.decision is Decision.REFUSED


def test_executor_of_another_department_cannot_answer():
    letter, _ = factories.letter()
    lifecycle.assign(letter, factories.akimat().departments[4], factories.staff(Role.REGISTRAR))
    with pytest.raises(lifecycle.NotAllowed):
        lifecycle.submit_draft(letter, factories.staff(Role.EXECUTOR), Decision.EXPLAINED, "Разъяснено.")


def test_staff_of_another_akimat_cannot_touch_the_letter():
    letter, _ = factories.letter("astana")
    with pytest.raises(lifecycle.NotAllowed):
        lifecycle.assign(letter, factories.akimat("astana").departments[0], factories.staff(Role.REGISTRAR, "almaty"))


def test_unanswered_letter_cannot_be_rated_and_answered_one_is_rated_once():
    letter, _ = factories.routed_letter()
    with pytest.raises(lifecycle.LifecycleError):
        lifecycle.rate(letter, 5)
    factories.answer(letter)
    lifecycle.rate(letter, 4, "Спасибо")
    with pytest.raises(lifecycle.LifecycleError):
        lifecycle.rate(letter, 1)
    assert letter.rating == 4


def test_journal_of_a_full_life_verifies():
    letter, _ = factories.routed_letter()
    factories.answer(letter)
    lifecycle.rate(letter, 5)
    events = journal.events_of(letter)
    assert [e.kind for e in events] == [
        "submitted",
        "registered",
        "assigned",
        "draft_submitted",
        "answer_sent",
        "rated",
    ]
    assert journal.verify_events(events) == []


def test_edited_event_is_detected():
    letter, _ = factories.routed_letter()
    tamper(f"UPDATE event SET payload = '{{\"department_id\": 999}}' WHERE letter_id = {letter.id} AND seq = 3")
    breaks = journal.verify_events(journal.events_of(letter))
    assert [(b.seq, b.problem) for b in breaks] == [(3, "content altered")]


def test_deleted_event_is_detected():
    letter, _ = factories.routed_letter()
    tamper(f"DELETE FROM event WHERE letter_id = {letter.id} AND seq = 2")
    breaks = journal.verify_events(journal.events_of(letter))
    assert {b.problem for b in breaks} == {"missing event", "chain broken"}


def test_events_cut_off_the_end_are_detected():
    letter, _ = factories.routed_letter()
    tamper(f"DELETE FROM event WHERE letter_id = {letter.id} AND seq = 3")
    problems = {b.problem for b in journal.verify_letter(letter, journal.events_of(letter))}
    assert "events missing at the end" in problems


def test_status_changed_behind_the_lifecycle_is_detected():
    letter, _ = factories.routed_letter()
    tamper(f"UPDATE letter SET status = 'answered' WHERE id = {letter.id}")
    db.session.refresh(letter)
    breaks = journal.verify_letter(letter, journal.events_of(letter))
    assert [b.problem for b in breaks] == ["row disagrees with journal: status is answered, journal says assigned"]


def test_akimat_report_finds_the_tampered_letter_among_intact_ones():
    intact, _ = factories.routed_letter()
    broken, _ = factories.letter()
    tamper(f"UPDATE event SET kind = 'assigned' WHERE letter_id = {broken.id} AND seq = 2")
    report = journal.verify_akimat(factories.akimat().id)
    broken_numbers = {b.number for b in report.breaks}
    assert broken.number in broken_numbers and intact.number not in broken_numbers
    assert report.letters >= 2 and report.events >= 7


def test_orm_refuses_to_edit_or_delete_an_event():
    letter, _ = factories.letter()
    event = journal.events_of(letter)[0]
    event.payload = {"subject": "rewritten"}
    with pytest.raises(HistoryRewriteRefused):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(HistoryRewriteRefused):
        db.session.execute(update(Event).where(Event.id == event.id).values(kind="x"))
    db.session.rollback()
    db.session.delete(db.session.get(Event, event.id))
    with pytest.raises(HistoryRewriteRefused):
        db.session.flush()
    db.session.rollback()


def test_orm_refuses_to_edit_a_submitted_letter_or_delete_it():
    letter, _ = factories.letter()
    letter.body = "Другой текст"
    with pytest.raises(HistoryRewriteRefused):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(HistoryRewriteRefused):
        db.session.execute(update(Letter).where(Letter.id == letter.id).values(subject="x"))
    db.session.rollback()
    db.session.delete(db.session.get(Letter, letter.id))
    with pytest.raises(HistoryRewriteRefused):
        db.session.flush()
    db.session.rollback()


def tamper(sql: str) -> None:
    """What someone with direct database access could do: plain SQL, around the ORM and, on
    PostgreSQL, with the guarding triggers switched off for the session (superuser only)."""
    with server_transaction() as conn:  # the app's own role may not switch the triggers off
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(sql))
    db.session.expire_all()


def test_extension_within_two_months_moves_the_deadline_and_tells_the_resident():
    from akimat_reception.models import OutboxMessage

    letter, _ = factories.routed_letter(received_at=datetime(2026, 11, 2, 6, 0, tzinfo=UTC))
    request = lifecycle.request_extension(letter, date(2027, 1, 20), "Экспертиза", factories.staff(Role.EXECUTOR))
    lifecycle.decide_extension(request, True, "Экспертиза займёт месяц", factories.staff(Role.AKIM))
    assert letter.deadline == date(2027, 1, 20) and letter.original_deadline == date(2026, 11, 23)
    assert journal.events_of(letter)[-1].kind == "extended"
    kinds = db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.letter_id == letter.id)).all()
    assert "extended" in kinds


@pytest.mark.parametrize(
    "new_deadline, message",
    [
        (date(2026, 11, 20), "after the current deadline"),
        (date(2027, 1, 25), "at most two months"),  # 23 Nov + 2 months = 23 Jan
        (date(2026, 12, 26), "working day"),  # a Saturday
    ],
)
def test_extension_outside_the_law_is_refused(new_deadline, message):
    letter, _ = factories.routed_letter(received_at=datetime(2026, 11, 2, 6, 0, tzinfo=UTC))
    with pytest.raises(lifecycle.LifecycleError, match=message):
        lifecycle.request_extension(letter, new_deadline, "Причина", factories.staff(Role.EXECUTOR))


def test_executor_cannot_grant_their_own_extension():
    letter, _ = factories.routed_letter(received_at=datetime(2026, 11, 2, 6, 0, tzinfo=UTC))
    executor = factories.staff(Role.EXECUTOR)
    request = lifecycle.request_extension(letter, date(2026, 12, 21), "Причина", executor)
    with pytest.raises(lifecycle.NotAllowed):
        lifecycle.decide_extension(request, True, "Сам себе", executor)


def test_refused_extension_keeps_the_deadline():
    letter, _ = factories.routed_letter(received_at=datetime(2026, 11, 2, 6, 0, tzinfo=UTC))
    request = lifecycle.request_extension(letter, date(2026, 12, 21), "Причина", factories.staff(Role.EXECUTOR))
    lifecycle.decide_extension(request, False, "Успеете в срок", factories.staff(Role.AKIM))
    assert letter.deadline == date(2026, 11, 23)
    assert journal.verify_letter(letter, journal.events_of(letter)) == []
