"""The resident never hits a dead end: a lost code is replaced through the letter's own contact
(the same answer whatever the number), the one-click link of the messages opens the letter until
the code is reissued, and a letter is forgotten on a shared computer, by a button or by idling."""

import re
import time

from sqlalchemy import select

from akimat_reception.domain.events import EventKind
from akimat_reception.extensions import db
from akimat_reception.models import Event, Letter, LetterLink, OutboxMessage
from tests import factories
from tests.conftest import post_form
from tests.smtp import drain

RU = {"Accept-Language": "ru"}
EN = {"Accept-Language": "en"}
LINK_RE = re.compile(r"http://[^/\s]+/astana/l/([A-Za-z0-9_-]{16})")
CODE_RE = re.compile(r"\b([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4})\b")


def _new_letter(app, **fields):
    with app.app_context():
        letter, code = factories.letter(**fields)
        return letter.id, letter.number, code


def _track(client, number, code):
    return post_form(client, "/astana/track", {"number": number, "code": code})


def _ask_new_code(client, number, headers=EN):
    return post_form(client, "/astana/lost-code", {"number": number}, headers=headers)


def _answer_text(response) -> str:
    """The answer page without what differs by design (the number the resident typed)."""
    html = response.get_data(as_text=True)
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"[A-Z]+-\d{4}-\d{6}", "N", main)


def test_a_lost_code_is_sent_anew_to_the_email_and_the_old_code_and_its_sessions_end(app, smtp):
    letter_id, number, old_code = _new_letter(app, email="lost@example.kz", phone=None, language="ru")
    shared_computer = app.test_client()
    assert _track(shared_computer, number, old_code).status_code == 302
    assert shared_computer.get(f"/astana/track/{number}").status_code == 200

    resident = app.test_client()
    response = _ask_new_code(resident, number.lower(), headers=RU)
    assert response.status_code == 200 and "новый код доступа только что отправлен" in response.get_data(as_text=True)
    with app.app_context():
        drain()
    mail = smtp.inbox.to("lost@example.kz")[-1]
    text = mail.get_body(("plain",)).get_content()
    assert number in mail["Subject"] and "Новый код доступа" in mail["Subject"]
    new_code = CODE_RE.search(text.split("Ваш новый код доступа:")[1]).group(1)
    assert new_code != old_code

    # The old session and the old code end; the new code opens the letter.
    assert shared_computer.get(f"/astana/track/{number}").headers["Location"].endswith("/astana/track")
    assert _track(app.test_client(), number, old_code).status_code == 422
    assert _track(app.test_client(), number, new_code).status_code == 302
    with app.app_context():
        [event] = db.session.scalars(
            select(Event).where(Event.letter_id == letter_id, Event.kind == EventKind.CODE_REISSUED)
        ).all()
        assert event.payload["via"] == "contact" and event.payload["generation"] == 1
        [row] = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "code_reissued", OutboxMessage.letter_id == letter_id)
        ).all()
        assert row.secret is None and new_code not in row.body_text  # not kept in clear once delivered


def test_the_answer_is_the_same_for_a_known_an_unknown_and_a_contactless_number(app, smtp):
    _, known, _ = _new_letter(app, email="same-answer@example.kz")
    contactless_id, contactless, code = _new_letter(app, email=None, phone=None)
    answers = [_ask_new_code(app.test_client(), number) for number in (known, "AST-2026-999999", contactless)]
    assert {r.status_code for r in answers} == {200}
    assert _answer_text(answers[0]) == _answer_text(answers[1]) == _answer_text(answers[2])
    page = answers[2].get_data(as_text=True)
    assert "with your ID card" in page and "09:00" in page and "/astana/phones" in page
    with app.app_context():  # no contact: nothing was reissued, the code in hand still works
        assert db.session.get(Letter, contactless_id).code_generation == 0
    assert _track(app.test_client(), contactless, code).status_code == 302


def test_new_codes_are_throttled_per_number_and_per_client(app, smtp, monkeypatch):
    _, number, _ = _new_letter(app, email="pestered@example.kz")
    client = app.test_client()
    for _ in range(3):
        assert _ask_new_code(client, number).status_code == 200
    refused = _ask_new_code(app.test_client(), number)
    assert refused.status_code == 429 and "Too many new codes" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Letter).where(Letter.number == number)).code_generation == 3

    monkeypatch.setitem(app.config, "RATELIMIT_LOST_CODE_PER_CLIENT", "2 per hour")
    sweeper = app.test_client()
    assert [_ask_new_code(sweeper, f"AST-2026-99990{i}").status_code for i in range(3)] == [200, 200, 429]


def test_the_receipt_link_opens_the_letter_and_a_reissued_code_revokes_it(app, smtp):
    _, number, _ = _new_letter(app, email="link@example.kz", phone=None)
    with app.app_context():
        drain()
        text = smtp.inbox.to("link@example.kz")[-1].get_body(("plain",)).get_content()
        token = LINK_RE.search(text).group(1)
        assert db.session.scalar(select(LetterLink).where(LetterLink.token_hash == token)) is None  # only its hash
        assert not db.session.scalars(select(OutboxMessage).where(OutboxMessage.body_text.contains(token))).all()
    browser = app.test_client()
    response = browser.get(f"/astana/l/{token}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/astana/track/{number}")
    assert number in browser.get(f"/astana/track/{number}", headers=EN).get_data(as_text=True)

    _ask_new_code(app.test_client(), number)
    revoked = app.test_client().get(f"/astana/l/{token}", follow_redirects=True, headers=EN)
    assert "This link no longer opens a letter" in revoked.get_data(as_text=True)
    assert "Follow your letter" in revoked.get_data(as_text=True)  # the tracking form
    assert "no longer opens" in app.test_client().get("/almaty/l/" + token, follow_redirects=True, headers=EN).get_data(
        as_text=True
    )


def test_forget_this_letter_closes_it_in_this_browser_only(app):
    _, number, code = _new_letter(app, email=None, phone=None)
    browser, other = app.test_client(), app.test_client()
    _track(browser, number, code), _track(other, number, code)
    page = browser.get(f"/astana/track/{number}", headers=EN).get_data(as_text=True)
    assert "Forget this letter on this computer" in page and "unused for 30 minutes" in page
    assert browser.post(f"/astana/track/{number}/forget").status_code == 400  # no CSRF token: nothing done
    assert browser.get(f"/astana/track/{number}").status_code == 200
    done = post_form(
        browser,
        f"/astana/track/{number}/forget",
        {},
        form_url=f"/astana/track/{number}",
        follow_redirects=True,
        headers=EN,
    )
    assert f"Letter {number} is no longer open on this computer." in done.get_data(as_text=True)
    assert browser.get(f"/astana/track/{number}").status_code == 302
    assert other.get(f"/astana/track/{number}").status_code == 200


def test_a_tracked_letter_closes_after_the_idle_time(app):
    letter_id, number, _ = _new_letter(app, email=None, phone=None)
    browser = app.test_client()
    with browser.session_transaction() as session:
        session["tracked"] = {str(letter_id): [0, int(time.time()) - 29 * 60]}
    assert browser.get(f"/astana/track/{number}").status_code == 200  # seen again: kept open
    with browser.session_transaction() as session:
        session["tracked"] = {str(letter_id): [0, int(time.time()) - 31 * 60]}
    assert browser.get(f"/astana/track/{number}").headers["Location"].endswith("/astana/track")


def test_the_tracking_form_and_receipt_lead_to_a_lost_code(app):
    html = app.test_client().get("/astana/track", headers=EN).get_data(as_text=True)
    assert 'href="/astana/lost-code"' in html and "I lost my access code" in html
    _, number, code = _new_letter(app, email=None, phone=None)
    browser = app.test_client()
    _track(browser, number, code)
    receipt = browser.get(f"/astana/letters/{number}/receipt", headers=EN).get_data(as_text=True)
    assert code not in receipt and 'href="/astana/lost-code"' in receipt  # the code is gone: the way back is not
