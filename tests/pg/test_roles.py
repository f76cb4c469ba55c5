"""The two roles of docs/deploy.md (deploy/postgres-roles.sql): the application role the site runs as
reads and writes rows, and is refused every statement that would switch off or get around the
triggers that keep letters and journals append-only; the owner migrates, and what it creates later
is granted to the application at once."""

import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from akimat_reception.extensions import db
from tests import factories
from tests.conftest import PG_ROLES, as_role


@pytest.fixture(autouse=True)
def _postgresql_only(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL roles: runs when TEST_DATABASE_URL names a PostgreSQL server")
    yield


@pytest.fixture
def letter_id(app):
    with app.app_context():
        letter, _ = factories.letter()
        return letter.id


@pytest.fixture
def owner_engine(app):
    engine = create_engine(as_role(app.config["SQLALCHEMY_DATABASE_URI"], "owner"))
    yield engine
    engine.dispose()


def _as_app(app, sql):
    with app.app_context(), db.engine.begin() as conn:
        return conn.execute(text(sql))


def test_the_site_connects_as_the_application_role_which_owns_nothing(app):
    app_role = PG_ROLES["app"][0]
    with app.app_context(), db.engine.connect() as conn:
        assert conn.scalar(text("SELECT current_user")) == app_role
        assert conn.scalar(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")) is False
        me = "(SELECT oid FROM pg_roles WHERE rolname = current_user)"
        owned = conn.scalar(text(f"SELECT count(*) FROM pg_class WHERE relowner = {me}"))
        assert owned == 0


@pytest.mark.parametrize(
    ("sql", "refusal"),
    [
        ("ALTER TABLE event DISABLE TRIGGER ALL", "must be owner"),
        ("ALTER TABLE event DISABLE TRIGGER event_append_only", "must be owner"),
        ("SET session_replication_role = replica", "permission denied to set parameter"),
        ("DROP TRIGGER event_append_only ON event", "must be owner"),
        ("DROP TABLE event", "must be owner"),
        ("TRUNCATE event", "permission denied"),  # TRUNCATE fires no row trigger: it must not be granted
        ("CREATE TABLE sneaked (id integer)", "permission denied for schema public"),
        ("UPDATE event SET payload = '{{}}' WHERE letter_id = {id}", "append-only"),
        ("DELETE FROM event WHERE letter_id = {id}", "append-only"),
    ],
)
def test_the_application_role_is_refused_what_would_rewrite_history(app, letter_id, sql, refusal):
    with pytest.raises(DBAPIError, match=refusal):
        _as_app(app, sql.format(id=letter_id))
    with app.app_context(), db.engine.connect() as conn:  # and the journal is whole
        assert conn.scalar(text(f"SELECT count(*) FROM event WHERE letter_id = {letter_id}")) >= 1


def test_the_application_role_reads_and_writes_rows(app, letter_id):
    _as_app(app, f"UPDATE letter SET transfer_count = transfer_count WHERE id = {letter_id}")
    assert _as_app(app, f"SELECT count(*) FROM event WHERE letter_id = {letter_id}").scalar() >= 1


def test_the_owner_could_switch_the_triggers_off_which_is_why_the_site_is_not_the_owner(owner_engine):
    with owner_engine.connect() as conn:
        conn.execute(text("ALTER TABLE event DISABLE TRIGGER event_append_only"))
        conn.rollback()  # DDL is transactional: nothing changed


def test_what_a_later_migration_creates_as_the_owner_the_application_may_use_at_once(app, owner_engine):
    table = f"later_{uuid.uuid4().hex[:8]}"
    with owner_engine.begin() as conn:
        conn.execute(text(f"CREATE TABLE {table} (id serial PRIMARY KEY, note text)"))
    try:
        _as_app(app, f"INSERT INTO {table} (note) VALUES ('granted by ALTER DEFAULT PRIVILEGES')")
        assert _as_app(app, f"SELECT note FROM {table}").scalar().startswith("granted")
        with pytest.raises(DBAPIError, match="must be owner"):
            _as_app(app, f"ALTER TABLE {table} ADD COLUMN sneaked text")
    finally:
        with owner_engine.begin() as conn:
            conn.execute(text(f"DROP TABLE {table}"))


def test_the_owner_migrates(app, owner_engine):
    """`flask db upgrade` as the owner on the site's database (the whole way down and up again as the
    owner, on a blank database: tests/pg/test_migrations.py)."""
    from flask_migrate.cli import db as db_commands

    from akimat_reception import create_app

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    as_owner = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": as_role(url, "owner"), "SECRET_KEY": "test"})
    try:
        for args in (["current"], ["upgrade"]):
            result = as_owner.test_cli_runner().invoke(db_commands, args)
            assert result.exit_code == 0 and result.exception is None, (args, result.output)
        with owner_engine.connect() as conn:
            assert conn.scalar(text("SELECT current_user")) == PG_ROLES["owner"][0]
            assert conn.scalar(text("SELECT count(*) FROM alembic_version")) == 1
    finally:
        with as_owner.app_context():
            db.engine.dispose()
