"""A letter given to a named executor within its department, and given back when they leave."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from akimat_reception.domain import journal, lifecycle
from akimat_reception.domain.accounts import deactivate
from akimat_reception.extensions import db
from akimat_reception.models import Decision, LetterStatus, OutboxMessage, Role
from tests import factories
from tests.executors import department_with_head, letter_in, person


@pytest.fixture(autouse=True)
def _context(app_context):
    from flask_babel import force_locale

    with force_locale("en"):
        yield


def _agrees(letter):
    assert journal.verify_letter(letter, journal.events_of(letter)) == []
    assert journal.replay(journal.events_of(letter)).executor_id == letter.executor_id


def test_registrar_names_an_executor_of_the_department_and_the_journal_agrees():
    dept, _head, second = department_with_head()
    letter = letter_in(dept)
    lifecycle.assign_executor(letter, second, factories.staff(Role.REGISTRAR))
    assert letter.executor_id == second.id
    assert journal.events_of(letter)[-1].payload == {
        "executor_id": second.id,
        "executor": second.full_name,
        "reason": "",
    }
    _agrees(letter)
    told = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == second.email)).all()
    assert [m.kind for m in told] == ["executor_assigned"] and letter.number in told[0].subject


def test_the_head_of_the_department_names_an_executor_but_another_executor_may_not():
    dept, head, second = department_with_head()
    letter = letter_in(dept)
    lifecycle.assign_executor(letter, second, head)
    assert letter.executor_id == second.id
    with pytest.raises(lifecycle.NotAllowed):
        lifecycle.assign_executor(letter, head, second)
    assert lifecycle.LetterAction.ASSIGN_EXECUTOR not in lifecycle.allowed_actions(second, letter, datetime.now(UTC))


def test_an_executor_of_another_department_or_an_inactive_one_is_refused():
    dept, _head, second = department_with_head()
    other_dept, _, stranger = department_with_head()
    letter = letter_in(dept)
    registrar = factories.staff(Role.REGISTRAR)
    with pytest.raises(lifecycle.LifecycleError, match="active executor of the letter's department"):
        lifecycle.assign_executor(letter, stranger, registrar)
    second.active = False
    db.session.commit()
    with pytest.raises(lifecycle.LifecycleError, match="active executor of the letter's department"):
        lifecycle.assign_executor(letter, second, registrar)
    controller = person("Контролёр", role=Role.CONTROLLER)
    with pytest.raises(lifecycle.LifecycleError, match="active executor of the letter's department"):
        lifecycle.assign_executor(letter, controller, registrar)
    assert letter.executor_id is None


def test_a_letter_without_a_department_cannot_be_given_to_an_executor():
    dept, _head, second = department_with_head()
    letter, _ = factories.letter()
    with pytest.raises(lifecycle.LifecycleError, match="with a department"):
        lifecycle.assign_executor(letter, second, factories.staff(Role.REGISTRAR))


def test_moving_the_letter_to_another_department_clears_the_executor():
    dept, _head, second = department_with_head()
    other, _, _ = department_with_head()
    letter = letter_in(dept)
    registrar = factories.staff(Role.REGISTRAR)
    lifecycle.assign_executor(letter, second, registrar)
    lifecycle.assign(letter, other, registrar, reason="Не по профилю")
    assert letter.executor_id is None
    _agrees(letter)


def test_a_row_changed_behind_the_journal_shows_in_verification():
    dept, _head, second = department_with_head()
    letter = letter_in(dept)
    letter.executor_id = second.id  # not through the verb
    db.session.commit()
    [problem] = journal.verify_letter(letter, journal.events_of(letter))
    assert "executor_id" in problem.problem


def test_a_deactivated_executors_letters_go_to_the_head_and_their_draft_stays():
    dept, head, second = department_with_head()
    drafted, waiting = letter_in(dept), letter_in(dept)
    registrar = factories.staff(Role.REGISTRAR)
    for letter in (drafted, waiting):
        lifecycle.assign_executor(letter, second, registrar)
    lifecycle.submit_draft(drafted, second, Decision.SATISFIED, f"{drafted.number}. {factories.ANSWER_TEXT['ru']}")
    lifecycle.return_draft(drafted, "Дополнить ответ", factories.staff(Role.CONTROLLER))
    deactivate(second, factories.staff(Role.ADMIN))
    for letter in (drafted, waiting):
        db.session.refresh(letter)
        assert letter.executor_id == head.id and letter.status is LetterStatus.ASSIGNED
        last = journal.events_of(letter)[-1]
        assert last.payload["reason"] == "executor deactivated" and last.actor_role == "admin"
        _agrees(letter)
    assert [a.author_id for a in drafted.answers] == [second.id]
    mails = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "letters_released").order_by(OutboxMessage.id)
    ).all()
    to_head = [m for m in mails if m.recipient == head.email]
    assert len(to_head) == 1 and drafted.number in to_head[0].body_text and waiting.number in to_head[0].body_text
    assert any(m.recipient == registrar.email and waiting.number in m.body_text for m in mails)


def test_without_another_head_the_letters_go_back_to_the_department():
    dept, head, second = department_with_head()
    letter = letter_in(dept)
    lifecycle.assign_executor(letter, head, factories.staff(Role.REGISTRAR))
    deactivate(head, factories.staff(Role.ADMIN))  # the head themself leaves
    db.session.refresh(letter)
    assert letter.executor_id is None
    _agrees(letter)
    assert lifecycle.executors_of(letter) == [second]


def test_answered_letters_of_a_deactivated_executor_are_left_alone():
    dept, _head, second = department_with_head()
    letter = letter_in(dept)
    lifecycle.assign_executor(letter, second, factories.staff(Role.REGISTRAR))
    lifecycle.submit_draft(letter, second, Decision.SATISFIED, f"{letter.number}. {factories.ANSWER_TEXT['ru']}")
    lifecycle.approve_draft(letter, factories.staff(Role.CONTROLLER))
    assert lifecycle.release_letters_of(second, None) == []
    assert letter.executor_id == second.id
