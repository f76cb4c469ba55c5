"""Sign-in, sessions, the second factor, passwords, throttles and the headers on every response."""

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select

from akimat_reception.demo import DEMO_PASSWORD
from akimat_reception.domain.passwords import password_problems
from akimat_reception.extensions import db
from akimat_reception.models import User
from tests import factories
from tests.conftest import current_code, login, post_form

EN = {"Accept-Language": "en"}


@pytest.mark.parametrize("path", ["/", "/astana/", "/astana/letters/new", "/login", "/nowhere/"])
def test_every_response_carries_the_protective_headers(client, path):
    headers = client.get(path).headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in headers  # plain HTTP here


def test_hsts_is_sent_over_https(client):
    assert "max-age=" in client.get("/", base_url="https://localhost").headers["Strict-Transport-Security"]


def test_session_cookie_is_http_only_and_same_site(client):
    response = post_form(client, "/login", {"email": "registrar@astana.demo.kz", "password": DEMO_PASSWORD})
    cookie = next(v for k, v in response.headers.items() if k == "Set-Cookie" and v.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_failed_sign_ins_are_throttled_per_account(client):
    for _ in range(10):
        assert post_form(client, "/login", {"email": "akim@astana.demo.kz", "password": "wrong-one"}).status_code == 422
    blocked = post_form(client, "/login", {"email": "akim@astana.demo.kz", "password": DEMO_PASSWORD}, headers=EN)
    assert blocked.status_code == 429 and "Too many requests" in blocked.get_data(as_text=True)
    other = post_form(client, "/login", {"email": "registrar@astana.demo.kz", "password": DEMO_PASSWORD})
    assert other.status_code == 302  # another account from the same place still signs in


def test_successful_sign_ins_are_not_counted(client):
    for _ in range(12):
        assert login(client, "controller").status_code == 302


def test_wrong_codes_are_throttled_per_letter_number(app, client):
    with app.app_context():
        letter, code = factories.letter()
        number = letter.number
    for i in range(5):
        visitor = app.test_client()
        response = post_form(
            visitor,
            "/astana/track",
            {"number": number, "code": f"AAAA-AAAA-AAAA-AAA{i + 2}"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{i + 1}"},
        )
        assert response.status_code == 422
    late = post_form(
        app.test_client(), "/astana/track", {"number": number, "code": code}, environ_base={"REMOTE_ADDR": "10.0.0.99"}
    )
    assert late.status_code == 429  # even the right code waits: the number is under attack


def test_letters_from_one_connection_are_limited(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_LETTERS", "2 per hour")
    from tests.web.test_public import GOOD_LETTER, _category_id

    statuses = [
        post_form(client, "/astana/letters/new", {**GOOD_LETTER, "category": _category_id(app)}).status_code
        for _ in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_admin_signs_in_with_a_code_and_a_replayed_code_is_refused(app):
    client = app.test_client()
    response = post_form(client, "/login", {"email": "admin@astana.demo.kz", "password": DEMO_PASSWORD})
    assert response.headers["Location"].endswith("/login/code")
    assert client.get("/astana/admin/calendar").status_code == 302  # not signed in yet
    code = current_code(app, "admin@astana.demo.kz")
    assert post_form(client, "/login/code", {"code": code}).status_code == 302
    assert client.get("/astana/admin/calendar").status_code == 200
    thief = app.test_client()
    post_form(thief, "/login", {"email": "admin@astana.demo.kz", "password": DEMO_PASSWORD})
    replay = post_form(thief, "/login/code", {"code": code}, headers=EN)
    assert replay.status_code == 422 and "already used" in replay.get_data(as_text=True)


def test_admin_without_a_second_factor_must_enrol_first(app):
    with app.app_context():
        from akimat_reception.models import Membership, Role

        user = User(email="new.admin@astana.demo.kz", full_name="Жаңа әкімші")
        user.set_password("correct horse battery staple")
        db.session.add(user)
        db.session.add(Membership(user=user, akimat=factories.akimat(), role=Role.ADMIN))
        db.session.commit()
    client = app.test_client()
    post_form(client, "/login", {"email": "new.admin@astana.demo.kz", "password": "correct horse battery staple"})
    assert client.get("/astana/admin/calendar").headers["Location"].endswith("/account/two-factor")
    page = client.get("/account/two-factor", headers=EN).get_data(as_text=True)
    assert "<svg" in page
    secret = page.split('class="big-code">')[1].split("<")[0].strip()
    wrong = post_form(client, "/account/two-factor", {"code": "000000"}, headers=EN)
    assert wrong.status_code == 422
    assert post_form(client, "/account/two-factor", {"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert client.get("/astana/admin/calendar").status_code == 200


@pytest.mark.parametrize(
    "password, accepted",
    [
        ("short1!", False),
        ("password1234", False),
        ("qwertyuiop123", False),
        ("Reception2026", False),
        ("steppe-falcon-violet-kumis", True),
        ("correct horse battery staple", True),
    ],
)
def test_password_policy_refuses_short_and_common_passwords(app, password, accepted):
    with app.app_context():
        assert (password_problems(password, ("reception@astana.kz",)) == []) is accepted


def test_staff_change_their_password_only_to_a_good_one(app):
    with app.app_context():
        from akimat_reception.models import Membership, Role

        user = User(email="changer@astana.demo.kz", full_name="Ауыстырушы")
        user.set_password("first steppe password")
        db.session.add(user)
        db.session.add(Membership(user=user, akimat=factories.akimat(), role=Role.CONTROLLER))
        db.session.commit()
    client = app.test_client()
    post_form(client, "/login", {"email": "changer@astana.demo.kz", "password": "first steppe password"})
    weak = post_form(
        client,
        "/account/password",
        {
            "current_password": "first steppe password",
            "new_password": "password12345",
            "repeat_password": "password12345",
        },
        headers=EN,
    )
    assert weak.status_code == 422 and "too easy to guess" in weak.get_data(as_text=True)
    good = post_form(
        client,
        "/account/password",
        {
            "current_password": "first steppe password",
            "new_password": "kumis under a blue yurt",
            "repeat_password": "kumis under a blue yurt",
        },
    )
    assert good.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "changer@astana.demo.kz")).check_password(
            "kumis under a blue yurt"
        )


def test_a_staff_session_ends_after_the_working_day(app):
    client = app.test_client()
    login(client, "registrar")
    assert client.get("/astana/office/").status_code == 200
    with client.session_transaction() as session:
        session["login_at"] = (datetime.now(UTC) - timedelta(hours=11)).isoformat()
    response = client.get("/astana/office/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/astana/office/").status_code == 302  # signed out, not just redirected once


def test_signing_in_starts_a_new_session(app):
    client = app.test_client()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, "registrar")
    with client.session_transaction() as session:
        assert "planted" not in session
