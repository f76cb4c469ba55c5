"""Safe by default: no public key signs a session. Outside debug and testing the site refuses to
start without a real SECRET_KEY; a cookie forged with the key that config.py used to ship opens
nothing; a key rotation with SECRET_KEY_FALLBACKS signs nobody out."""

from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

from akimat_reception import create_app
from akimat_reception.config import OLD_DEFAULT_SECRET_KEY, UnsafeConfiguration
from akimat_reception.models import Role
from tests import factories
from tests.conftest import login

REAL_KEY = "9f2c6b1e0d4a47c8a3e5f7b9d1c3e5a7-real-production-key"
OLDER_KEY = "4b8d2f6a0c1e3a5c7e9b1d3f5a7c9e1b-the-key-before"


@pytest.fixture(autouse=True)
def no_key_in_the_environment(monkeypatch):
    for name in ("SECRET_KEY", "SECRET_KEY_FILE", "SECRET_KEY_FALLBACKS", "FLASK_DEBUG"):
        monkeypatch.delenv(name, raising=False)


def _production(app, **config):
    """The site as it runs in production (neither DEBUG nor TESTING), on the test database."""
    return create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], **config})


def _signed_cookie(key: str, data: dict) -> str:
    """A session cookie as Flask would sign it with `key`: what a forger holding the key makes."""
    forger = Flask("forger")
    forger.secret_key = key
    return SecureCookieSessionInterface().get_signing_serializer(forger).dumps(data)


def _cookie_data(app, key: str, cookie: str) -> dict:
    signer = Flask("reader")
    signer.secret_key = key
    return SecureCookieSessionInterface().get_signing_serializer(signer).loads(cookie)


def test_without_a_secret_key_the_site_refuses_to_start_and_says_how_to_set_one(app):
    with pytest.raises(UnsafeConfiguration) as refused:
        _production(app)
    message = str(refused.value)
    assert "SECRET_KEY is not set" in message
    assert "export SECRET_KEY=" in message and "secrets.token_urlsafe" in message and "SECRET_KEY_FILE" in message


@pytest.mark.parametrize(
    "config",
    [
        {"SECRET_KEY": OLD_DEFAULT_SECRET_KEY},
        {"SECRET_KEY": REAL_KEY, "SECRET_KEY_FALLBACKS": [OLD_DEFAULT_SECRET_KEY]},
    ],
    ids=["key", "fallback"],
)
def test_the_old_published_key_is_refused_as_key_and_as_fallback(app, config):
    with pytest.raises(UnsafeConfiguration, match="published in the source"):
        _production(app, **config)


def test_the_key_comes_from_the_file_secret_key_file_names(app, tmp_path, monkeypatch):
    key_file = tmp_path / "secret_key"
    key_file.write_text(REAL_KEY + "\n")
    monkeypatch.setenv("SECRET_KEY_FILE", str(key_file))
    assert _production(app).config["SECRET_KEY"] == REAL_KEY
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(UnsafeConfiguration, match="cannot be read"):
        _production(app)


def test_in_debug_without_a_key_each_process_gets_a_random_one(app):
    first, second = _production(app, DEBUG=True), _production(app, DEBUG=True)
    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] != second.config["SECRET_KEY"]
    assert OLD_DEFAULT_SECRET_KEY not in (first.config["SECRET_KEY"], second.config["SECRET_KEY"])


def _admin_session(app) -> dict:
    """Everything a signed-in administrator's session holds, as an attacker reading the source knows."""
    with app.app_context():
        admin = factories.staff(Role.ADMIN)
        return {
            "_user_id": str(admin.id),
            "_fresh": True,
            "_permanent": True,
            "login_at": datetime.now(UTC).isoformat(),
            "session_generation": admin.session_generation,
        }


def test_a_cookie_forged_with_the_old_default_key_opens_no_admin_page(app):
    production = _production(app, SECRET_KEY=REAL_KEY)
    forged = production.test_client()
    forged.set_cookie("session", _signed_cookie(OLD_DEFAULT_SECRET_KEY, _admin_session(app)))
    response = forged.get("/astana/admin/calendar")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert forged.get("/account").status_code == 302
    # The same session signed with the site's real key is an administrator's: the forgery failed
    # on the key alone.
    genuine = production.test_client()
    genuine.set_cookie("session", _signed_cookie(REAL_KEY, _admin_session(app)))
    assert genuine.get("/astana/admin/calendar").status_code == 200


def test_after_a_key_rotation_a_cookie_signed_with_the_old_key_still_works(app, monkeypatch):
    before = _production(app, SECRET_KEY=OLDER_KEY)
    browser = before.test_client()
    login(browser, "registrar")
    assert browser.get("/account").status_code == 200
    cookie = browser.get_cookie("session").value

    monkeypatch.setenv("SECRET_KEY", REAL_KEY)
    monkeypatch.setenv("SECRET_KEY_FALLBACKS", f"some-even-older-key-0123456789abcdef, {OLDER_KEY}")
    after = _production(app)
    assert after.config["SECRET_KEY_FALLBACKS"] == ["some-even-older-key-0123456789abcdef", OLDER_KEY]
    returning = after.test_client()
    returning.set_cookie("session", cookie)
    assert returning.get("/account").status_code == 200  # not signed out by the rotation
    renewed = returning.get_cookie("session").value  # and the session is signed anew with the new key
    assert _cookie_data(after, REAL_KEY, renewed)["_user_id"]
    with pytest.raises(BadSignature):
        _cookie_data(after, OLDER_KEY, renewed)

    monkeypatch.delenv("SECRET_KEY_FALLBACKS")
    without_fallback = _production(app).test_client()
    without_fallback.set_cookie("session", cookie)
    assert without_fallback.get("/account").status_code == 302  # the fallback is what kept it
