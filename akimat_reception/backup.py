"""A consistent copy of the database, taken while the site runs (`flask backup`).

SQLite: the sqlite3 online backup API, which copies a consistent snapshot page by page even while
others write. PostgreSQL: `pg_dump --format=custom`, one transaction's snapshot, with the schema,
the data and the guarding triggers; restored with `pg_restore`. Either way the copy is written
under a temporary name beside the target and renamed when complete, so a file under the final
name is always a whole backup."""

import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url


class BackupError(Exception):
    """The backup could not be made; the message says why, for the operator."""


def libpq_url(url: URL | str) -> tuple[str, dict[str, str]]:
    """The libpq connection URI for an SQLAlchemy PostgreSQL URL, and the environment that carries
    the password (PGPASSWORD), so that it never shows on a command line.

    postgresql+psycopg://user:secret@db:5432/reception?sslmode=require
    -> ("postgresql://user@db:5432/reception?sslmode=require", {"PGPASSWORD": "secret"})"""
    url = make_url(url)
    if url.get_backend_name() != "postgresql":
        raise BackupError(f"not a PostgreSQL URL: {url.render_as_string(hide_password=True)}")
    env = {"PGPASSWORD": url.password} if url.password else {}
    plain = url.set(drivername="postgresql")._replace(password=None)  # set() ignores None
    return plain.render_as_string(hide_password=False), env


def default_path(instance_path: str, url: URL | str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    suffix = ".sqlite3" if make_url(url).get_backend_name() == "sqlite" else ".dump"
    return Path(instance_path) / "backups" / f"akimat_reception-{stamp}{suffix}"


def backup(url: URL | str, output: Path) -> Path:
    """Writes a consistent backup of the database at `url` (the engine's URL) to `output`."""
    url = make_url(url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        method = _backup_sqlite
        _sqlite_source(url)  # fail before anything is written
    elif backend == "postgresql":
        method = _backup_postgresql
    else:
        raise BackupError(f"no backup method for {backend} databases")
    output = Path(output).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        method(url, partial)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    return output


def _sqlite_source(url: URL) -> Path:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        raise BackupError("an in-memory SQLite database cannot be backed up")
    source_path = Path(database)
    if not source_path.is_file():
        raise BackupError(f"no SQLite database at {source_path}")
    return source_path


def _backup_sqlite(url: URL, target: Path) -> None:
    source_path = _sqlite_source(url)
    # Read-only: a wrong path must not create an empty database.
    source = sqlite3.connect(f"{source_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()


def _backup_postgresql(url: URL, target: Path) -> None:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError("pg_dump is not installed (Debian: apt-get install postgresql-client)")
    conninfo, env = libpq_url(url)
    completed = subprocess.run(
        [pg_dump, "--format=custom", f"--file={target}", f"--dbname={conninfo}"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        raise BackupError(f"pg_dump failed ({completed.returncode}): {completed.stderr.strip()}")


def backup_files(attachments_dir: Path, database_backup: Path) -> Path | None:
    """Residents' files, as a tar beside the database backup. Taken after the database: a file is
    stored before its row commits and never deleted, so every file the database copy names is in
    the tar (which may hold a few newer ones too). Staged uploads of unsent forms are left out."""
    attachments_dir = Path(attachments_dir)
    if not attachments_dir.is_dir():
        return None
    import tarfile

    output = database_backup.with_name(database_backup.name + ".files.tar")
    partial = output.with_name(f".{output.name}.partial")
    try:
        with tarfile.open(partial, "w") as archive:  # PDFs and photos are compressed already
            for path in sorted(attachments_dir.iterdir()):
                if path.is_file():
                    archive.add(path, arcname=path.name)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    return output
