"""Notifications go through the outbox to a real SMTP server; none is lost while SMTP is down,
none is sent twice."""

import re
from datetime import timedelta

from sqlalchemy import select

from akimat_reception.domain import lifecycle
from akimat_reception.extensions import db
from akimat_reception.models import Decision, DeliveryStatus, Letter, OutboxMessage, Role
from akimat_reception.models._common import utcnow
from tests import factories
from tests.smtp import drain


def _messages(letter_number):
    return db.session.scalars(
        select(OutboxMessage)
        .join(Letter, Letter.id == OutboxMessage.letter_id)
        .where(Letter.number == letter_number)
        .order_by(OutboxMessage.id)
    ).all()


def test_receipt_reaches_the_resident_by_email_in_their_language_with_the_code(app, app_context, smtp):
    letter, code = factories.letter(language="kk", email="aigerim@example.kz", phone=None)
    drain()
    [mail] = smtp.inbox.to("aigerim@example.kz")
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert letter.number in mail["Subject"] and "тіркелді" in mail["Subject"]  # Kazakh
    assert code in text and code in html and 'lang="kk"' in html
    assert mail["Content-Language"] == "kk"
    [row] = _messages(letter.number)
    assert row.status is DeliveryStatus.SENT and row.secret is None  # the code is not kept after delivery
    assert code not in row.body_text


def test_sms_goes_through_the_same_outbox(app, app_context, smtp, sms_log):
    letter, code = factories.letter(language="ru", email=None, phone="+77012345678")
    drain()
    [(phone, text)] = [args for args in sms_log() if letter.number in args[1]]
    assert phone == "+77012345678" and code in text


def test_message_waits_while_smtp_is_down_and_goes_out_once_when_it_is_back(app, app_context, smtp):
    smtp.stop()
    letter, _ = factories.letter(email="down@example.kz", phone=None)
    outcome = drain()
    [row] = _messages(letter.number)
    assert outcome["retry"] >= 1
    assert row.status is DeliveryStatus.PENDING and row.attempts == 1 and "Connection" in row.last_error
    assert row.next_attempt_at > utcnow()

    drain()  # too early for the retry: nothing is attempted
    db.session.refresh(row)
    assert row.attempts == 1

    smtp.start()
    drain(now=utcnow() + timedelta(minutes=5))
    drain(now=utcnow() + timedelta(hours=1))
    assert len(smtp.inbox.to("down@example.kz")) == 1
    db.session.refresh(row)
    assert row.status is DeliveryStatus.SENT and row.attempts == 2


def test_a_message_is_given_up_after_the_last_retry(app, app_context, smtp):
    smtp.stop()
    letter, _ = factories.letter(email="never@example.kz", phone=None)
    moment = utcnow()
    for _ in range(8):
        moment += timedelta(hours=7)
        drain(now=moment)
    [row] = _messages(letter.number)
    assert row.status is DeliveryStatus.FAILED and row.attempts == 8


def test_answer_notification_is_queued_with_the_answer_in_one_transaction(app, app_context, smtp):
    letter, _ = factories.routed_letter(email="answer@example.kz", phone=None, language="en")
    factories.answer(letter)
    assert [m.kind for m in _messages(letter.number)] == ["receipt", "answer_sent"]
    drain()
    subjects = [m["Subject"] for m in smtp.inbox.to("answer@example.kz")]
    assert f"Answer to your letter {letter.number}" in subjects


def test_failed_answer_queues_nothing(app, app_context):
    letter, _ = factories.routed_letter(email="nothing@example.kz", phone=None)
    try:
        lifecycle.submit_draft(letter, factories.staff(Role.EXECUTOR), Decision.REFUSED, "Нет.")
    except lifecycle.LifecycleError:
        db.session.rollback()
    assert [m.kind for m in _messages(letter.number)] == ["receipt"]


def test_outbox_send_command_reports_what_it_did(app, app_context, runner, smtp):
    factories.letter(email="cli@example.kz", phone=None)
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0 and re.search(r"sent [1-9]\d*", result.output)
    assert smtp.inbox.to("cli@example.kz")
