"""What the worker tests need: a fresh database per test (SQLite file or PostgreSQL), an SMTP
sink that pauses a chosen message before or after DATA until the test lets it go (on a
threading.Event, never a timer), and `flask worker` run as a real subprocess."""

import asyncio
import email
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from email.policy import default
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from akimat_reception import create_app
from akimat_reception.extensions import db
from tests.conftest import BACKENDS, RECORD_KEY_FILE, _postgres_database, as_role, make_test_app
from tests.smtp import free_port

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module", params=BACKENDS)
def template(request, tmp_path_factory):
    """A migrated database with the demo akimats, built once and copied for each test."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("worker") / "template.sqlite3"
        app = make_test_app(f"sqlite:///{path}")
        with app.app_context():
            db.engine.dispose()
        yield "sqlite", path
    else:
        database = _postgres_database()
        url = next(database)
        app = make_test_app(url)
        with app.app_context():
            db.engine.dispose()
        yield "postgresql", url
        next(database, None)


@pytest.fixture
def fresh(template, tmp_path):
    """A database of its own (the worker delivers and runs jobs over everything in it)."""
    backend, source = template
    if backend == "sqlite":
        target = tmp_path / "worker.sqlite3"
        shutil.copyfile(source, target)
        url = f"sqlite:///{target}"
    else:
        server = make_url(source)
        name = f"{server.database}_{uuid.uuid4().hex[:6]}"
        admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{server.database}"'))
        url = as_role(server.set(database=name), "app")  # the copy keeps the grants of its template
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "test",
            "RECORD_SIGNING_KEY_FILE": RECORD_KEY_FILE,
            "RECORD_PUBLISH_DIR": tempfile.mkdtemp(prefix="akimat-record-files-"),  # a copy of its own
        }
    )
    yield app, url
    with app.app_context():
        db.engine.dispose()
    if backend == "postgresql":
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class PausingInbox:
    """Keeps every message it accepts. A recipient in `hold_before` is held at RCPT (the client
    has not sent DATA: the message cannot have arrived); one in `hold_after` is stored, then held
    before the server's "250" (the message has arrived; the client cannot know)."""

    def __init__(self):
        self.messages = []
        self.hold_before: set[str] = set()
        self.hold_after: set[str] = set()
        self.hold_all_before = False
        self.release = threading.Event()
        self.held = threading.Event()
        self.waiting = 0
        self._lock = threading.Lock()

    async def _hold(self):
        with self._lock:
            self.waiting += 1
        self.held.set()
        await asyncio.get_running_loop().run_in_executor(None, self.release.wait)
        with self._lock:
            self.waiting -= 1

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        envelope.rcpt_tos.append(address)
        if self.hold_all_before or address in self.hold_before:
            await self._hold()
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=default)
        self.messages.append(message)
        if any(r in self.hold_after for r in envelope.rcpt_tos):
            await self._hold()
        return "250 Message accepted for delivery"

    def to(self, address):
        return [m for m in self.messages if m["To"] == address]

    def let_go(self):
        self.hold_before.clear()
        self.hold_after.clear()
        self.hold_all_before = False
        self.release.set()


class Sink:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.inbox = PausingInbox()
        self._controller = None

    def start(self):
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self):
        self.inbox.release.set()  # a held session must not keep the server's thread waiting
        if self._controller:
            self._controller.stop()
            self._controller = None


class WorkerProcess:
    """`flask worker` against the test's database and sink, its output kept in a file."""

    def __init__(self, database_url: str, smtp_port: int, log_dir: Path, *args: str, **env: str):
        self.log_path = log_dir / f"worker-{time.monotonic_ns()}.log"
        environment = {
            **os.environ,
            "FLASK_APP": "akimat_reception",
            "PYTHONPATH": str(PROJECT_ROOT),
            "DATABASE_URL": database_url,
            "SECRET_KEY": "worker-test-" + "k" * 40,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(smtp_port),
            "MAIL_TIMEOUT": "5",
            "OUTBOX_LEASE_SECONDS": "2",
            "OUTBOX_PROBE_SECONDS": "0.5",
            "WORKER_POLL_SECONDS": "0.1",
            # The record: the run's key, and files of the worker's own (never the work tree's instance/).
            "RECORD_SIGNING_KEY_FILE": RECORD_KEY_FILE,
            "RECORD_PUBLISH_DIR": str(log_dir / "record"),
            **env,
        }
        self._log = open(self.log_path, "wb")  # noqa: SIM115  (closed in wait())
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "worker", *args],
            env=environment,
            cwd=PROJECT_ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.wait()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:  # stuck in a send the test's sink still holds
            self.process.kill()
        self.wait()

    def wait(self):
        try:
            self.process.wait(timeout=30)
        finally:
            self._log.close()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


def wait_until(predicate, timeout: float = 60, what: str = "the condition", workers=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        for worker in workers:
            assert worker.process.poll() is None, f"the worker exited:\n{worker.output()[-3000:]}"
        time.sleep(0.05)
    logs = "\n".join(w.output()[-3000:] for w in workers)
    raise AssertionError(f"timed out waiting for {what}\n{logs}")
