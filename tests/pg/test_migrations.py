"""Every revision goes both ways: on a blank database, `flask db upgrade` to head, `flask db
downgrade base` leaves no application table (nor, on PostgreSQL, a trigger function), and a second
upgrade builds it all again. On PostgreSQL (TEST_DATABASE_URL), as the owner role of the deployment
guide (no superuser), and on an SQLite file."""

import os
import uuid
from contextlib import contextmanager

import pytest
from flask_migrate.cli import db as db_commands
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from akimat_reception import create_app
from akimat_reception.extensions import db
from tests.conftest import as_role, grant_roles

ALEMBIC_ONLY = {"alembic_version"}  # Alembic's bookkeeping stays, empty, at base


def _run(app, *args):
    """`flask db ARGS` against `app`, as the CLI runs it."""
    result = app.test_cli_runner().invoke(db_commands, list(args))
    assert result.exit_code == 0 and result.exception is None, (args, result.output, result.exception)
    return result


def _state(url):
    """Tables, and on PostgreSQL the functions and triggers, that the database holds now."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            head = (
                conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
                if "alembic_version" in tables
                else []
            )
            functions = triggers = set()
            if engine.dialect.name == "postgresql":
                functions = set(
                    conn.execute(
                        text(
                            "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                            "WHERE n.nspname = 'public'"
                        )
                    ).scalars()
                )
                triggers = set(conn.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars())
        return tables, head, functions, triggers
    finally:
        engine.dispose()


def _round_trip(url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test"})
    try:
        tables, _, functions, triggers = _state(url)
        assert not tables - ALEMBIC_ONLY, "the database is not blank"

        _run(app, "upgrade")
        built, [head], built_functions, built_triggers = _state(url)
        assert {"akimat", "letter", "event", "user_account", "outbox_message", "phone_line"} <= built
        _run(app, "current")

        _run(app, "downgrade", "base")
        left, at_base, left_functions, left_triggers = _state(url)
        assert left - ALEMBIC_ONLY == set(), f"tables left after downgrade to base: {left - ALEMBIC_ONLY}"
        assert at_base == []
        assert left_functions == functions and left_triggers == triggers == set()

        _run(app, "upgrade")
        again, [head_again], again_functions, again_triggers = _state(url)
        assert (again, head_again, again_functions, again_triggers) == (built, head, built_functions, built_triggers)
        if make_url(url).get_backend_name() == "postgresql":
            assert {"refuse_rewrite", "letter_content_frozen"} <= again_functions
            assert "event_append_only" in again_triggers
    finally:
        with app.app_context():
            db.engine.dispose()


@contextmanager
def _blank_postgres_database():
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        pytest.skip(
            "migrations on PostgreSQL: set TEST_DATABASE_URL, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test"
        )
    server_url = make_url(server).set(drivername="postgresql+psycopg")
    name = f"akimat_migrations_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = server_url.set(database=name).render_as_string(hide_password=False)
        grant_roles(url)
        yield as_role(url, "owner")  # as the guide migrates: the owner, no superuser
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_migrations_go_up_down_and_up_again_on_postgresql():
    with _blank_postgres_database() as url:
        _round_trip(url)


def test_migrations_go_up_down_and_up_again_on_sqlite(tmp_path):
    _round_trip(f"sqlite:///{tmp_path / 'migrations.sqlite3'}")
