""" "My letters" as a resident goes through it: the contact, the code that really arrives (the
outbox delivered to a real SMTP server, or the SMS sink), the list of that contact's letters of the
last year in every akimat with the IIN and address masked, and a letter opened from it. An unknown
contact gets the same pages and no message; a wrong or spent code says so; the list closes after
its time and on "Sign out"; too many codes are refused with the contact kept."""

import random
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from akimat_reception.extensions import db
from akimat_reception.models import ContactCode, OutboxMessage
from tests import factories
from tests.conftest import post_form
from tests.smtp import drain

EN = {"Accept-Language": "en"}
CODE = re.compile(r"\b(\d{6})\b")
IIN = "900101300017"


def _client(app):
    """A browser of its own address: the per-client cap counts each test apart."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(256)}"
    return client


def _email() -> str:
    return f"resident-{uuid.uuid4().hex[:10]}@example.kz"


def _ask(client, contact):
    return post_form(client, "/my-letters", {"contact": contact}, headers=EN)


def _code_mails(smtp, email) -> list:
    """The "My letters" codes among the mail to `email` (its letters' receipts go there too)."""
    return [mail for mail in smtp.inbox.to(email) if "My letters" in mail["Subject"]]


def _code_from_mail(app, smtp, email) -> str:
    with app.app_context():
        drain()
    [mail] = _code_mails(smtp, email)
    return CODE.search(mail.get_body(("plain",)).get_content()).group(1)


def _enter(client, code):
    return post_form(client, "/my-letters/code", {"code": code}, headers=EN)


def _signed_in(app, client, smtp, email):
    assert _ask(client, email).status_code == 302
    response = _enter(client, _code_from_mail(app, smtp, email))
    assert response.status_code == 302 and response.headers["Location"] == "/my-letters/list"
    listed = client.get("/my-letters/list", headers=EN)
    assert listed.status_code == 200 and listed.headers["Cache-Control"] == "no-store"  # personal: no cache keeps it
    return listed.get_data(as_text=True)


def test_the_pages_are_linked_from_home_the_akimat_and_the_tracking_form(client):
    for url in ("/", "/astana/", "/astana/track"):
        assert 'href="/my-letters"' in client.get(url, headers=EN).get_data(as_text=True), url


def test_a_known_and_an_unknown_contact_get_the_same_answer_and_only_one_a_code(app, smtp):
    known, unknown = _email(), _email()
    with app.app_context():
        factories.letter(email=known)
    pages = []
    for email in (known, unknown):
        client = _client(app)
        response = _ask(client, email)
        assert response.status_code == 302 and response.headers["Location"] == "/my-letters/code"
        page = client.get("/my-letters/code", headers=EN).get_data(as_text=True)
        pages.append(re.sub(r"re•••@example\.kz|csrf_token[^>]+", "", page))
    assert pages[0] == pages[1]
    assert "a six-digit code is on its way" in pages[0]
    with app.app_context():
        drain()
    assert len(_code_mails(smtp, known)) == 1 and smtp.inbox.to(unknown) == []


def test_the_list_shows_that_contacts_letters_of_the_last_year_in_every_akimat_masked(app, smtp):
    email = _email()
    with app.app_context():
        astana, _ = factories.letter(email=email, iin=IIN, subject="Двор не освещается")
        almaty, _ = factories.letter("almaty", email=email, subject="Нет воды в доме")
        old, _ = factories.letter(email=email, received_at=datetime.now(UTC) - timedelta(days=370))
        someone_else, _ = factories.letter(email=_email(), subject="Чужое обращение")
        numbers = astana.number, almaty.number, old.number, someone_else.number
    page = _signed_in(app, _client(app), smtp, email)
    assert numbers[0] in page and numbers[1] in page
    assert numbers[2] not in page and numbers[3] not in page and "Чужое обращение" not in page
    assert "Двор не освещается" in page and "Нет воды в доме" in page
    assert "Astana" in page and "Almaty" in page  # the akimat of each
    assert "Registered" in page or "registered" in page.lower()  # the status in the resident's words
    assert "••••••••0017" in page and IIN not in page
    assert "Астана…" in page and "Тестовая" not in page
    with app.app_context():  # the access is recorded
        row = db.session.scalars(select(ContactCode).where(ContactCode.contact == email)).one()
        assert row.used_at is not None and row.letters_shown == 2


def test_a_wrong_code_says_how_many_tries_are_left_then_the_code_is_spent(app, smtp):
    email = _email()
    with app.app_context():
        factories.letter(email=email)
    client = _client(app)
    _ask(client, email)
    code = _code_from_mail(app, smtp, email)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    response = _enter(client, wrong)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Tries left: 4" in html and 'href="#code"' in html
    assert 'value="' + wrong + '"' in html  # what was typed stays
    with app.app_context():  # once delivered, the code is in clear nowhere in the database
        [message] = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == email, OutboxMessage.kind == "my_letters_code")
        ).all()
        assert message.secret is None and code not in message.body_text
    for _ in range(4):
        response = _enter(client, wrong)
    assert "no longer works" in response.get_data(as_text=True)
    html = client.get("/my-letters/code", headers=EN).get_data(as_text=True)
    assert "no longer works" in html and 'name="code"' not in html  # no field to try again
    assert client.get("/my-letters/list").status_code == 302  # never signed in


def test_a_malformed_contact_or_code_is_said_next_to_the_field(app):
    client = _client(app)
    response = _ask(client, "not a contact")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'href="#contact"' in html and 'value="not a contact"' in html
    assert client.get("/my-letters/code").status_code == 302  # nothing was asked for yet


def test_too_many_codes_for_a_contact_are_refused_with_the_contact_kept(app):
    email = _email()
    for _ in range(3):
        assert _ask(_client(app), email).status_code == 302
    response = _ask(_client(app), email)
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "too many times today" in html and f'value="{email}"' in html


def test_a_phone_gets_its_code_by_sms(app, sms_log):
    phone = f"+7701{random.randrange(10**7):07d}"
    with app.app_context():
        factories.letter(phone=phone, email=None)
    client = _client(app)
    local = "8 " + phone[2:5] + " " + phone[5:]  # as residents type it
    assert _ask(client, local).status_code == 302
    with app.app_context():
        drain()
    [(to, text)] = [args for args in sms_log() if args[0] == phone and "My letters" in args[1]]
    assert len(text) <= 70
    assert _enter(client, CODE.search(text).group(1)).status_code == 302


def test_a_letter_opens_from_the_list_and_only_the_contacts_own(app, smtp):
    email = _email()
    with app.app_context():
        mine, _ = factories.letter("almaty", email=email)
        other, _ = factories.letter(email=_email())
        mine_id, mine_number, other_id, other_number = mine.id, mine.number, other.id, other.number
    client = _client(app)
    _signed_in(app, client, smtp, email)
    response = post_form(client, f"/my-letters/letters/{mine_id}/open", {}, form_url="/my-letters/list")
    assert response.status_code == 302 and response.headers["Location"] == f"/almaty/track/{mine_number}"
    status = client.get(f"/almaty/track/{mine_number}", headers=EN)
    assert status.status_code == 200 and mine_number in status.get_data(as_text=True)

    response = post_form(client, f"/my-letters/letters/{other_id}/open", {}, form_url="/my-letters/list")
    assert response.headers["Location"] == "/my-letters/list"
    assert client.get(f"/astana/track/{other_number}").status_code == 302  # not opened

    response = post_form(client, "/my-letters/sign-out", {}, form_url="/my-letters/list", headers=EN)
    assert response.headers["Location"] == "/my-letters"
    assert client.get("/my-letters/list").status_code == 302
    assert client.get(f"/almaty/track/{mine_number}").status_code == 302  # forgotten on this browser


@pytest.mark.parametrize("minutes, open_", [(14, True), (16, False)])
def test_the_list_closes_fifteen_minutes_after_the_code(app, smtp, minutes, open_):
    email = _email()
    with app.app_context():
        factories.letter(email=email)
    client = _client(app)
    _signed_in(app, client, smtp, email)
    with app.app_context():
        row = db.session.scalars(select(ContactCode).where(ContactCode.contact == email)).one()
        row.used_at = datetime.now(UTC) - timedelta(minutes=minutes)
        db.session.commit()
    response = client.get("/my-letters/list", headers=EN)
    assert (response.status_code == 200) is open_
    if not open_:
        assert response.headers["Location"] == "/my-letters"
        assert "closed after 15 minutes" in client.get("/my-letters", headers=EN).get_data(as_text=True)


def test_too_many_codes_from_one_connection_are_refused_whatever_the_contact(app):
    client = _client(app)
    for _ in range(10):
        assert _ask(client, _email()).status_code == 302
    response = _ask(client, _email())
    assert response.status_code == 429
    assert "from your connection today" in response.get_data(as_text=True)
    assert _ask(_client(app), _email()).status_code == 302  # another connection is not held up


def test_the_list_costs_the_same_statements_for_two_letters_as_for_a_full_page(app, smtp):
    from tests.web.test_query_counts import counted

    costs = []
    for count in (2, 25):
        email = _email()
        with app.app_context():
            for index in range(count):
                factories.letter("almaty" if index % 2 else "astana", email=email)
        client = _client(app)
        _signed_in(app, client, smtp, email)
        with counted(app) as statements:
            html = client.get("/my-letters/list", headers=EN).get_data(as_text=True)
        assert html.count("/open") == count
        costs.append(len(statements))
    assert costs[0] == costs[1], costs
