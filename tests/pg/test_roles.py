"""The two roles of docs/deploy.md (deploy/postgres-roles.sql): the application role the site runs as
reads and writes rows, and is refused every statement that would switch off or get around the
triggers that keep letters and journals append-only; the owner migrates, and what it creates later
is granted to the application at once."""

import uuid

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import DBAPIError

from akimat_reception.extensions import db
from akimat_reception.models import RecordLog
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


@pytest.fixture
def placed(app):
    """A letter's entries placed in its akimat's log by the worker's own code, run as the application
    role (the worker connects as it): the log, one placed entry and its place, the log's size."""
    from akimat_reception.domain.record import log
    from akimat_reception.models import LogEntry

    with app.app_context():
        letter, _ = factories.letter()
        log.integrate_all()
        entry = db.session.scalars(select(LogEntry).where(LogEntry.letter_id == letter.id)).first()
        assert entry is not None and entry.log_index is not None
        record = db.session.get(RecordLog, entry.log_id)
        placed = {"log": entry.log_id, "entry": entry.id, "index": entry.log_index, "size": record.size}
        db.session.remove()
        return placed


def _record(app, placed) -> tuple:
    """What the refused statements must leave as it was: the entry, the log's size, its checkpoints."""
    with app.app_context(), db.engine.connect() as conn:
        return (
            conn.execute(text(f"SELECT log_index, commitment FROM log_entry WHERE id = {placed['entry']}")).one(),
            conn.scalar(text(f"SELECT size FROM record_log WHERE id = {placed['log']}")),
            conn.scalar(text(f"SELECT count(*) FROM signed_checkpoint WHERE log_id = {placed['log']}")),
        )


NODE = "INSERT INTO tree_node (log_id, height, index, hash) VALUES ({log}, 8, 987654, '{zero}'); "
ZERO = "0" * 64


@pytest.mark.parametrize(
    ("sql", "refusal"),
    [
        ("ALTER TABLE log_entry DISABLE TRIGGER ALL", "must be owner"),
        ("ALTER TABLE log_entry DISABLE TRIGGER log_entry_append_only", "must be owner"),
        ("ALTER TABLE record_log DISABLE TRIGGER record_log_only_grows", "must be owner"),
        ("DROP TRIGGER log_entry_append_only ON log_entry", "must be owner"),
        ("UPDATE log_entry SET commitment = '{zero}' WHERE id = {entry}", "append-only"),
        ("UPDATE log_entry SET nonce = '{zero32}' WHERE id = {entry}", "append-only"),
        ("UPDATE log_entry SET log_index = log_index + 1000000 WHERE id = {entry}", "append-only"),
        ("UPDATE log_entry SET log_index = NULL WHERE id = {entry}", "append-only"),
        ("DELETE FROM log_entry WHERE id = {entry}", "append-only"),
        ("DELETE FROM log_entry WHERE log_id = {log}", "append-only"),
        (NODE + "UPDATE tree_node SET hash = '{zero}' WHERE log_id = {log} AND index = 987654", "append-only"),
        (NODE + "DELETE FROM tree_node WHERE log_id = {log} AND index = 987654", "append-only"),
        ("UPDATE signed_checkpoint SET note = 'rewritten' WHERE log_id = {log}", "append-only"),
        ("UPDATE signed_checkpoint SET root = '{zero}' WHERE log_id = {log}", "append-only"),
        ("DELETE FROM signed_checkpoint WHERE log_id = {log}", "append-only"),
        ("UPDATE record_log SET size = {index} WHERE id = {log}", "a log only grows"),
        ("UPDATE record_log SET size = 0 WHERE id = {log}", "a log only grows"),
        ("UPDATE record_log SET origin = 'elsewhere/astana' WHERE id = {log}", "a log only grows"),
        ("DELETE FROM record_log WHERE id = {log}", "a log only grows"),
        ("TRUNCATE log_entry", "permission denied"),
        ("TRUNCATE tree_node", "permission denied"),
        ("TRUNCATE signed_checkpoint", "permission denied"),
        ("TRUNCATE record_log CASCADE", "permission denied"),
    ],
)
def test_the_application_role_cannot_rewrite_the_sealed_record(app, placed, sql, refusal):
    before = _record(app, placed)
    with pytest.raises(DBAPIError, match=refusal):
        _as_app(app, sql.format(zero=ZERO, zero32="0" * 32, **placed))
    assert _record(app, placed) == before


def test_the_application_role_places_entries_as_the_worker_does(app, placed):
    """The worker's integration ran as the application role (the fixture): entries got their places,
    the log grew, a checkpoint was signed. Placing is the one change an entry ever takes."""
    from akimat_reception.models import LogEntry

    with app.app_context():
        letter, _ = factories.letter()
        waiting = db.session.scalars(select(LogEntry).where(LogEntry.letter_id == letter.id)).first()
        assert waiting is not None and waiting.log_index is None
        waiting_id = waiting.id
        db.session.remove()
    with app.app_context(), db.engine.connect() as conn:  # in the worker's transaction, then undone
        placed_now = conn.execute(
            text(f"UPDATE log_entry SET log_index = 9999999 WHERE id = {waiting_id} AND log_index IS NULL")
        )
        assert placed_now.rowcount == 1
        assert conn.execute(text(f"UPDATE record_log SET size = size + 1 WHERE id = {placed['log']}")).rowcount == 1
        conn.rollback()
    assert placed["size"] > placed["index"] >= 0
    assert _record(app, placed)[2] >= 1  # the worker's checkpoint of that size


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
