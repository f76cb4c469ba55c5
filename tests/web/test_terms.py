"""The legal terms through the web: extension by the akim, forwarding outside competence, the
right to be heard before a refusal, the akim's instruction, and the admin's calendar."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from akimat_reception.domain import lifecycle
from akimat_reception.extensions import db
from akimat_reception.models import Channel, Decision, Letter, LetterStatus, OutboxMessage, Role
from tests import factories
from tests.conftest import listed_numbers, login, post_form

EN = {"Accept-Language": "en"}


def _letter(app, number) -> Letter:
    return db.session.scalar(select(Letter).where(Letter.number == number))


def _routed(app, **kwargs) -> str:
    with app.app_context():
        letter, _ = factories.routed_letter(**kwargs)
        return letter.number


def _outbox(number, kind):
    return db.session.scalars(
        select(OutboxMessage)
        .join(Letter, Letter.id == OutboxMessage.letter_id)
        .where(Letter.number == number, OutboxMessage.kind == kind)
    ).all()


def _working_day_after(day: date, days: int) -> date:
    from akimat_reception.domain.calendar import KAZAKHSTAN

    return KAZAKHSTAN.add_working_days(day, days)


def test_executor_asks_for_more_time_and_the_akim_extends_with_reasons(app):
    number = _routed(app, email="ext@example.kz", language="en")
    with app.app_context():
        letter = _letter(app, number)
        new_deadline = _working_day_after(letter.deadline, 10)
    executor = app.test_client()
    login(executor, "executor")
    response = post_form(
        executor,
        f"/astana/office/letters/{number}/extension",
        {"new_deadline": new_deadline.isoformat(), "extension_reason": "Нужна экспертиза"},
        form_url=f"/astana/office/letters/{number}",
    )
    assert response.status_code == 302

    akim = app.test_client()
    login(akim, "akim")
    dashboard = akim.get("/astana/akim/", headers=EN).get_data(as_text=True)
    assert "Requests for more time waiting for your decision" in dashboard and number in dashboard
    no_reason = post_form(
        akim,
        f"/astana/office/letters/{number}/extension/decision",
        {"verdict": "approve", "decision_reason": ""},
        form_url="/astana/akim/",
        headers=EN,
    )
    assert no_reason.status_code == 422
    response = post_form(
        akim,
        f"/astana/office/letters/{number}/extension/decision",
        {"verdict": "approve", "decision_reason": "Требуется заключение экспертизы"},
        form_url="/astana/akim/",
    )
    assert response.status_code == 302
    with app.app_context():
        letter = _letter(app, number)
        assert letter.deadline == new_deadline and letter.original_deadline < new_deadline
        [notice] = [m for m in _outbox(number, "extended") if m.channel is Channel.EMAIL]
        assert "Требуется заключение экспертизы" in notice.body_text
        assert str(new_deadline.year) in notice.body_text


def test_extension_beyond_two_months_is_refused(app, login_as):
    number = _routed(app)
    with app.app_context():
        too_late = _letter(app, number).original_deadline + timedelta(days=75)
    client = login_as("executor")
    response = post_form(
        client,
        f"/astana/office/letters/{number}/extension",
        {"new_deadline": too_late.isoformat(), "extension_reason": "Долго"},
        form_url=f"/astana/office/letters/{number}",
        headers=EN,
    )
    assert response.status_code == 422
    assert "The law allows an extension by at most two months" in response.get_data(as_text=True)


def test_invalid_date_gets_a_clear_error(app, login_as):
    number = _routed(app)
    response = post_form(
        login_as("executor"),
        f"/astana/office/letters/{number}/extension",
        {"new_deadline": "31.12", "extension_reason": "x"},
        form_url=f"/astana/office/letters/{number}",
        headers=EN,
    )
    assert response.status_code == 422 and "Enter a date like 2026-12-31." in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["executor", "registrar", "controller"])
def test_only_the_akim_decides_on_extensions(app, role):
    number = _routed(app)
    with app.app_context():
        letter = _letter(app, number)
        lifecycle.request_extension(
            letter, _working_day_after(letter.deadline, 5), "Причина", factories.staff(Role.EXECUTOR)
        )
    client = app.test_client()
    login(client, role)
    response = post_form(
        client,
        f"/astana/office/letters/{number}/extension/decision",
        {"verdict": "approve", "decision_reason": "Да"},
        form_url="/astana/",
    )
    assert response.status_code == 403


def test_registrar_forwards_a_letter_outside_competence_and_the_resident_is_told(app, login_as):
    with app.app_context():
        letter, _ = factories.letter(email="fwd@example.kz")
        number = letter.number
    client = login_as("registrar")
    page = client.get(f"/astana/office/letters/{number}", headers=EN).get_data(as_text=True)
    assert "Forward by" in page
    response = post_form(
        client,
        f"/astana/office/letters/{number}/forward",
        {
            "competent_body": "Министерство труда и социальной защиты населения РК",
            "forward_reason": "Пенсионные выплаты вне компетенции акимата",
        },
        form_url=f"/astana/office/letters/{number}",
    )
    assert response.status_code == 302
    with app.app_context():
        assert _letter(app, number).status is LetterStatus.FORWARDED
        [notice] = _outbox(number, "forwarded")
        assert "Министерство труда" in notice.body_text and "Пенсионные выплаты" in notice.body_text
    akim = app.test_client()
    login(akim, "akim")
    assert number not in listed_numbers(akim, "/astana/akim/")


def test_forwarding_term_is_overdue_after_three_working_days(app, login_as):
    with app.app_context():
        letter, _ = factories.letter(received_at=datetime.now(UTC) - timedelta(days=8))
        number = letter.number
    client = login_as("registrar")
    listed = listed_numbers(client, "/astana/office/", status="registered")
    page = client.get(
        "/astana/office/", headers=EN, query_string={"status": "registered", "page": listed.index(number) // 25 + 1}
    ).get_data(as_text=True)
    row = page[page.index(number) : page.index("</tr>", page.index(number))]
    forwarding, consideration = row.split('data-label="Deadline"')
    assert "Overdue" not in consideration  # 15 working days have not passed
    assert "Forward by:" in forwarding and "Forwarding term passed" in forwarding  # the 3 working days have


def test_refusal_waits_for_the_right_to_be_heard_and_the_position_reaches_control(app):
    number = _routed(app, email="heard@example.kz", language="en")
    executor = app.test_client()
    login(executor, "executor")
    too_soon = post_form(
        executor,
        f"/astana/office/letters/{number}/answer",
        {
            "decision": "refused",
            "body": "Refused.",
            "reasons": "No right",
            "legal_basis": "Land Code art. 43",
            "appeal_procedure": "Court",
        },
        form_url=f"/astana/office/letters/{number}",
        headers=EN,
    )
    assert too_soon.status_code == 422 and "right to be heard" in too_soon.get_data(as_text=True)

    notice = post_form(
        executor,
        f"/astana/office/letters/{number}/hearing",
        {"grounds": "The plot belongs to another person."},
        form_url=f"/astana/office/letters/{number}",
    )
    assert notice.status_code == 302
    still_too_soon = post_form(
        executor,
        f"/astana/office/letters/{number}/answer",
        {
            "decision": "refused",
            "body": "Refused.",
            "reasons": "No right",
            "legal_basis": "Land Code art. 43",
            "appeal_procedure": "Court",
        },
        form_url=f"/astana/office/letters/{number}",
        headers=EN,
    )
    assert still_too_soon.status_code == 422
    assert "the refusal can be sent from that day" in still_too_soon.get_data(as_text=True)

    with app.app_context():
        letter = _letter(app, number)
        [mail] = [m for m in _outbox(number, "hearing_notice") if m.channel is Channel.EMAIL]
        assert "The plot belongs to another person." in mail.body_text
        code_holder = app.test_client()
        # The resident opens their letter (as after entering number and code) and replies.
        with code_holder.session_transaction() as session:
            session["tracked"] = factories.tracked_entry(letter.id)
        page = code_holder.get(f"/astana/track/{number}", headers=EN).get_data(as_text=True)
        assert "Preliminary decision: the akimat intends to refuse" in page
    reply = post_form(
        code_holder,
        f"/astana/track/{number}/position",
        {"position": "I have a purchase contract from 2019."},
        form_url=f"/astana/track/{number}",
    )
    assert reply.status_code == 302
    controller = app.test_client()
    login(controller, "controller")
    office_page = controller.get(f"/astana/office/letters/{number}", headers=EN).get_data(as_text=True)
    assert "Position of the resident" in office_page and "I have a purchase contract from 2019." in office_page

    with app.app_context():
        letter = _letter(app, number)
        later = datetime.combine(letter.hearing_until, datetime.min.time(), tzinfo=UTC) + timedelta(hours=6)
        factories.answer(
            letter,
            Decision.REFUSED,
            "Your request is refused: the land plot you ask about belongs to another person "
            "under a purchase contract registered in 2015.",
            reasons="No right",
            legal_basis="Land Code art. 43",
            appeal_procedure="Court",
            now=later,
        )
        assert letter.status is LetterStatus.ANSWERED


def test_akim_instruction_is_seen_by_the_department(app):
    number = _routed(app)
    akim = app.test_client()
    login(akim, "akim")
    response = post_form(
        akim,
        f"/astana/office/letters/{number}/instruction",
        {"instruction": "Проверить на месте и доложить до пятницы."},
        form_url="/astana/akim/",
    )
    assert response.status_code == 302
    executor = app.test_client()
    login(executor, "executor")
    page = executor.get(f"/astana/office/letters/{number}", headers=EN).get_data(as_text=True)
    assert "Instruction of the akim" in page and "Проверить на месте и доложить до пятницы." in page


def test_moved_more_than_once_is_counted_for_the_akim(app, login_as):
    with app.app_context():
        letter, _ = factories.routed_letter()
        departments = factories.akimat().departments
        registrar = factories.staff(Role.REGISTRAR)
        lifecycle.assign(letter, departments[1], registrar, reason="Не наш вопрос")
        lifecycle.assign(letter, departments[2], registrar, reason="И не этот")
        assert letter.transfer_count == 2
    page = login_as("akim").get("/astana/akim/", headers=EN).get_data(as_text=True)
    total = re.search(r'total-transferred"><span class="total-number">(\d+)', page)
    assert total and int(total.group(1)) >= 1


def test_akim_and_admin_see_the_journal_check_and_the_access_log(app):
    number = _routed(app)
    registrar = app.test_client()
    login(registrar, "registrar")
    registrar.get(f"/astana/office/letters/{number}")
    for role in ("akim", "admin"):
        client = app.test_client()
        login(client, role)
        journal_page = client.get("/astana/oversight/journal", headers=EN).get_data(as_text=True)
        assert "Checked:" in journal_page
        log = client.get("/astana/oversight/access-log", headers=EN).get_data(as_text=True)
        assert "registrar@astana.demo.kz" in log and number in log
    executor = app.test_client()
    login(executor, "executor")
    assert executor.get("/astana/oversight/journal").status_code == 403
    assert executor.get("/astana/oversight/access-log").status_code == 403


def test_admin_declares_a_day_off_and_new_deadlines_follow_it(app):
    admin = app.test_client()
    login(admin, "admin", "almaty")
    with app.app_context():
        letter, _ = factories.letter("almaty")
        day_off = _working_day_after(letter.received_at.date(), 3)
        before = letter.deadline
    response = post_form(
        admin, "/almaty/admin/calendar", {"day": day_off.isoformat(), "kind": "day_off", "note": "Решение маслихата"}
    )
    assert response.status_code == 302
    page = admin.get("/almaty/admin/calendar", headers=EN).get_data(as_text=True)
    assert "Решение маслихата" in page and "APPK art. 76" in page and "APPK art. 73" in page
    with app.app_context():
        later, _ = factories.letter("almaty", received_at=letter.received_at)
        assert later.deadline == _working_day_after(before, 1)  # one working day more
        from akimat_reception.models import CalendarOverride

        db.session.execute(CalendarOverride.__table__.delete())
        db.session.commit()
