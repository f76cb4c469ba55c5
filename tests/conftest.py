"""Fixtures in the manner of flaskr: an app per session and database backend, a client, a runner,
and helpers to sign in as a role of an akimat and to submit forms with their real CSRF token.

Every test that uses `app` runs on SQLite and, when TEST_DATABASE_URL names a PostgreSQL server,
again on a fresh PostgreSQL database created for this run: migrated as the owner role of
docs/deploy.md, then used as its application role, which owns nothing."""

import os
import re
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from babel.messages.frontend import CompileCatalog
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from akimat_reception import create_app
from akimat_reception.demo import DEMO_PASSWORD, load_demo
from akimat_reception.extensions import db

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def pytest_configure(config):
    """The .mo files are build output: compile them so the suite sees the current catalogues."""
    command = CompileCatalog()
    command.initialize_options()
    command.directory = str(PROJECT_ROOT / "translations")
    command.finalize_options()
    command.run()


# The PostgreSQL suite connects as the deployment guide's application role, which owns nothing and
# cannot switch the guarding triggers off; the schema is migrated as the owner (docs/deploy.md).
# Roles belong to the whole server, so every run shares these two; each has a database of its own.
PG_ROLES = {"owner": ("akimat_test_owner", "akimat-test-owner"), "app": ("akimat_test_app", "akimat-test-app")}
ROLES_SQL = PROJECT_ROOT / "deploy" / "postgres-roles.sql"


def as_role(url, role: str) -> str:
    """The same database as `url`, connected as "owner", "app" or "server" (TEST_DATABASE_URL's own
    user, the server's administrator: what someone with full access to the server can do)."""
    url = make_url(url)
    if role == "server":
        server = make_url(os.environ["TEST_DATABASE_URL"])
        user, password = server.username, server.password
    else:
        user, password = PG_ROLES[role]
    return url.set(username=user, password=password).render_as_string(hide_password=False)


def grant_roles(url) -> None:
    """deploy/postgres-roles.sql, exactly as the guide runs it, on the database `url` names (as the
    server's administrator), with the test roles' names; then their passwords, for servers that ask."""
    (owner, owner_password), (app_role, app_password) = PG_ROLES["owner"], PG_ROLES["app"]
    engine = create_engine(as_role(url, "server"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            cursor = conn.connection.dbapi_connection.cursor()  # psycopg itself: the file's %I are format()'s
            cursor.execute(f"SET akimat.owner = '{owner}'")
            cursor.execute(f"SET akimat.app = '{app_role}'")
            cursor.execute(ROLES_SQL.read_text(encoding="utf-8"))
            cursor.execute(f"ALTER ROLE {owner} PASSWORD '{owner_password}'")
            cursor.execute(f"ALTER ROLE {app_role} PASSWORD '{app_password}'")
    finally:
        engine.dispose()


@contextmanager
def server_transaction():
    """A transaction on the current app's database with every power: on PostgreSQL as the server's
    administrator (only a superuser may SET session_replication_role), elsewhere the app's own."""
    if db.engine.dialect.name != "postgresql":
        with db.engine.begin() as conn:
            yield conn
        return
    engine = create_engine(as_role(db.engine.url, "server"))
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


@contextmanager
def owner_context(app):
    """An app context on `app`'s database as the owner (on SQLite, `app`'s own): for what the guide
    runs as the owner, such as the bulk generator, which sets the sequences past the ids it wrote."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if make_url(url).get_backend_name() != "postgresql":
        with app.app_context():
            yield
        return
    owner = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": as_role(url, "owner"),
            "SECRET_KEY": "test",
            "RECORD_SIGNING_KEY_FILE": RECORD_KEY_FILE,  # what it signs, the run's apps verify
            "RECORD_PUBLISH_DIR": app.config["RECORD_PUBLISH_DIR"],  # the same database, the same files
        }
    )
    try:
        with owner.app_context():
            yield
            db.session.remove()
    finally:
        with owner.app_context():
            db.engine.dispose()


def _postgres_database():
    """A database of its own for this run, on the server TEST_DATABASE_URL names, owned by the
    owner role and granted to the application role; yields its URL as the server's administrator
    (make_test_app connects as the roles); dropped after."""
    server_url = make_url(os.environ["TEST_DATABASE_URL"]).set(drivername="postgresql+psycopg")
    name = f"akimat_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = server_url.set(database=name).render_as_string(hide_password=False)
        grant_roles(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# One signing key for the run's apps, outside the work tree's instance folder.
RECORD_KEY_FILE = str(Path(tempfile.mkdtemp(prefix="akimat-record-key-")) / "record-signing.key")


def make_test_app(database_url: str, role: str = "app"):
    """The migrated app with the demo akimats. On PostgreSQL the migration and the demo run as the
    owner, and the app returned connects as `role` (the application role unless told otherwise)."""
    postgresql = make_url(database_url).get_backend_name() == "postgresql"
    owner_url = as_role(database_url, "owner") if postgresql else database_url
    settings = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": owner_url,
        "SECRET_KEY": "test",
        "RECORD_SIGNING_KEY_FILE": RECORD_KEY_FILE,
        # The record's published files, per app: each backend's logs have the same origins.
        "RECORD_PUBLISH_DIR": tempfile.mkdtemp(prefix="akimat-record-files-"),
    }
    owner_app = create_app(settings)
    with owner_app.app_context():
        from flask_migrate import upgrade

        upgrade()
        load_demo(letters_per_akimat=0)  # the two demo akimats and their staff; tests write letters
        db.session.remove()
        if not postgresql:
            return owner_app
        db.engine.dispose()
    return create_app({**settings, "SQLALCHEMY_DATABASE_URI": as_role(database_url, role)})


@pytest.fixture(scope="session", params=BACKENDS)
def app(request, tmp_path_factory):
    if request.param == "sqlite":
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
        app = make_test_app(url)
        yield app
    else:
        database = _postgres_database()
        url = next(database)
        app = make_test_app(url)
        yield app
        with app.app_context():
            db.engine.dispose()
        next(database, None)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Every app of the session shares the limiter's counts (memory://): each test starts with none,
    so that one test's requests never count against another's."""
    from akimat_reception.extensions import limiter

    if limiter.initialized:
        limiter.reset()
    yield


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(client, url="/login") -> str:
    html = client.get(url).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token in the form at {url}"
    return match.group(1) or match.group(2)


def post_form(client, url, data, form_url=None, **kwargs):
    """Posts as a browser would: first load the form page for its CSRF token."""
    token = csrf_token(client, form_url or url)
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


def login(client, role: str, akimat: str = "astana"):
    email = f"{role}@{akimat}.demo.kz"
    response = post_form(client, "/login", {"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    if response.headers["Location"].endswith("/login/code"):
        response = post_form(client, "/login/code", {"code": current_code(client.application, email)})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def current_code(app, email: str) -> str:
    """The code the user's authenticator shows now. Each code is accepted once: a test that signs
    in again within the same 30 s is a new device, so the replay guard is reset first."""
    import pyotp
    from sqlalchemy import select

    from akimat_reception.models import User

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        user.totp_last_step = None
        db.session.commit()
        return pyotp.TOTP(user.totp_secret).now()


@pytest.fixture
def login_as(client):
    def _login(role, akimat="astana"):
        login(client, role, akimat)
        return client

    return _login


@pytest.fixture
def smtp(app, monkeypatch):
    """A running SMTP server the app's outbox worker sends to; stop() and start() it at will."""
    from tests.smtp import SmtpServer, free_port

    server = SmtpServer(free_port())
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sms_log(app, caplog, monkeypatch):
    """What the development SMS sink wrote: (phone, text). (The default gateway holds SMS unsent.)"""
    import logging

    monkeypatch.setitem(app.config, "SMS_GATEWAY", "akimat_reception.delivery:DevelopmentSmsSink")
    caplog.set_level(logging.INFO, logger="akimat_reception.delivery")

    def sent():
        return [r.args for r in caplog.records if r.name == "akimat_reception.delivery" and r.msg.startswith("SMS to")]

    return sent


def listed_numbers(client, url, **params) -> list[str]:
    """Letter numbers in the order a user sees them, following "Next page" to the end."""
    numbers, page = [], 1
    while True:
        html = client.get(url, query_string={**params, "page": page}).get_data(as_text=True)
        numbers += re.findall(r'office/letters/([A-Z]+-\d{4}-\d{6})"', html)
        if 'rel="next"' not in html:
            return numbers
        page += 1
