"""`flask backup`: a consistent copy that restores, as the README says, into a database holding the
same letters with unbroken journals, and on PostgreSQL the same guarding triggers."""

import os
import shutil
import subprocess
import tempfile
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from akimat_reception import create_app
from akimat_reception.backup import BackupError, backup, default_path, libpq_url
from akimat_reception.domain import journal
from akimat_reception.extensions import db
from akimat_reception.models import Event, Letter
from tests import factories
from tests.conftest import BACKENDS, RECORD_KEY_FILE, _postgres_database, as_role, make_test_app


@pytest.fixture(scope="module", params=BACKENDS)
def app(request, tmp_path_factory):
    """A database of this module's own, per backend (and so `runner` is bound to it): the session's
    database holds letters whose journals other tests break on purpose, and a restore must show none."""
    if request.param == "sqlite":
        yield make_test_app("sqlite:///" + str(tmp_path_factory.mktemp("backup") / "source.sqlite3"))
        return
    database = _postgres_database()
    fresh = make_test_app(next(database))
    yield fresh
    with fresh.app_context():
        db.engine.dispose()
    next(database, None)


def _letters(app) -> dict[str, str]:
    """Every letter's number and the newest hash of its journal."""
    with app.app_context():
        rows = db.session.execute(select(Letter.number, Letter.journal_head)).all()
        db.session.remove()
        return dict(rows)


def _make_letters(app):
    with app.app_context():
        made = [
            factories.letter(subject="До резервной копии")[0].number,
            factories.answered_letter("almaty")[0].number,
            factories.routed_letter(subject="Құрметті әкім <b>")[0].number,
        ]
        db.session.remove()
        return made


@contextmanager
def _restored_app(url: str):
    """An app on an existing database, as an operator starts one after a restore: no migration,
    no demo data."""
    # The signing key is not in the backup: the operator keeps it apart and gives it to the new app.
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "test",
            "RECORD_SIGNING_KEY_FILE": RECORD_KEY_FILE,
            # Its own published files: the restored copy is another database than the session's.
            "RECORD_PUBLISH_DIR": tempfile.mkdtemp(prefix="akimat-record-files-"),
        }
    )
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()


@contextmanager
def _new_postgres_database(server_url):
    name = f"akimat_restore_{uuid.uuid4().hex[:10]}"
    server = as_role(make_url(server_url).set(database="postgres"), "server")  # the application role may not
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_backup_restores_the_letters_with_unbroken_journals(app, runner, tmp_path):
    made = _make_letters(app)
    before = _letters(app)
    target = tmp_path / "nightly" / "reception.backup"
    result = runner.invoke(args=["backup", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert f"Backup written to {target}" in result.output
    assert target.is_file() and not list(target.parent.glob(".*partial"))
    written_after = _make_letters(app)  # written after the backup: must not be in it

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if make_url(url).get_backend_name() == "sqlite":
        restored_file = tmp_path / "instance" / "akimat_reception.sqlite3"
        restored_file.parent.mkdir()
        shutil.copy(target, restored_file)  # README: copy the file into place, point DATABASE_URL at it
        _check_restored(f"sqlite:///{restored_file}", before, made, written_after)
    else:
        with _new_postgres_database(url) as restored_url:
            conninfo, env = libpq_url(restored_url)
            completed = subprocess.run(
                ["pg_restore", "--clean", "--if-exists", "-d", conninfo, str(target)],
                env={**os.environ, **env},
                capture_output=True,
                text=True,
            )
            assert completed.returncode == 0, completed.stderr
            _check_restored(restored_url, before, made, written_after, postgresql=True)


def _check_restored(url, before, made, written_after, postgresql=False):
    with _restored_app(url) as restored:
        assert _letters(restored) == before
        assert set(made) <= set(before) and not set(written_after) & set(before)
        with restored.app_context():
            report = journal.verify_akimat()
            assert report.breaks == [] and report.letters == len(before) and report.events > 0
            db.session.remove()
        restored.test_cli_runner().invoke(args=["journal", "integrate"])  # the worker's first turn after the restore
        verified = restored.test_cli_runner().invoke(args=["journal", "verify"])
        assert verified.exit_code == 0 and verified.output.strip().endswith("0 breaks"), verified.output
        if postgresql:
            with restored.app_context():
                letter_id = db.session.scalar(select(Letter.id).where(Letter.number == made[0]))
                events = db.session.scalar(select(func.count()).select_from(Event).where(Event.letter_id == letter_id))
                db.session.remove()
                with (
                    pytest.raises(DBAPIError, match="append-only|cannot be changed|never deleted"),
                    db.engine.begin() as conn,
                ):
                    conn.execute(text("DELETE FROM event WHERE letter_id = :id"), {"id": letter_id})
                with (
                    pytest.raises(DBAPIError, match="append-only|cannot be changed|never deleted"),
                    db.engine.begin() as conn,
                ):
                    conn.execute(text("UPDATE letter SET body = 'rewritten' WHERE id = :id"), {"id": letter_id})
                assert (
                    db.session.scalar(select(func.count()).select_from(Event).where(Event.letter_id == letter_id))
                    == events
                )
                db.session.remove()


# --- the pieces, without a database ------------------------------------------------------------------


def test_sqlalchemy_url_becomes_a_libpq_uri_with_the_password_kept_off_the_command_line():
    conninfo, env = libpq_url("postgresql+psycopg://reception:s%40cr%3At@db.example.kz:6432/akimat?sslmode=require")
    assert conninfo == "postgresql://reception@db.example.kz:6432/akimat?sslmode=require"
    assert env == {"PGPASSWORD": "s@cr:t"}
    assert libpq_url("postgresql://postgres@127.0.0.1/test") == ("postgresql://postgres@127.0.0.1/test", {})
    with pytest.raises(BackupError):
        libpq_url("sqlite:///x.sqlite3")


def test_default_backup_name_is_stamped_and_says_what_it_is(tmp_path):
    sqlite = default_path(str(tmp_path), "sqlite:////srv/db.sqlite3")
    dump = default_path(str(tmp_path), "postgresql+psycopg://u@h/db")
    assert sqlite.parent == dump.parent == tmp_path / "backups"
    assert sqlite.name.startswith("akimat_reception-") and sqlite.suffix == ".sqlite3" and dump.suffix == ".dump"


def test_backup_of_a_missing_sqlite_file_fails_without_creating_one(tmp_path):
    with pytest.raises(BackupError, match="no SQLite database"):
        backup(f"sqlite:///{tmp_path / 'absent.sqlite3'}", tmp_path / "backups" / "out.sqlite3")
    assert list(tmp_path.iterdir()) == []


def test_backup_command_reports_a_failure_as_an_error_not_a_traceback(app, runner, tmp_path, monkeypatch):
    import akimat_reception.backup as module

    def broken(url, output):
        raise BackupError("pg_dump failed (1): connection refused")

    monkeypatch.setattr(module, "backup", broken)
    result = runner.invoke(args=["backup", "--output", str(tmp_path / "x.dump")])
    assert result.exit_code == 1 and "Error: pg_dump failed (1): connection refused" in result.output


def test_backup_carries_the_residents_files(app, runner, tmp_path, monkeypatch):
    """Every file a letter in the backup names is in the tar written beside it."""
    import tarfile

    from akimat_reception.models import Attachment
    from tests import factories

    monkeypatch.setitem(app.config, "ATTACHMENTS_DIR", str(tmp_path / "files"))
    (tmp_path / "files").mkdir()
    content = b"%PDF-1.4\n%%EOF\n"
    (tmp_path / "files" / ("ab" * 24)).write_bytes(content)
    with app.app_context():
        letter, _ = factories.letter()
        db.session.add(
            Attachment(
                akimat_id=letter.akimat_id,
                letter_id=letter.id,
                original_name="справка.pdf",
                content_type="application/pdf",
                size=len(content),
                sha256="0" * 64,
                storage_name="ab" * 24,
            )
        )
        db.session.commit()
    result = runner.invoke(args=["backup", "--output", str(tmp_path / "copy.backup")])
    assert result.exit_code == 0, result.output
    with tarfile.open(tmp_path / "copy.backup.files.tar") as archive:
        assert archive.extractfile("ab" * 24).read() == content


def _as_text(backup_file) -> bytes:
    """What a backup holds, readable: an SQLite copy as it is, a pg_dump (compressed) as its SQL."""
    if backup_file.read_bytes()[:5] != b"PGDMP":
        return backup_file.read_bytes()
    completed = subprocess.run(["pg_restore", "--file=-", str(backup_file)], capture_output=True)
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def test_a_backup_holds_the_signed_checkpoints_but_never_the_signing_key(app, runner, tmp_path, monkeypatch):
    """docs/record.md: the key is a file of its own, never a row and never in `flask backup`; a copy of
    the database and the files, lost or stolen, lets no one sign a checkpoint."""
    import base64
    import tarfile

    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    from akimat_reception.domain.record import keys, log
    from akimat_reception.models import SignedCheckpoint

    monkeypatch.setitem(app.config, "ATTACHMENTS_DIR", str(tmp_path / "files"))
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / ("cd" * 24)).write_bytes(b"%PDF-1.4\n%%EOF\n")
    with app.app_context():
        factories.letter(subject="Перед копией")
        log.integrate_all()
        signer = keys.signer()
        key_file = keys.key_path()
        note = db.session.scalars(select(SignedCheckpoint.note).order_by(SignedCheckpoint.id.desc())).first()
        db.session.remove()
    seed = signer.private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    secret_forms = {
        "the key file's text": key_file.read_bytes().strip(),
        "its base64 part": signer.encode().split("+", 4)[4].encode(),  # base64 may hold "+" itself
        "the raw seed": seed,
        "the seed in hex": seed.hex().encode(),
        "the seed in base64": base64.b64encode(seed).rstrip(b"="),
    }

    result = runner.invoke(args=["backup", "--output", str(tmp_path / "nightly.backup")])
    assert result.exit_code == 0, result.output
    database = _as_text(tmp_path / "nightly.backup")
    with tarfile.open(tmp_path / "nightly.backup.files.tar") as archive:
        names = archive.getnames()
        files = b"".join(archive.extractfile(member).read() for member in archive.getmembers())

    assert note is not None and note.split()[-1].encode() in database  # a signature it made is there, readable
    assert names == ["cd" * 24] and key_file.name not in names
    for form, secret in secret_forms.items():
        assert secret not in database, f"{form} is in the database backup"
        assert secret not in files, f"{form} is in the files' tar"
