"""The outbox benchmark: messages per second to a local SMTP server, and the time to drain the
backlog of a one-hour SMTP outage at a busy akimat, on SQLite and PostgreSQL.

    .venv/bin/python bench/outbox.py [--databases "sqlite postgresql"] [--messages 2000] [--backlog 3000]

Each run gets a fresh database (migrated, the two demo akimats), an aiosmtpd server in its own
process that accepts and discards (`aiosmtpd.handlers.Sink`), and:
1. `--messages` receipts-sized emails (text + HTML, ~3 kB) delivered by the worker's own loop
   (delivery.deliver_due with one Mailer, batches of OUTBOX_BATCH): messages/s;
2. `--backlog` emails left as an hour of "SMTP unreachable" leaves them (queued over the hour,
   each turned away at 1, 2, 4 … minutes), then `flask worker --no-jobs` started with the server
   back: seconds until the last is sent (its first probe finds the server and wakes them all).
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

BODY = "Ваше обращение зарегистрировано. " * 40
HTML = "<p>" + "Ваше обращение зарегистрировано. " * 40 + "</p>"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int) -> None:
    for _ in range(100):
        with socket.socket() as s:
            if not s.connect_ex(("127.0.0.1", port)):
                return
        time.sleep(0.1)
    raise RuntimeError("the SMTP sink did not start")


def fresh_database(backend: str, server: str, work: Path) -> tuple[str, callable]:
    if backend == "sqlite":
        path = work / f"outbox-{uuid.uuid4().hex[:6]}.sqlite3"
        return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)
    name = f"akimat_bench_outbox_{uuid.uuid4().hex[:6]}"
    admin = create_engine(make_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return make_url(server).set(database=name).render_as_string(hide_password=False), drop


def rows(akimat_id: int, n: int, tag: str) -> list[dict]:
    return [
        dict(
            akimat_id=akimat_id,
            kind="receipt",
            channel="email",
            recipient=f"{tag}{i}@example.kz",
            language="ru",
            subject=f"Ваше обращение AST-2026-{i:06d} зарегистрировано",
            body_text=BODY,
            body_html=HTML,
            status="pending",
            attempts=0,
            uncertain=0,
            meta={},
        )
        for i in range(n)
    ]


def run(backend: str, server: str, messages: int, backlog: int, work: Path) -> dict:
    from akimat_reception import create_app
    from akimat_reception.delivery import Mailer, deliver_due
    from akimat_reception.demo import load_demo
    from akimat_reception.extensions import db
    from akimat_reception.models import Akimat, DeliveryStatus, OutboxMessage
    from akimat_reception.models._common import utcnow

    url, drop = fresh_database(backend, server, work)
    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"]
    )
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port})
    result = {"database": backend}
    try:
        wait_port(port)
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            load_demo(letters_per_akimat=0)
            akimat_id = db.session.scalar(select(Akimat.id).limit(1))
            now = utcnow()

            due = [{**r, "next_attempt_at": now, "created_at": now} for r in rows(akimat_id, messages, "rate")]
            db.session.execute(insert(OutboxMessage), due)
            db.session.commit()
            mailer = Mailer(app.config)
            started = time.perf_counter()
            sent = 0
            while True:
                outcome = deliver_due(limit=app.config["OUTBOX_BATCH"], mailer=mailer, worker_id="bench")
                if not sum(outcome.values()):
                    break
                sent += outcome["sent"]
            mailer.close()
            seconds = time.perf_counter() - started
            result.update(messages=sent, seconds=round(seconds, 2), per_second=round(sent / seconds))

            # An hour's backlog: queued evenly over the last hour while SMTP was unreachable.
            now = utcnow()
            outage = []
            latest_retry = now
            for i, row in enumerate(rows(akimat_id, backlog, "backlog")):
                queued = now - timedelta(seconds=3600 * (backlog - i) / backlog)
                waited, attempts, next_at = 0.0, 0, queued
                while next_at <= now:  # turned away at 0, 1, 3, 7, 15, 31 … minutes after queueing
                    attempts += 1
                    waited += 60 * 2 ** (attempts - 1)
                    next_at = queued + timedelta(seconds=waited)
                latest_retry = max(latest_retry, next_at)
                outage.append(
                    {
                        **row,
                        "created_at": queued,
                        "attempts": attempts,
                        "next_attempt_at": next_at,
                        "last_error": "SMTP unreachable: ConnectionRefusedError: [Errno 111] Connection refused",
                    }
                )
            db.session.execute(insert(OutboxMessage), outage)
            db.session.commit()
            result["backlog"] = backlog
            result["backoff_alone_minutes"] = round((latest_retry - now).total_seconds() / 60)

        env = {
            **os.environ,
            "FLASK_APP": "akimat_reception",
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": url,
            "SECRET_KEY": uuid.uuid4().hex * 2,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(port),
        }
        started = time.perf_counter()
        worker = subprocess.Popen(
            [sys.executable, "-m", "flask", "worker", "--no-jobs"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            with app.app_context():
                while True:
                    left = db.session.scalar(select(db.func.count()).where(OutboxMessage.status != DeliveryStatus.SENT))
                    db.session.rollback()
                    if not left:
                        break
                    time.sleep(0.1)
            result["drain_seconds"] = round(time.perf_counter() - started, 1)  # including the worker's start-up
        finally:
            worker.terminate()
            worker.wait(timeout=30)
        with app.app_context():
            db.engine.dispose()
    finally:
        sink.terminate()
        sink.wait(timeout=10)
        drop()
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", default="sqlite postgresql")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--backlog", type=int, default=3000)
    parser.add_argument(
        "--pg-server",
        default=os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        print("| database | messages | s | messages/s | backlog | drained in (s) | back-off alone (min) |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for backend in args.databases.split():
            r = run(backend, args.pg_server, args.messages, args.backlog, Path(work))
            print(
                f"| {r['database']} | {r['messages']} | {r['seconds']} | {r['per_second']} | {r['backlog']} | "
                f"{r['drain_seconds']} | {r['backoff_alone_minutes']} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
