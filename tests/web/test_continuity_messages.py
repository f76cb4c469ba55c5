"""What the messages tell a resident who never opens the site: the answer's own text, the
extension's reason and original date (also on the tracking page), a transferred letter's new
number with a link that opens it there, and a From name in the resident's language."""

import email
import re
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header
from email.policy import compat32

from flask_babel import force_locale, format_date
from sqlalchemy import select

from akimat_reception.domain import lifecycle
from akimat_reception.domain.calendar import KAZAKHSTAN
from akimat_reception.extensions import db
from akimat_reception.models import Decision, Letter, Role
from tests import factories
from tests.smtp import drain

LINK_RE = r"http://[^/\s]+/{slug}/l/([A-Za-z0-9_-]{{16}})"


def _from(mail) -> str:
    """The From header as a mail reader shows it: adjacent encoded words joined (RFC 2047 6.2; the
    parser of tests/smtp.py keeps a space between them, inside a word of a long Cyrillic name)."""
    raw = email.message_from_bytes(mail.as_bytes(), policy=compat32)["From"]
    return str(make_header(decode_header(raw)))


def _plain(mail) -> str:
    return mail.get_body(("plain",)).get_content()


def test_the_answer_email_carries_the_refusal_its_reasons_basis_and_appeal(app, app_context, smtp):
    monday = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    letter, _ = factories.routed_letter(received_at=monday - timedelta(days=7), email="refused@example.kz", phone=None)
    lifecycle.notify_preliminary_refusal(
        letter, "Участок не принадлежит заявителю", factories.staff(Role.EXECUTOR), now=monday
    )
    factories.answer(
        letter,
        Decision.REFUSED,
        "В удовлетворении заявления отказано: участок принадлежит другому лицу по договору купли-продажи.",
        reasons="Участок не принадлежит заявителю",
        legal_basis="Земельный кодекс РК, ст. 43",
        appeal_procedure="В суд или вышестоящему органу в течение 3 месяцев",
        now=monday + timedelta(days=3),
    )
    drain()
    mail = smtp.inbox.to("refused@example.kz")[-1]
    text, html = _plain(mail), mail.get_body(("html",)).get_content()
    assert "Ответ на Ваше обращение" in mail["Subject"] or letter.number in mail["Subject"]
    for part in (
        "Решение: Отказано",
        "участок принадлежит другому лицу",
        "Основания: Участок не принадлежит",
        "Правовое основание: Земельный кодекс РК, ст. 43",
        "Порядок обжалования: В суд",
    ):
        assert part in text, part
    assert "Земельный кодекс РК, ст. 43" in html
    assert re.search(LINK_RE.format(slug="astana"), text)
    # ... and who answered it: the executor by name (an answer never comes from nobody).
    author = letter.sent_answer.author.full_name
    assert author and author in text


def test_the_extension_sms_and_page_give_the_reason_and_the_original_date(app, smtp, sms_log):
    with app.app_context():
        letter, code = factories.routed_letter(language="ru", email=None, phone="+77015550202")
        original = letter.deadline
        new_deadline = KAZAKHSTAN.add_working_days(original, 10)
        request = lifecycle.request_extension(letter, new_deadline, "Экспертиза", factories.staff(Role.EXECUTOR))
        lifecycle.decide_extension(request, True, "Нужна экспертиза проектной документации", factories.staff(Role.AKIM))
        number = letter.number
        drain()
        with force_locale("ru"):
            short_original, short_new = format_date(original, "short"), format_date(new_deadline, "short")
            long_original, long_new = format_date(original, "long"), format_date(new_deadline, "long")
    [text] = [t for phone, t in sms_log() if phone == "+77015550202" and "продлён" in t]
    assert f"срок продлён с {short_original} до {short_new}" in text
    assert "Причина: Нужна экспертиза проектной документации" in text
    token = re.search(LINK_RE.format(slug="astana"), text).group(1)

    browser = app.test_client()
    assert browser.get(f"/astana/l/{token}").status_code == 302
    page = browser.get(f"/astana/track/{number}", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert f"Продлён с {long_original} до {long_new}: Нужна экспертиза проектной документации" in page


def test_a_transferred_letter_s_message_gives_the_new_number_and_opens_it_there(app, smtp):
    with app.app_context():
        letter, _ = factories.letter(language="kk", email="moved-on@example.kz", phone=None)
        received = lifecycle.transfer_to_akimat(
            letter, factories.akimat("almaty"), "Алматы қаласының құзыреті", factories.staff(Role.REGISTRAR)
        )
        new_number, old_number = received.number, letter.number
        drain()
    [moved] = [
        m for m in smtp.inbox.to("moved-on@example.kz") if new_number in m["Subject"] and old_number in m["Subject"]
    ]
    text = _plain(moved)
    assert f"{new_number} жаңа нөмірімен тіркелді" in text
    token = re.search(LINK_RE.format(slug="almaty"), text).group(1)
    browser = app.test_client()
    assert browser.get(f"/almaty/l/{token}").headers["Location"].endswith(f"/almaty/track/{new_number}")
    assert new_number in browser.get(f"/almaty/track/{new_number}").get_data(as_text=True)
    # The new akimat's own receipt, with the new code, reaches the resident too.
    assert any(
        new_number in m["Subject"] and old_number not in m["Subject"] for m in smtp.inbox.to("moved-on@example.kz")
    )


def test_the_sender_s_name_is_in_the_message_s_language(app, app_context, smtp, monkeypatch):
    for language in ("kk", "ru"):
        factories.letter(language=language, email=f"from-{language}@example.kz", phone=None)
    factories.letter(language="en", email="from-en@example.kz", phone=None)
    drain()
    assert "Әкімнің виртуалды қабылдау бөлмесі" in _from(smtp.inbox.to("from-kk@example.kz")[-1])
    assert "Виртуальная приёмная акима" in _from(smtp.inbox.to("from-ru@example.kz")[-1])
    assert "Virtual reception of the akim" in _from(smtp.inbox.to("from-en@example.kz")[-1])
    monkeypatch.setitem(app.config, "MAIL_SENDER_NAME_KK", "Астана әкімдігі")
    factories.letter(language="kk", email="from-kk2@example.kz", phone=None)
    drain()
    assert "Астана әкімдігі" in _from(smtp.inbox.to("from-kk2@example.kz")[-1])
    assert db.session.scalar(select(Letter).where(Letter.email == "from-kk2@example.kz")) is not None
