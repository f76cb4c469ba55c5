"""Sessions that end: a session cookie copied before signing out, a password change, a new second
factor, deactivation or "sign out everywhere" stops opening /account after it, on any worker,
while the session that changed the password (or turned on the factor) goes on working.

The copy is re-sent from another client to another app on the same database: another worker, or
another host, that learns of the change only through the database."""

import uuid

import pyotp
import pytest
from sqlalchemy import select

from akimat_reception import create_app
from akimat_reception.domain import accounts
from akimat_reception.extensions import db
from akimat_reception.models import Membership, Role, User
from tests import factories
from tests.conftest import post_form

PASSWORD = "first steppe password"
NEW_PASSWORD = "kumis under a blue yurt"
EN = {"Accept-Language": "en"}


@pytest.fixture(scope="module")
def other_worker(app):
    """A second application on the same database and key, as another gunicorn worker or host."""
    return create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "test"}
    )


def _new_staff(app, role=Role.CONTROLLER) -> str:
    with app.app_context():
        email = f"staff-{uuid.uuid4().hex[:8]}@astana.demo.kz"
        user = User(email=email, full_name="Қызметкер Сессия")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.add(Membership(user=user, akimat=factories.akimat(), role=role))
        db.session.commit()
        return email


def _signed_in(app, email):
    client = app.test_client()
    response = post_form(client, "/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    return client


def _copy_of_session(client, worker):
    """What a thief holds: the session cookie, re-sent from another browser to another worker."""
    thief = worker.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _user(app, email) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _opens_account(client) -> bool:
    response = client.get("/account", headers=EN)
    assert response.status_code in (200, 302)
    return response.status_code == 200


def test_a_copied_cookie_opens_the_account_until_an_event_ends_it(app, other_worker):
    """The baseline the tests below rely on: without an event, the copy works everywhere."""
    client = _signed_in(app, _new_staff(app))
    assert _opens_account(_copy_of_session(client, other_worker))
    assert _opens_account(_copy_of_session(client, app))


def test_signing_out_ends_the_copied_session(app, other_worker):
    client = _signed_in(app, _new_staff(app))
    thief = _copy_of_session(client, other_worker)
    assert post_form(client, "/logout", {}, form_url="/account").status_code == 302
    assert not _opens_account(thief)
    assert not _opens_account(client)
    page = thief.get("/login", headers=EN).get_data(as_text=True)
    assert "Your session has ended" in page


def test_a_password_change_ends_the_copied_session_but_not_the_changing_one(app, other_worker):
    email = _new_staff(app)
    client = _signed_in(app, email)
    thief = _copy_of_session(client, other_worker)
    changed = post_form(
        client,
        "/account/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "repeat_password": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    assert not _opens_account(thief)
    assert _opens_account(client)  # the fresh session of the user who changed it
    assert _opens_account(_copy_of_session(client, other_worker))  # on every worker
    fresh = app.test_client()
    assert post_form(fresh, "/login", {"email": email, "password": NEW_PASSWORD}).status_code == 302
    assert _opens_account(fresh)


def test_turning_on_the_second_factor_ends_the_copied_session(app, other_worker):
    client = _signed_in(app, _new_staff(app))
    thief = _copy_of_session(client, other_worker)
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = page.split('class="big-code">')[1].split("<")[0].strip()
    assert post_form(client, "/account/two-factor", {"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert not _opens_account(thief)
    assert _opens_account(client)


def test_a_second_factor_once_on_cannot_be_replaced_from_a_session(app):
    """Else a stolen session could swap in the thief's own authenticator."""
    with app.app_context():
        admin = factories.staff(Role.ADMIN)
        secret_before = admin.totp_secret
    from tests.conftest import login

    client = app.test_client()
    login(client, "admin")
    attacker_secret = pyotp.random_base32()
    with client.session_transaction() as session:
        session["enrolling_secret"] = attacker_secret
    post_form(client, "/account/two-factor", {"code": pyotp.TOTP(attacker_secret).now()}, form_url="/account")
    with app.app_context():
        assert factories.staff(Role.ADMIN).totp_secret == secret_before


def test_deactivation_by_an_admin_ends_every_session_of_the_user(app, other_worker):
    email = _new_staff(app)
    client = _signed_in(app, email)
    thief = _copy_of_session(client, other_worker)
    with app.app_context():
        accounts.deactivate(_user(app, email), by=factories.staff(Role.ADMIN))
    assert not _opens_account(thief)
    assert not _opens_account(client)
    again = post_form(app.test_client(), "/login", {"email": email, "password": PASSWORD})
    assert again.status_code == 422  # and it cannot sign in again


def test_only_an_admin_of_the_users_akimat_may_deactivate(app):
    email = _new_staff(app)
    with app.app_context():
        user = _user(app, email)
        for not_allowed in (factories.staff(Role.AKIM), factories.staff(Role.ADMIN, "almaty"), user):
            with pytest.raises(accounts.AccountError):
                accounts.deactivate(user, by=not_allowed)
        assert _user(app, email).active


def test_signing_out_everywhere_ends_every_session_of_the_user(app, other_worker):
    email = _new_staff(app)
    client = _signed_in(app, email)
    laptop = _signed_in(other_worker, email)  # a second sign-in on another computer
    thief = _copy_of_session(client, other_worker)
    response = post_form(client, "/account/sign-out-everywhere", {}, form_url="/account")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert not _opens_account(thief)
    assert not _opens_account(laptop)
    assert not _opens_account(client)
    assert _opens_account(_signed_in(app, email))  # a new sign-in works


def test_the_account_page_offers_to_sign_out_everywhere(app):
    client = _signed_in(app, _new_staff(app))
    page = client.get("/account", headers=EN).get_data(as_text=True)
    assert 'action="/account/sign-out-everywhere"' in page and "Sign out everywhere" in page
