""" "Forgot your password?" as a person goes through it: the form, the email that really arrives
(the outbox delivered to a real SMTP server), the link in it, the new password — and after it the
sign-in still asks an administrator's second factor. An unknown address gets the same page and
no mail; an expired or used link says so; asking too often is refused with 429."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pyotp
from sqlalchemy import select

from akimat_reception.extensions import db
from akimat_reception.models import Membership, PasswordReset, Role, User
from tests import factories
from tests.conftest import current_code, post_form
from tests.smtp import drain

PASSWORD = "first steppe password"
NEW_PASSWORD = "kumis under a blue yurt"
EN = {"Accept-Language": "en"}
LINK = re.compile(r"http://\S+/login/reset/([A-Za-z0-9_-]{40,})")


def _staff(app, role=Role.ADMIN, language="kk") -> str:
    with app.app_context():
        email = f"forgot-{uuid.uuid4().hex[:8]}@astana.demo.kz"
        user = User(email=email, full_name="Айгүл Құпиясөз", language=language)
        user.set_password(PASSWORD)
        if role is Role.ADMIN:
            user.totp_secret = pyotp.random_base32()
        db.session.add(user)
        db.session.add(Membership(user=user, akimat=factories.akimat(), role=role))
        db.session.commit()
        return email


def _sign_in(client, app, email, password):
    """Password, then the code when the account has a second factor: the normal way in."""
    response = post_form(client, "/login", {"email": email, "password": password}, headers=EN)
    if response.status_code == 302 and response.headers["Location"].endswith("/login/code"):
        response = post_form(client, "/login/code", {"code": current_code(app, email)}, headers=EN)
    return response


def _ask(client, email):
    return post_form(client, "/login/forgot", {"email": email}, headers=EN)


def _link_in_mail(app, smtp, email) -> str:
    with app.app_context():
        drain()
    [mail] = smtp.inbox.to(email)
    text = mail.get_body(("plain",)).get_content()
    match = LINK.search(text)
    assert match, text
    return mail, "/login/reset/" + match.group(1)


def test_the_whole_journey_with_a_real_email(app, smtp):
    email = _staff(app)
    old_session = app.test_client()
    assert _sign_in(old_session, app, email, PASSWORD).status_code == 302
    assert old_session.get("/account", headers=EN).status_code == 200

    client = app.test_client()
    login_page = client.get("/login", headers=EN).get_data(as_text=True)
    assert 'href="/login/forgot"' in login_page and "Forgot your password?" in login_page
    answer = _ask(client, email)
    assert answer.status_code == 200 and "Check your email" in answer.get_data(as_text=True)

    mail, link = _link_in_mail(app, smtp, email)
    assert mail["Content-Language"] == "kk"  # in the person's own language
    with app.app_context():  # the link is nowhere in the database once delivered
        stored = db.session.scalars(select(PasswordReset.token_hash)).all()
        assert link.rsplit("/", 1)[1] not in " ".join(stored)

    form = client.get(link, headers=EN)
    assert form.status_code == 200 and 'type="password"' in form.get_data(as_text=True)
    # The token is in the address: another site learns at most the origin, never the path.
    assert form.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    weak = post_form(client, link, {"new_password": "password123", "repeat_password": "password123"}, headers=EN)
    assert weak.status_code == 422 and "error-summary" in weak.get_data(as_text=True)
    done = post_form(client, link, {"new_password": NEW_PASSWORD, "repeat_password": NEW_PASSWORD}, headers=EN)
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")

    assert old_session.get("/account", headers=EN).status_code == 302  # the old session has ended
    assert post_form(client, "/login", {"email": email, "password": PASSWORD}, headers=EN).status_code == 422
    # The new password opens only the first step: the administrator's second factor is still asked.
    second_step = post_form(client, "/login", {"email": email, "password": NEW_PASSWORD}, headers=EN)
    assert second_step.status_code == 302 and second_step.headers["Location"].endswith("/login/code")
    assert client.get("/account", headers=EN).status_code == 302
    signed_in = post_form(client, "/login/code", {"code": current_code(app, email)}, headers=EN)
    assert signed_in.status_code == 302 and client.get("/account", headers=EN).status_code == 200

    used = app.test_client().get(link, headers=EN)
    assert used.status_code == 404 and 'href="/login/forgot"' in used.get_data(as_text=True)


def test_an_unknown_address_gets_the_same_page_and_no_mail(app, smtp):
    known, unknown = _staff(app, Role.REGISTRAR), f"nobody-{uuid.uuid4().hex[:8]}@astana.demo.kz"
    client = app.test_client()
    pages = [_ask(client, address) for address in (known, unknown)]
    assert [p.status_code for p in pages] == [200, 200]
    texts = [
        p.get_data(as_text=True).replace(address, "ADDRESS") for p, address in zip(pages, (known, unknown), strict=True)
    ]
    assert _main(texts[0]) == _main(texts[1])
    with app.app_context():
        drain()
    assert len(smtp.inbox.to(known)) == 1 and smtp.inbox.to(unknown) == []


def _main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def test_an_expired_link_says_so_and_offers_a_new_one(app, smtp):
    email = _staff(app, Role.EXECUTOR)
    client = app.test_client()
    _ask(client, email)
    _, link = _link_in_mail(app, smtp, email)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        for reset in db.session.scalars(select(PasswordReset).where(PasswordReset.user_id == user.id)):
            reset.expires_at = datetime.now(UTC) - timedelta(minutes=1)
        db.session.commit()
    page = client.get(link, headers=EN)
    assert page.status_code == 404
    assert "This link does not work" in page.get_data(as_text=True)
    data = {"new_password": NEW_PASSWORD, "repeat_password": NEW_PASSWORD}
    refused = post_form(client, link, data, form_url="/login/forgot", headers=EN)
    assert refused.status_code == 404
    assert _sign_in(app.test_client(), app, email, PASSWORD).status_code == 302  # the password is unchanged


def test_a_used_link_does_not_work_again(app, smtp):
    email = _staff(app, Role.EXECUTOR)
    client = app.test_client()
    _ask(client, email)
    _, link = _link_in_mail(app, smtp, email)
    data = {"new_password": NEW_PASSWORD, "repeat_password": NEW_PASSWORD}
    assert post_form(client, link, data, headers=EN).status_code == 302
    again_data = {"new_password": "a third long steppe password", "repeat_password": "a third long steppe password"}
    again = post_form(client, link, again_data, form_url="/login/forgot")
    assert again.status_code == 404
    assert _sign_in(app.test_client(), app, email, NEW_PASSWORD).status_code == 302


def test_an_earlier_link_stops_working_when_a_new_one_is_asked(app, smtp):
    email = _staff(app, Role.EXECUTOR)
    client = app.test_client()
    _ask(client, email)
    _, first = _link_in_mail(app, smtp, email)
    smtp.inbox.messages.clear()
    _ask(client, email)
    _, second = _link_in_mail(app, smtp, email)
    assert client.get(first, headers=EN).status_code == 404
    assert client.get(second, headers=EN).status_code == 200


def test_asking_too_often_for_one_address_is_refused_from_any_connection(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_RESET_PER_ADDRESS", "2 per hour")
    email = _staff(app, Role.EXECUTOR)
    assert [_ask(app.test_client(), email).status_code for _ in range(2)] == [200, 200]
    refused = _ask(app.test_client(), email.upper())
    assert refused.status_code == 429
    assert "Too many new-password links" in refused.get_data(as_text=True)
    assert _ask(app.test_client(), _staff(app, Role.EXECUTOR)).status_code == 200  # another address


def test_asking_for_many_addresses_from_one_connection_is_refused(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_RESET_PER_CLIENT", "3 per hour")
    client = app.test_client()
    answers = [_ask(client, f"probe-{i}-{uuid.uuid4().hex[:6]}@example.kz").status_code for i in range(4)]
    assert answers == [200, 200, 200, 429]


def test_the_refusal_is_in_the_readers_language(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_RESET_PER_CLIENT", "1 per hour")
    client = app.test_client()
    _ask(client, "a@example.kz")
    refused = post_form(client, "/login/forgot", {"email": "b@example.kz"}, headers={"Accept-Language": "ru"})
    assert refused.status_code == 429 and 'lang="ru"' in refused.get_data(as_text=True)


def test_an_empty_form_shows_the_error_and_sends_nothing(app):
    answer = post_form(app.test_client(), "/login/forgot", {"email": ""}, headers=EN)
    assert answer.status_code == 422 and 'href="#email"' in answer.get_data(as_text=True)


def test_a_platform_administrator_without_an_akimat_gets_the_link_too(app, smtp):
    with app.app_context():
        email = f"platform-{uuid.uuid4().hex[:8]}@example.kz"
        user = User(email=email, full_name="Платформа Әкімшісі", is_platform_admin=True, language="ru")
        user.set_password(PASSWORD)
        user.totp_secret = pyotp.random_base32()
        db.session.add(user)
        db.session.commit()
    client = app.test_client()
    assert _ask(client, email).status_code == 200
    mail, link = _link_in_mail(app, smtp, email)
    assert mail["Content-Language"] == "ru"
    data = {"new_password": NEW_PASSWORD, "repeat_password": NEW_PASSWORD}
    assert post_form(client, link, data, headers=EN).status_code == 302
    second_step = post_form(client, "/login", {"email": email, "password": NEW_PASSWORD}, headers=EN)
    assert second_step.headers["Location"].endswith("/login/code")  # the second factor is still asked
