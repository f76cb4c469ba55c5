"""The answer on paper: its outgoing number and signer set at approval, the verb that records its
posting or handing over (who may, when, the event), and the signature every answer carries."""

import pytest
from flask_babel import force_locale

from akimat_reception.domain import lifecycle
from akimat_reception.domain.answer_contact import answer_signature, contact_phone, signature_text
from akimat_reception.domain.events import EventKind
from akimat_reception.extensions import db
from akimat_reception.models import CheckResult, Role
from tests import factories


@pytest.fixture(autouse=True)
def _context(app_context):
    with force_locale("en"):
        yield


def test_approval_signs_the_answer_and_numbers_it_after_the_letter():
    letter, _ = factories.answered_letter()
    answer = letter.sent_answer
    assert answer.outgoing_number == f"{letter.number}/1"
    assert answer.signed_by_id == factories.staff(Role.CONTROLLER).id


def test_a_second_answer_after_a_dispute_gets_the_next_number():
    letter, _ = factories.answered_letter()
    lifecycle.dispute(letter, "Ничего не сделано")
    lifecycle.return_draft(letter, "Проверить на месте", factories.staff(Role.CONTROLLER))
    second = factories.answer(letter, body=f"{letter.number}. Повторно: {factories.ANSWER_TEXT['ru']}")
    assert [a.outgoing_number for a in letter.answers if a.sent_at] == [f"{letter.number}/1", f"{letter.number}/2"]
    assert second is letter.sent_answer


def test_a_registrar_records_the_posting_and_the_history_shows_it():
    letter, _ = factories.answered_letter(email=None, phone=None)
    answer = letter.sent_answer
    lifecycle.dispatch_answer(letter, answer, "post", factories.staff(Role.REGISTRAR))
    assert answer.dispatch == "post" and answer.dispatched_at is not None
    event = lifecycle.journal.events_of(letter)[-1]
    assert event.kind == EventKind.ANSWER_DISPATCHED
    assert (event.payload["method"], event.payload["outgoing_number"]) == ("post", answer.outgoing_number)
    assert event.actor_role == "registrar"


def test_the_letters_executor_may_record_a_handing_over_a_controller_may_not():
    letter, _ = factories.answered_letter(paper_answer=True)
    with pytest.raises(lifecycle.NotAllowed):
        lifecycle.dispatch_answer(letter, letter.sent_answer, "post", factories.staff(Role.CONTROLLER))
    db.session.rollback()
    lifecycle.dispatch_answer(letter, letter.sent_answer, "handed", factories.staff(Role.EXECUTOR))
    assert letter.sent_answer.dispatch == "handed"


def test_an_answer_leaves_on_paper_once_and_only_when_paper_is_needed():
    by_email, _ = factories.answered_letter()  # the factory's letter has an email
    registrar = factories.staff(Role.REGISTRAR)
    with pytest.raises(lifecycle.LifecycleError, match="no answer to send on paper"):
        lifecycle.dispatch_answer(by_email, by_email.sent_answer, "post", registrar)
    db.session.rollback()
    on_paper, _ = factories.answered_letter(paper_answer=True)
    with pytest.raises(lifecycle.LifecycleError, match="by post or handed over"):
        lifecycle.dispatch_answer(on_paper, on_paper.sent_answer, "pigeon", registrar)
    db.session.rollback()
    lifecycle.dispatch_answer(on_paper, on_paper.sent_answer, "post", registrar)
    with pytest.raises(lifecycle.LifecycleError, match="already been sent"):
        lifecycle.dispatch_answer(on_paper, on_paper.sent_answer, "handed", registrar)
    db.session.rollback()


def test_a_registrar_of_another_akimat_cannot_record_it():
    letter, _ = factories.answered_letter(paper_answer=True)
    with pytest.raises(lifecycle.NotAllowed):
        lifecycle.dispatch_answer(letter, letter.sent_answer, "post", factories.staff(Role.REGISTRAR, "almaty"))
    db.session.rollback()


def test_the_signature_names_the_executor_and_the_signer():
    executor, controller = factories.staff(Role.EXECUTOR), factories.staff(Role.CONTROLLER)
    executor.position, executor.work_phone = "Главный специалист", "+77172400100"
    controller.position = "Руководитель отдела контроля"
    db.session.commit()
    letter, _ = factories.answered_letter()
    signature = answer_signature(letter.sent_answer)
    assert (signature.executor_name, signature.executor_position) == (executor.full_name, "Главный специалист")
    assert (signature.phone, signature.phone_source) == ("+77172400100", "executor")
    assert (signature.signer_name, signature.signer_position) == (controller.full_name, "Руководитель отдела контроля")
    assert signature_text(letter.sent_answer) == (
        f"Executor: {executor.full_name}, Главный специалист. Phone: {signature.phone_display}."
    )
    executor.position = executor.work_phone = controller.position = None
    db.session.commit()


def test_without_a_work_phone_the_contact_is_the_departments_line_then_the_akimats():
    letter, _ = factories.answered_letter()
    answer = letter.sent_answer
    assert answer.author.work_phone is None
    department = factories.department()
    failing = factories.phone_line(dept=department)
    failing.last_result = CheckResult.NO_ANSWER
    working = factories.phone_line(dept=department)
    without_lines = factories.department()
    with db.session.no_autoflush:  # a sent answer is frozen: these changes are never written
        answer.department_id = department.id
        assert contact_phone(answer) == (working.e164, "department")
        answer.department_id = letter.department_id = without_lines.id
        number, source = contact_phone(answer)
    assert source == "akimat" and number is not None
    db.session.rollback()


def test_paper_is_decided_at_registration_for_a_signed_letter_with_only_a_postal_address(app_context):
    by_post, _ = factories.letter(email=None, phone=None)
    with_email, _ = factories.letter(email="by.email@example.kz", phone=None)
    nameless, _ = factories.anonymous_letter(email=None, phone=None)  # no address to post it to
    assert [lifecycle.needs_paper(x) for x in (by_post, with_email, nameless)] == [True, False, False]
