"""Recovery codes as an administrator meets them: shown once when the second factor is turned on,
each signs in once instead of the app's code, a used one is refused, the account page counts what
is left and issues new ones only after the password or a current code."""

import re
import uuid

import pyotp
from sqlalchemy import select

from akimat_reception.extensions import db
from akimat_reception.models import Membership, Role, User
from tests import factories
from tests.conftest import current_code, post_form

PASSWORD = "first steppe password"
EN = {"Accept-Language": "en"}
CODE = re.compile(r'<code class="big-code">([0-9A-Z]{4}-[0-9A-Z]{4})</code>')


def _admin(app) -> str:
    with app.app_context():
        email = f"codes-{uuid.uuid4().hex[:8]}@astana.demo.kz"
        user = User(email=email, full_name="Нұрлан Кодтар")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.add(Membership(user=user, akimat=factories.akimat(), role=Role.ADMIN))
        db.session.commit()
        return email


def _enrol(app, client, email) -> list[str]:
    """Signs in with the password, turns the second factor on as the page asks, reads the codes."""
    assert post_form(client, "/login", {"email": email, "password": PASSWORD}, headers=EN).status_code == 302
    page = client.get("/account/two-factor", headers=EN).get_data(as_text=True)
    secret = re.search(r'<code class="big-code">([A-Z2-7]{16,})</code>', page).group(1)
    enrolled = post_form(client, "/account/two-factor", {"code": pyotp.TOTP(secret).now()}, headers=EN)
    assert enrolled.status_code == 302 and enrolled.headers["Location"].endswith("/account/recovery-codes")
    shown = client.get("/account/recovery-codes", headers=EN)
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "I have saved them" in html and 'href="/account"' in html
    codes = CODE.findall(html)
    # Shown once: the page again, reloaded or opened later, asks to re-authenticate instead.
    again = client.get("/account/recovery-codes", headers=EN).get_data(as_text=True)
    assert CODE.findall(again) == [] and 'name="secret"' in again
    return codes


def _first_step(client, email):
    response = post_form(client, "/login", {"email": email, "password": PASSWORD}, headers=EN)
    assert response.headers["Location"].endswith("/login/code")


def test_enrolling_shows_ten_codes_once_and_each_signs_in_once(app):
    email = _admin(app)
    codes = _enrol(app, app.test_client(), email)
    assert len(codes) == 10 == len(set(codes))

    client = app.test_client()
    _first_step(client, email)
    code_page = client.get("/login/code", headers=EN).get_data(as_text=True)
    assert 'href="/login/recovery"' in code_page and "Use a recovery code" in code_page
    signed_in = post_form(client, "/login/recovery", {"code": codes[0].lower()}, headers=EN)
    assert signed_in.status_code == 302
    landing = client.get(signed_in.headers["Location"], headers=EN, follow_redirects=True)
    assert "9 codes are left" in landing.get_data(as_text=True)
    account = client.get("/account", headers=EN).get_data(as_text=True)
    assert "9 codes left" in account

    again = app.test_client()
    _first_step(again, email)
    refused = post_form(again, "/login/recovery", {"code": codes[0]}, headers=EN)
    assert refused.status_code == 422 and "already used" in refused.get_data(as_text=True)
    assert again.get("/account", headers=EN).status_code == 302
    # Typed into the app's code field instead, a recovery code works too — once.
    by_code_field = post_form(again, "/login/code", {"code": codes[1]}, headers=EN)
    assert by_code_field.status_code == 302 and again.get("/account", headers=EN).status_code == 200
    third = app.test_client()
    _first_step(third, email)
    assert post_form(third, "/login/code", {"code": codes[1]}, headers=EN).status_code == 422


def test_a_recovery_code_is_not_a_way_around_the_password(app):
    email = _admin(app)
    codes = _enrol(app, app.test_client(), email)
    client = app.test_client()
    assert client.get("/login/recovery", headers=EN).headers["Location"].endswith("/login")
    wrong = post_form(client, "/login", {"email": email, "password": "not the password"}, headers=EN)
    assert wrong.status_code == 422
    post_form(client, "/login/recovery", {"code": codes[1]}, form_url="/login", headers=EN)
    assert client.get("/account", headers=EN).status_code == 302


def test_new_codes_need_the_password_or_a_code_and_void_the_old_ones(app):
    email = _admin(app)
    client = app.test_client()
    old = _enrol(app, client, email)
    page = client.get("/account/recovery-codes", headers=EN)
    assert page.status_code == 200 and "10 unused recovery codes" in page.get_data(as_text=True)
    wrong = post_form(client, "/account/recovery-codes", {"secret": "a guess"}, headers=EN)
    assert wrong.status_code == 422 and 'href="#secret"' in wrong.get_data(as_text=True)
    by_password = post_form(client, "/account/recovery-codes", {"secret": PASSWORD}, headers=EN)
    new = CODE.findall(by_password.get_data(as_text=True))
    assert by_password.status_code == 200 and len(new) == 10 and not set(new) & set(old)
    by_code = post_form(client, "/account/recovery-codes", {"secret": current_code(app, email)}, headers=EN)
    newest = CODE.findall(by_code.get_data(as_text=True))
    assert len(newest) == 10

    signing_in = app.test_client()
    for stale in (old[0], new[0]):
        _first_step(signing_in, email)
        assert post_form(signing_in, "/login/recovery", {"code": stale}, headers=EN).status_code == 422
    assert post_form(signing_in, "/login/recovery", {"code": newest[0]}, headers=EN).status_code == 302


def test_without_a_second_factor_there_are_no_codes_to_issue(app, login_as):
    client = login_as("registrar")
    response = client.get("/account/recovery-codes", headers=EN)
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/two-factor")
    assert "Recovery codes" not in client.get("/account", headers=EN).get_data(as_text=True)


def test_guessing_recovery_codes_counts_with_the_app_codes(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_LOGIN_PER_ACCOUNT", "3 per 15 minutes")
    email = _admin(app)
    codes = _enrol(app, app.test_client(), email)
    client = app.test_client()
    _first_step(client, email)
    assert post_form(client, "/login/code", {"code": "000000"}, headers=EN).status_code == 422
    for guess in ("AAAA-AAAA", "BBBB-BBBB"):
        assert post_form(client, "/login/recovery", {"code": guess}, headers=EN).status_code == 422
    assert post_form(client, "/login/recovery", {"code": codes[0]}, headers=EN).status_code == 429
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        assert user.totp_secret
